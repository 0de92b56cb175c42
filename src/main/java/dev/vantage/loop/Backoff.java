package dev.vantage.loop;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.random.RandomGenerator;

/**
 * Exponential backoff with "equal jitter": the delay doubles per consecutive failure up to the cap, and half of it is
 * random, so processes that lost the same database (or notifications failed by one outage) do not come back in
 * lockstep, yet never retry at once. The one backoff of Vantage: the heartbeat writer, the background loops, the
 * notification retries and the Redis ingest's reconnects all use it.
 */
public final class Backoff {
    private final long minNanos;
    private final long maxNanos;
    private final RandomGenerator random;

    public Backoff(Duration min, Duration max, RandomGenerator random) {
        if (min.isNegative() || min.isZero() || max.compareTo(min) < 0) {
            throw new IllegalArgumentException("backoff needs 0 < min <= max, was " + min + " and " + max);
        }
        this.minNanos = min.toNanos();
        this.maxNanos = max.toNanos();
        this.random = random;
    }

    /** The delay after {@code failures} consecutive failures (1 or more), between half the step and the step. */
    public long delayNanos(int failures) {
        int doublings = Math.min(Math.max(failures, 1) - 1, 40);
        long step = minNanos << doublings;
        if (step <= 0 || step > maxNanos) {
            step = maxNanos;
        }
        long half = step / 2;
        return step - half + random.nextLong(half + 1);
    }

    public Duration delay(int failures) {
        return Duration.ofNanos(delayNanos(failures));
    }

    /**
     * {@code base} ±20%, uniform: the period of a loop that polls on a fixed interval (the lease retries, the shard
     * balancer), so that replicas started together drift apart.
     */
    public static Duration jittered(Duration base) {
        long nanos = base.toNanos();
        return Duration.ofNanos(nanos * 8 / 10 + ThreadLocalRandom.current().nextLong(nanos * 4 / 10 + 1));
    }
}
