package dev.vantage.notify;

import dev.vantage.loop.Backoff;
import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * When to try a notification again: the {@link Backoff} of every loop (a ceiling that doubles per attempt up to a cap,
 * the upper half of it random), so that notifications failed by one outage do not come back in lockstep; but never
 * sooner than the receiver's Retry-After.
 */
final class RetryDelay {
    /** A Retry-After longer than this is taken as this: a receiver cannot park a notification for days. */
    static final Duration MAX_RETRY_AFTER = Duration.ofHours(1);

    private final Backoff backoff;

    RetryDelay(Duration base, Duration cap, RandomGenerator random) {
        this.backoff = new Backoff(base, cap, random);
    }

    /** The delay after attempt number {@code attempt} (1 for the first) failed, honouring {@code retryAfter}. */
    Duration after(int attempt, Duration retryAfter) {
        long backoffMillis = backoff.delayNanos(attempt) / 1_000_000;
        long asked = retryAfter == null || retryAfter.isNegative()
                ? 0
                : Math.min(retryAfter.toMillis(), MAX_RETRY_AFTER.toMillis());
        return Duration.ofMillis(Math.max(backoffMillis, asked));
    }
}
