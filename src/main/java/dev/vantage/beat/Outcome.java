package dev.vantage.beat;

import java.time.Duration;
import java.util.Objects;

/**
 * What one attempt to send a beat came to.
 *
 * @param kind delivered, worth retrying, or refused for good
 * @param detail for people, one line: names the server (its address, never a credential) and what went wrong; null
 *     when delivered
 * @param retryAfter the wait the server asked for before the next attempt ({@code Retry-After}), or null
 */
public record Outcome(Kind kind, String detail, Duration retryAfter) {
    public enum Kind {
        DELIVERED,
        /** A connection failure, a timeout, or a server that cannot take the beat right now (429, 503). */
        RETRY,
        /** The same beat would be refused again: an unknown token, refused credentials, a malformed request. */
        REJECTED
    }

    public Outcome {
        Objects.requireNonNull(kind, "kind");
        if ((kind == Kind.DELIVERED) != (detail == null)) {
            throw new IllegalArgumentException("a detail, and only for a beat not delivered: " + kind);
        }
        if (retryAfter != null && kind != Kind.RETRY) {
            throw new IllegalArgumentException("retryAfter goes with RETRY only");
        }
    }

    public static Outcome delivered() {
        return new Outcome(Kind.DELIVERED, null, null);
    }

    public static Outcome retry(String detail) {
        return new Outcome(Kind.RETRY, detail, null);
    }

    public static Outcome retry(String detail, Duration retryAfter) {
        return new Outcome(Kind.RETRY, detail, retryAfter);
    }

    public static Outcome rejected(String detail) {
        return new Outcome(Kind.REJECTED, detail, null);
    }
}
