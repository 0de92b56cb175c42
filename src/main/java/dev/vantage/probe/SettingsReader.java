package dev.vantage.probe;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vantage.config.JsonSettings;
import java.util.Set;

/**
 * Reads a type's {@code settings} object, key by key, into plain values. Every problem is an
 * {@link InvalidMonitorException} on {@code settings.<key>} whose reason is a sentence naming the expected type; a
 * JSON {@code null} counts as absent, so the default applies.
 */
public final class SettingsReader extends JsonSettings<InvalidMonitorException> {
    private SettingsReader(JsonNode settings, Set<String> known) throws InvalidMonitorException {
        super(settings, known, InvalidMonitorException::new);
    }

    /** Checks that {@code settings} is an object and has only known keys. */
    public static SettingsReader of(JsonNode settings, Set<String> known) throws InvalidMonitorException {
        return new SettingsReader(settings, known);
    }

    /** A non-empty string (blank is allowed: a TCP payload may be {@code "\r\n"}), or null when absent. */
    public String string(String key) throws InvalidMonitorException {
        return text(key, true);
    }
}
