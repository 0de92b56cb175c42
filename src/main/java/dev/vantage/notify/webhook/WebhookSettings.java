package dev.vantage.notify.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vantage.notify.ChannelSettingsReader;
import dev.vantage.notify.InvalidChannelException;
import dev.vantage.notify.Secret;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import okhttp3.HttpUrl;

/**
 * A validated {@code webhook} channel.
 *
 * @param url where to POST; a secret (receivers often carry a token in it)
 * @param signingKey the decoded HMAC key of a {@code whsec_} secret, or null to send unsigned
 * @param headers extra request headers; their values are secrets
 * @param timeout the longest one attempt may take
 */
public record WebhookSettings(Secret url, Secret signingKey, Map<String, Secret> headers, Duration timeout) {
    public static final Set<String> KEYS = Set.of("url", "secret", "headers", "timeout_ms");
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    /** Headers Vantage sets itself, which a channel may not override. */
    private static final Set<String> RESERVED = Set.of(
            "content-type",
            "content-length",
            "host",
            "webhook-id",
            "webhook-timestamp",
            "webhook-signature",
            "vantage-dedup-key");

    public WebhookSettings {
        headers = Collections.unmodifiableMap(new LinkedHashMap<>(headers));
    }

    public HttpUrl httpUrl() {
        return HttpUrl.get(url.reveal());
    }

    static WebhookSettings from(JsonNode settings) throws InvalidChannelException {
        var s = ChannelSettingsReader.of(settings, KEYS);
        HttpUrl url = s.url("url", null);
        if (url == null) {
            throw ChannelSettingsReader.invalid("url", "is required");
        }
        Secret secret = s.secret("secret");
        Secret key = secret == null ? null : new Secret(WebhookSignature.decodeSecret(secret.reveal()));
        Map<String, Secret> headers = s.secretHeaders("headers");
        for (String name : headers.keySet()) {
            if (RESERVED.contains(name.toLowerCase(java.util.Locale.ROOT))) {
                throw ChannelSettingsReader.invalid("headers", "may not set " + name + ": Vantage sets it");
            }
        }
        return new WebhookSettings(new Secret(url.toString()), key, headers, s.timeout("timeout_ms", DEFAULT_TIMEOUT));
    }
}
