package dev.vantage.notify.ntfy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vantage.notify.ChannelSettingsReader;
import dev.vantage.notify.InvalidChannelException;
import dev.vantage.notify.Secret;
import dev.vantage.notify.http.HttpAuth;
import java.time.Duration;
import java.util.Set;
import okhttp3.HttpUrl;

/**
 * A validated {@code ntfy} channel.
 *
 * @param server the ntfy server's root URL ({@code https://ntfy.sh} or a self-hosted one), without credentials
 * @param topic the topic: 1 to 64 letters, digits, {@code _} and {@code -}, as ntfy requires; a secret, since on a
 *     server without access control whoever knows it can read it
 * @param auth a bearer {@code token} ({@code tk_…}) or {@code username} and {@code password}, or none
 * @param priority 1 to 5 for open incidents, or null for the default (4, high); notices that end an incident and a
 *     certificate's warning use 3 (default), or this priority when it is lower
 * @param timeout the longest one attempt may take
 */
public record NtfySettings(HttpUrl server, Secret topic, HttpAuth auth, Integer priority, Duration timeout) {
    public static final Set<String> KEYS =
            Set.of("server", "topic", "token", "username", "password", "priority", "timeout_ms");
    public static final HttpUrl DEFAULT_SERVER = HttpUrl.get("https://ntfy.sh");

    static NtfySettings from(JsonNode settings) throws InvalidChannelException {
        var s = ChannelSettingsReader.of(settings, KEYS);
        Secret topic = s.requiredSecret("topic");
        if (!topic.reveal().matches("[-_A-Za-z0-9]{1,64}")) {
            throw ChannelSettingsReader.invalid(
                    "topic",
                    "must be 1 to 64 letters, digits, '_' or '-' (ntfy's rule for topic names; value not shown)");
        }
        HttpUrl server = s.serverUrl("server", DEFAULT_SERVER);
        HttpAuth auth = HttpAuth.read(s);
        Integer priority = s.node("priority") == null ? null : s.integer("priority", 4, 1, 5);
        return new NtfySettings(server, topic, auth, priority, s.timeout("timeout_ms", Duration.ofSeconds(10)));
    }
}
