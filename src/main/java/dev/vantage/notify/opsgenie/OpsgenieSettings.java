package dev.vantage.notify.opsgenie;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vantage.notify.ChannelSettingsReader;
import dev.vantage.notify.InvalidChannelException;
import dev.vantage.notify.Secret;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import okhttp3.HttpUrl;

/**
 * A validated {@code opsgenie} channel (Alert API v2).
 *
 * @param apiKey the key of an API integration, a secret (sent as {@code Authorization: GenieKey <key>})
 * @param apiUrl {@code https://api.opsgenie.com}, or {@code https://api.eu.opsgenie.com} for accounts in the EU
 * @param priority P1 to P5: the priority of an open incident's alert; a certificate's warning is P3, or this when
 *     milder
 * @param tags extra tags for every alert
 * @param timeout the longest one attempt may take
 */
public record OpsgenieSettings(Secret apiKey, HttpUrl apiUrl, String priority, List<String> tags, Duration timeout) {
    public static final Set<String> KEYS = Set.of("api_key", "api_url", "priority", "tags", "timeout_ms");
    public static final HttpUrl DEFAULT_API_URL = HttpUrl.get("https://api.opsgenie.com");
    public static final List<String> PRIORITIES = List.of("P1", "P2", "P3", "P4", "P5");
    /** Opsgenie's limit on one tag. */
    static final int TAG_MAX = 50;

    public OpsgenieSettings {
        tags = List.copyOf(tags);
    }

    static OpsgenieSettings from(JsonNode settings) throws InvalidChannelException {
        var s = ChannelSettingsReader.of(settings, KEYS);
        Secret key = s.requiredSecret("api_key");
        // Integration keys are UUIDs; accept any token of that alphabet, since other forms may come.
        if (!key.reveal().matches("[A-Za-z0-9-]{16,128}")) {
            throw ChannelSettingsReader.invalid(
                    "api_key", "must be the API integration's key: letters, digits and dashes (value not shown)");
        }
        List<String> tags = s.strings("tags");
        for (String tag : tags) {
            if (tag.length() > TAG_MAX) {
                throw ChannelSettingsReader.invalid("tags", "has a tag longer than " + TAG_MAX + " characters");
            }
        }
        if (tags.size() > 10) {
            throw ChannelSettingsReader.invalid("tags", "may hold at most 10 tags (Vantage adds its own)");
        }
        return new OpsgenieSettings(
                key,
                s.serverUrl("api_url", DEFAULT_API_URL),
                s.choice("priority", "P2", PRIORITIES),
                tags,
                s.timeout("timeout_ms", Duration.ofSeconds(10)));
    }
}
