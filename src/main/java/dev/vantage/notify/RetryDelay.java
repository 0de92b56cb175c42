package dev.vantage.notify;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * When to try a notification again: exponential backoff with full jitter (a uniform delay between zero and a ceiling
 * that doubles per attempt up to a cap), so that notifications failed by one outage do not come back in lockstep; but
 * never sooner than the receiver's Retry-After.
 */
final class RetryDelay {
    /** A Retry-After longer than this is taken as this: a receiver cannot park a notification for days. */
    static final Duration MAX_RETRY_AFTER = Duration.ofHours(1);

    private final long baseMillis;
    private final long capMillis;
    private final RandomGenerator random;

    RetryDelay(Duration base, Duration cap, RandomGenerator random) {
        this.baseMillis = base.toMillis();
        this.capMillis = cap.toMillis();
        this.random = random;
    }

    /** The delay after attempt number {@code attempt} (1 for the first) failed, honouring {@code retryAfter}. */
    Duration after(int attempt, Duration retryAfter) {
        int doublings = Math.min(Math.max(attempt, 1) - 1, 40);
        long ceiling = baseMillis << doublings;
        if (ceiling <= 0 || ceiling > capMillis) {
            ceiling = capMillis;
        }
        long backoff = random.nextLong(ceiling + 1);
        long asked = retryAfter == null || retryAfter.isNegative()
                ? 0
                : Math.min(retryAfter.toMillis(), MAX_RETRY_AFTER.toMillis());
        return Duration.ofMillis(Math.max(backoff, asked));
    }
}
