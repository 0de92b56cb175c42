package dev.vantage.push;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * One {@link TokenBucket} per push monitor, so a sender flooding one token is held back and the others are not. Per
 * process: behind a load balancer each replica allows the rate, so the table takes at most the rate times the
 * replicas.
 */
final class RateLimits {
    private final double perSecond;
    private final int burst;
    private final LongSupplier nanoTime;
    private final ConcurrentHashMap<Integer, TokenBucket> buckets = new ConcurrentHashMap<>();

    RateLimits(double perSecond, int burst, LongSupplier nanoTime) {
        this.perSecond = perSecond;
        this.burst = burst;
        this.nanoTime = nanoTime;
    }

    /** 0 when the monitor may send this beat now, else the nanoseconds until it may send the next. */
    long take(int monitorId) {
        long now = nanoTime.getAsLong();
        return buckets.computeIfAbsent(monitorId, id -> new TokenBucket(perSecond, burst, now))
                .take(now);
    }

    /** Forgets the buckets of monitors that are gone. */
    void retain(Set<Integer> monitorIds) {
        buckets.keySet().retainAll(monitorIds);
    }
}
