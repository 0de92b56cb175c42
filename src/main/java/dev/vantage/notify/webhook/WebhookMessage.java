package dev.vantage.notify.webhook;

import java.util.Objects;

/**
 * A rendered webhook: everything but what changes per attempt (the timestamp and the signature).
 *
 * @param id the {@code webhook-id}: the same on every attempt of one notification
 * @param dedupKey the incident's key, also sent as {@code vantage-dedup-key}
 * @param body the exact JSON body, which is what gets signed
 */
public record WebhookMessage(String id, String dedupKey, String body) {
    public WebhookMessage {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(dedupKey, "dedupKey");
        Objects.requireNonNull(body, "body");
    }
}
