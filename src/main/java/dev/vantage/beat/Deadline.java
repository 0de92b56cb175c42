package dev.vantage.beat;

import java.time.Duration;

/**
 * A point on the monotonic clock ({@link System#nanoTime()}) by which something must be done: computed once by the
 * caller and passed down, so that retries, connects and flushes all share one budget.
 */
public record Deadline(long nanoTime) {
    public static Deadline after(Duration d) {
        return new Deadline(System.nanoTime() + d.toNanos());
    }

    /** What is left, zero once passed. */
    public Duration remaining() {
        long left = nanoTime - System.nanoTime();
        return left <= 0 ? Duration.ZERO : Duration.ofNanos(left);
    }
}
