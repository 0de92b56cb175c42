package dev.vantage.beat;

import java.util.Objects;

/**
 * Where beats go, as the user gave it; the sender for the URL's scheme validates it.
 *
 * @param url a ping URL {@code http(s)://host[:port]/ping/<token>}, {@code nats://…} or {@code redis(s)://…}; may
 *     hold a secret (the token, a password), so it is never printed as is
 * @param subject the NATS subject published to, or the Redis entry's {@code subject} field; null for a ping URL
 * @param stream the Redis stream, or null for the default
 */
public record Destination(String url, String subject, String stream) {
    public Destination {
        Objects.requireNonNull(url, "url");
    }
}
