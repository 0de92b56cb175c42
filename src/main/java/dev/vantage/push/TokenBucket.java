package dev.vantage.push;

/**
 * A token bucket: {@code burst} beats at once, refilled at {@code perSecond}. Time is passed in (nanoseconds of a
 * monotonic clock), so tests drive it. Thread-safe.
 */
public final class TokenBucket {
    private final double perNano;
    private final double burst;
    private double tokens; // guarded by this
    private long refilledAt; // guarded by this

    public TokenBucket(double perSecond, int burst, long now) {
        this.perNano = perSecond / 1e9;
        this.burst = burst;
        this.tokens = burst;
        this.refilledAt = now;
    }

    /** Takes one token: 0 when it was there, else the nanoseconds until one will be (nothing is taken then). */
    public synchronized long take(long now) {
        if (now > refilledAt) {
            tokens = Math.min(burst, tokens + (now - refilledAt) * perNano);
            refilledAt = now;
        }
        if (tokens >= 1) {
            tokens -= 1;
            return 0;
        }
        return Math.max(1, (long) Math.ceil((1 - tokens) / perNano));
    }
}
