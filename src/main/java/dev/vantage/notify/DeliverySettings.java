package dev.vantage.notify;

import java.time.Duration;
import java.util.Objects;

/**
 * How the outbox is delivered.
 *
 * @param pollInterval how often the loop looks for due rows when nobody {@linkplain Delivery#wake() wakes} it
 * @param attemptTimeout the deadline of one attempt
 * @param claimMargin added to {@code attemptTimeout} for the claim: a claim outlives any attempt that keeps its
 *     deadline, so a row is sent again only when its sender died
 * @param backoffBase the first retry's backoff ceiling; it doubles per attempt, and a retry waits between half of it and all of it
 * @param backoffCap the largest backoff ceiling
 * @param maxAge a notification still not delivered this long after it was enqueued is given up
 * @param maxConcurrency sends in flight at once
 * @param perChannelConcurrency sends in flight at once to one channel, so that a slow one leaves room for the others
 */
public record DeliverySettings(
        Duration pollInterval,
        Duration attemptTimeout,
        Duration claimMargin,
        Duration backoffBase,
        Duration backoffCap,
        Duration maxAge,
        int maxConcurrency,
        int perChannelConcurrency) {

    public static final DeliverySettings DEFAULTS = new DeliverySettings(
            Duration.ofMillis(250),
            Duration.ofSeconds(10),
            Duration.ofSeconds(5),
            Duration.ofSeconds(1),
            Duration.ofMinutes(10),
            Duration.ofHours(24),
            8,
            4);

    public DeliverySettings {
        positive(pollInterval, "pollInterval");
        positive(attemptTimeout, "attemptTimeout");
        Objects.requireNonNull(claimMargin, "claimMargin");
        if (claimMargin.isNegative()) {
            throw new IllegalArgumentException("claimMargin must not be negative, was " + claimMargin);
        }
        positive(backoffBase, "backoffBase");
        positive(backoffCap, "backoffCap");
        if (backoffCap.compareTo(backoffBase) < 0) {
            throw new IllegalArgumentException(
                    "backoffCap must be at least backoffBase (" + backoffBase + "), was " + backoffCap);
        }
        positive(maxAge, "maxAge");
        if (maxConcurrency < 1) {
            throw new IllegalArgumentException("maxConcurrency must be at least 1, was " + maxConcurrency);
        }
        if (perChannelConcurrency < 1 || perChannelConcurrency > maxConcurrency) {
            throw new IllegalArgumentException("perChannelConcurrency must be between 1 and maxConcurrency ("
                    + maxConcurrency + "), was " + perChannelConcurrency);
        }
    }

    private static void positive(Duration d, String field) {
        Objects.requireNonNull(d, field);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(field + " must be positive, was " + d);
        }
    }

    /** How long a claim lasts. */
    public Duration claim() {
        return attemptTimeout.plus(claimMargin);
    }

    public DeliverySettings withPollInterval(Duration d) {
        return new DeliverySettings(
                d, attemptTimeout, claimMargin, backoffBase, backoffCap, maxAge, maxConcurrency, perChannelConcurrency);
    }

    public DeliverySettings withAttemptTimeout(Duration d) {
        return new DeliverySettings(
                pollInterval, d, claimMargin, backoffBase, backoffCap, maxAge, maxConcurrency, perChannelConcurrency);
    }

    public DeliverySettings withBackoff(Duration base, Duration cap) {
        return new DeliverySettings(
                pollInterval, attemptTimeout, claimMargin, base, cap, maxAge, maxConcurrency, perChannelConcurrency);
    }

    public DeliverySettings withMaxAge(Duration d) {
        return new DeliverySettings(
                pollInterval,
                attemptTimeout,
                claimMargin,
                backoffBase,
                backoffCap,
                d,
                maxConcurrency,
                perChannelConcurrency);
    }

    public DeliverySettings withConcurrency(int max, int perChannel) {
        return new DeliverySettings(
                pollInterval, attemptTimeout, claimMargin, backoffBase, backoffCap, maxAge, max, perChannel);
    }
}
