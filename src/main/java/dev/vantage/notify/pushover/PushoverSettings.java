package dev.vantage.notify.pushover;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vantage.notify.ChannelSettingsReader;
import dev.vantage.notify.InvalidChannelException;
import dev.vantage.notify.Secret;
import java.time.Duration;
import java.util.Set;
import okhttp3.HttpUrl;

/**
 * A validated {@code pushover} channel.
 *
 * @param token the application's API token (30 letters and digits), a secret
 * @param user the user or group key (30 letters and digits), a secret
 * @param url the messages endpoint
 * @param priority -2 to 2 for open incidents, or null for the default (1, high); notices that end an incident use 0,
 *     or this priority when it is lower
 * @param timeout the longest one attempt may take
 */
public record PushoverSettings(Secret token, Secret user, HttpUrl url, Integer priority, Duration timeout) {
    public static final Set<String> KEYS = Set.of("token", "user", "url", "priority", "timeout_ms");
    public static final HttpUrl DEFAULT_URL = HttpUrl.get("https://api.pushover.net/1/messages.json");

    static PushoverSettings from(JsonNode settings) throws InvalidChannelException {
        var s = ChannelSettingsReader.of(settings, KEYS);
        Secret token = key(s, "token");
        Secret user = key(s, "user");
        Integer priority = s.node("priority") == null ? null : s.integer("priority", 0, -2, 2);
        return new PushoverSettings(
                token, user, s.url("url", DEFAULT_URL), priority, s.timeout("timeout_ms", Duration.ofSeconds(10)));
    }

    private static Secret key(ChannelSettingsReader s, String name) throws InvalidChannelException {
        Secret key = s.requiredSecret(name);
        if (!key.reveal().matches("[A-Za-z0-9]{30}")) {
            throw ChannelSettingsReader.invalid(name, "must be 30 letters and digits, as Pushover issues them");
        }
        return key;
    }
}
