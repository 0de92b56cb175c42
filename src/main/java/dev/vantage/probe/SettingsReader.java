package dev.vantage.probe;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads a type's {@code settings} object, key by key, into plain values. Every problem is an
 * {@link InvalidMonitorException} on {@code settings.<key>} whose reason is a sentence naming the expected type; a
 * JSON {@code null} counts as absent, so the default applies.
 */
public final class SettingsReader {
    private final JsonNode settings;

    private SettingsReader(JsonNode settings) {
        this.settings = settings;
    }

    /** Checks that {@code settings} is an object and has only known keys. */
    public static SettingsReader of(JsonNode settings, Set<String> known) throws InvalidMonitorException {
        if (!settings.isObject()) {
            throw new InvalidMonitorException("settings", "must be a JSON object, was " + describe(settings));
        }
        for (Iterator<String> it = settings.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!known.contains(key)) {
                throw new InvalidMonitorException(
                        "settings." + key, "unknown setting (known: " + String.join(", ", new TreeSet<>(known)) + ")");
            }
        }
        return new SettingsReader(settings);
    }

    /** The value of a key, or null when it is absent or JSON null. */
    public JsonNode node(String key) {
        JsonNode n = settings.get(key);
        return n == null || n.isNull() ? null : n;
    }

    public boolean bool(String key, boolean fallback) throws InvalidMonitorException {
        JsonNode n = node(key);
        if (n == null) {
            return fallback;
        }
        if (!n.isBoolean()) {
            throw wrongType(key, "a boolean", n);
        }
        return n.booleanValue();
    }

    public int integer(String key, int fallback, int min, int max) throws InvalidMonitorException {
        JsonNode n = node(key);
        if (n == null) {
            return fallback;
        }
        if (!n.isIntegralNumber()) {
            throw wrongType(key, "an integer", n);
        }
        if (!n.canConvertToInt() || n.intValue() < min || n.intValue() > max) {
            String range = max == Integer.MAX_VALUE ? "at least " + min : "between " + min + " and " + max;
            throw new InvalidMonitorException("settings." + key, "must be " + range + ", was " + n.asText());
        }
        return n.intValue();
    }

    /** A non-empty string, or null when absent. */
    public String string(String key) throws InvalidMonitorException {
        JsonNode n = node(key);
        if (n == null) {
            return null;
        }
        if (!n.isTextual()) {
            throw wrongType(key, "a string", n);
        }
        if (n.textValue().isEmpty()) {
            throw new InvalidMonitorException("settings." + key, "must not be empty");
        }
        return n.textValue();
    }

    public static InvalidMonitorException wrongType(String key, String expected, JsonNode actual) {
        return new InvalidMonitorException("settings." + key, "must be " + expected + ", was " + describe(actual));
    }

    /** The JSON type of a value, as a noun phrase: {@code a string}, {@code an array}. */
    public static String describe(JsonNode n) {
        return switch (n.getNodeType()) {
            case ARRAY -> "an array";
            case BOOLEAN -> "a boolean";
            case NUMBER -> n.isIntegralNumber() ? "an integer" : "a decimal number";
            case OBJECT, POJO -> "an object";
            case STRING -> "a string";
            case NULL, MISSING -> "null";
            case BINARY -> "binary data";
        };
    }
}
