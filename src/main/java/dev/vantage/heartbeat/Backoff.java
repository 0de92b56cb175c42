package dev.vantage.heartbeat;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * Exponential backoff with "equal jitter": the delay doubles per consecutive failure up to the cap, and half of it is
 * random, so agents that lost the same database do not come back in lockstep yet never retry at once. Also the
 * reconnect delay of the Redis ingest.
 */
public final class Backoff {
    private final long minNanos;
    private final long maxNanos;
    private final RandomGenerator random;

    public Backoff(Duration min, Duration max, RandomGenerator random) {
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
}
