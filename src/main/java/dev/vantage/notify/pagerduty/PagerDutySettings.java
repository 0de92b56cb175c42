package dev.vantage.notify.pagerduty;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vantage.notify.ChannelSettingsReader;
import dev.vantage.notify.InvalidChannelException;
import dev.vantage.notify.Secret;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import okhttp3.HttpUrl;

/**
 * A validated {@code pagerduty} channel (Events API v2).
 *
 * @param routingKey the integration key of the service: 32 characters, a secret
 * @param url the enqueue endpoint
 * @param severity critical, error, warning or info
 * @param timeout the longest one attempt may take
 */
public record PagerDutySettings(Secret routingKey, HttpUrl url, String severity, Duration timeout) {
    public static final Set<String> KEYS = Set.of("routing_key", "url", "severity", "timeout_ms");
    public static final HttpUrl DEFAULT_URL = HttpUrl.get("https://events.pagerduty.com/v2/enqueue");
    public static final List<String> SEVERITIES = List.of("critical", "error", "warning", "info");

    static PagerDutySettings from(JsonNode settings) throws InvalidChannelException {
        var s = ChannelSettingsReader.of(settings, KEYS);
        Secret key = s.requiredSecret("routing_key");
        if (!key.reveal().matches("[A-Za-z0-9]{32}")) {
            throw ChannelSettingsReader.invalid("routing_key", "must be 32 letters and digits (an integration key)");
        }
        return new PagerDutySettings(
                key,
                s.url("url", DEFAULT_URL),
                s.choice("severity", "critical", SEVERITIES),
                s.timeout("timeout_ms", Duration.ofSeconds(10)));
    }
}
