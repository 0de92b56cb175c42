package dev.vantage.lease;

import java.time.Duration;

/**
 * The leader's staleness math, on a monotonic clock (nanoseconds): a verdict about the lease (the lock is held, or
 * the database cannot be reached and the leader fails open) is trusted until a deadline measured from the start of
 * the check that produced it, never from its end, because the lock may have been lost at any moment after the check
 * was sent. A frozen process (SIGSTOP, a long GC pause) therefore wakes up untrusted and starts no probe before a new
 * verdict. Thread-safe: written by the lease thread, read by the scheduler.
 */
final class Trust {
    private final long windowNanos;
    private volatile long deadlineNanos;
    private volatile boolean trusted;

    Trust(Duration window) {
        this.windowNanos = window.toNanos();
    }

    /** A verdict obtained by a check that started at {@code checkStartNanos}. */
    void renew(long checkStartNanos) {
        deadlineNanos = checkStartNanos + windowNanos;
        trusted = true;
    }

    /** No verdict counts any more (the lease is lost, released, or the leader is strict and unsure). */
    void revoke() {
        trusted = false;
    }

    boolean trustedAt(long nowNanos) {
        return trusted && nowNanos - deadlineNanos < 0;
    }

    /** Nanoseconds left until the deadline at {@code nowNanos}; zero or less when not trusted. */
    long remainingAt(long nowNanos) {
        return trusted ? deadlineNanos - nowNanos : 0;
    }
}
