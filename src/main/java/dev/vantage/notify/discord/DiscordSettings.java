package dev.vantage.notify.discord;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vantage.notify.ChannelSettingsReader;
import dev.vantage.notify.InvalidChannelException;
import dev.vantage.notify.Secret;
import java.time.Duration;
import java.util.Set;
import okhttp3.HttpUrl;

/**
 * A validated {@code discord} channel.
 *
 * @param url the webhook URL ({@code https://discord.com/api/webhooks/<id>/<token>}); a secret, since its path holds
 *     the token
 * @param timeout the longest one attempt may take
 */
public record DiscordSettings(Secret url, Duration timeout) {
    public static final Set<String> KEYS = Set.of("url", "timeout_ms");

    public HttpUrl httpUrl() {
        return HttpUrl.get(url.reveal());
    }

    static DiscordSettings from(JsonNode settings) throws InvalidChannelException {
        var s = ChannelSettingsReader.of(settings, KEYS);
        HttpUrl url = s.url("url", null);
        if (url == null) {
            throw ChannelSettingsReader.invalid("url", "is required (the webhook URL Discord gave)");
        }
        return new DiscordSettings(new Secret(url.toString()), s.timeout("timeout_ms", Duration.ofSeconds(10)));
    }
}
