package dev.vantage.notify.teams;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vantage.notify.ChannelSettingsReader;
import dev.vantage.notify.InvalidChannelException;
import dev.vantage.notify.Secret;
import java.time.Duration;
import java.util.Set;
import okhttp3.HttpUrl;

/**
 * A validated {@code teams} channel.
 *
 * @param url the workflow's webhook URL ("When a Teams webhook request is received"); a secret, since its {@code sig}
 *     query parameter is the credential
 * @param timeout the longest one attempt may take
 */
public record TeamsSettings(Secret url, Duration timeout) {
    public static final Set<String> KEYS = Set.of("url", "timeout_ms");

    public HttpUrl httpUrl() {
        return HttpUrl.get(url.reveal());
    }

    static TeamsSettings from(JsonNode settings) throws InvalidChannelException {
        var s = ChannelSettingsReader.of(settings, KEYS);
        HttpUrl url = s.url("url", null);
        if (url == null) {
            throw ChannelSettingsReader.invalid("url", "is required (the HTTP URL of the workflow's webhook trigger)");
        }
        return new TeamsSettings(new Secret(url.toString()), s.timeout("timeout_ms", Duration.ofSeconds(10)));
    }
}
