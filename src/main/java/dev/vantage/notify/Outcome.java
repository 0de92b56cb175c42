package dev.vantage.notify;

import java.time.Duration;
import java.util.Objects;

/**
 * The result of one delivery attempt. Never carries a credential in {@code detail}.
 *
 * @param statusCode the HTTP status or SMTP reply code of the answer, null when none arrived
 * @param retryAfter how long the receiver asked to wait (429 or 503 with Retry-After), else null
 * @param detail why it failed, e.g. {@code "HTTP 503"} or {@code "connect timed out"}; null when delivered
 */
public record Outcome(Kind kind, Integer statusCode, Duration retryAfter, String detail) {
    public enum Kind {
        /** The receiver accepted it. */
        DELIVERED,
        /** Network error, timeout, 5xx or 429: try again later. */
        RETRY,
        /** Another 4xx or a permanent error: trying again would fail the same way. */
        REJECTED
    }

    public Outcome {
        Objects.requireNonNull(kind, "kind");
    }

    public static Outcome delivered(Integer statusCode) {
        return new Outcome(Kind.DELIVERED, statusCode, null, null);
    }

    public static Outcome retry(Integer statusCode, Duration retryAfter, String detail) {
        return new Outcome(Kind.RETRY, statusCode, retryAfter, detail);
    }

    public static Outcome rejected(Integer statusCode, String detail) {
        return new Outcome(Kind.REJECTED, statusCode, null, detail);
    }
}
