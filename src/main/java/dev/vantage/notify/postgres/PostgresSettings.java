package dev.vantage.notify.postgres;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vantage.notify.ChannelSettingsReader;
import dev.vantage.notify.InvalidChannelException;
import java.util.Set;

/**
 * A validated {@code postgres} channel.
 *
 * @param channel the NOTIFY channel: a lower-case identifier of at most 63 characters, so that a plain
 *     {@code LISTEN name} (which folds to lower case) hears it
 */
public record PostgresSettings(String channel) {
    public static final Set<String> KEYS = Set.of("channel");
    public static final String DEFAULT_CHANNEL = "vantage_notifications";

    static PostgresSettings from(JsonNode settings) throws InvalidChannelException {
        var s = ChannelSettingsReader.of(settings, KEYS);
        String channel = s.string("channel");
        if (channel == null) {
            return new PostgresSettings(DEFAULT_CHANNEL);
        }
        if (!channel.matches("[a-z_][a-z0-9_]{0,62}")) {
            throw ChannelSettingsReader.invalid(
                    "channel",
                    "must be a lower-case identifier (a-z, 0-9, _; not starting with a digit) of at most 63 characters");
        }
        return new PostgresSettings(channel);
    }
}
