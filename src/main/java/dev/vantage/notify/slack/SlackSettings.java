package dev.vantage.notify.slack;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vantage.notify.ChannelSettingsReader;
import dev.vantage.notify.InvalidChannelException;
import dev.vantage.notify.Secret;
import java.time.Duration;
import java.util.Set;
import okhttp3.HttpUrl;

/**
 * A validated {@code slack} channel.
 *
 * @param url the incoming-webhook URL; a secret, since its path is the credential
 * @param timeout the longest one attempt may take
 */
public record SlackSettings(Secret url, Duration timeout) {
    public static final Set<String> KEYS = Set.of("url", "timeout_ms");

    public HttpUrl httpUrl() {
        return HttpUrl.get(url.reveal());
    }

    static SlackSettings from(JsonNode settings) throws InvalidChannelException {
        var s = ChannelSettingsReader.of(settings, KEYS);
        HttpUrl url = s.url("url", null);
        if (url == null) {
            throw ChannelSettingsReader.invalid("url", "is required (the incoming-webhook URL Slack gave)");
        }
        return new SlackSettings(new Secret(url.toString()), s.timeout("timeout_ms", Duration.ofSeconds(10)));
    }
}
