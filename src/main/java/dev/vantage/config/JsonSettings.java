package dev.vantage.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads a {@code settings} jsonb object, key by key, into plain values: the part that monitor types and notifiers
 * share. Every problem is an {@code E} on {@code settings.<key>} whose reason names what was expected; a JSON
 * {@code null} counts as absent, so the default applies. Subclasses add the readers of their own kinds of value.
 *
 * @param <E> the exception a bad value becomes ({@code InvalidMonitorException}, {@code InvalidChannelException})
 */
public abstract class JsonSettings<E extends Exception> {
    /** Makes the exception for a field ({@code settings} or {@code settings.<key>}) and a reason. */
    @FunctionalInterface
    public interface Problem<E extends Exception> {
        E at(String field, String reason);
    }

    private final JsonNode settings;
    private final Problem<E> problem;

    /** Checks that {@code settings} is an object with only {@code known} keys. */
    protected JsonSettings(JsonNode settings, Set<String> known, Problem<E> problem) throws E {
        if (settings == null || !settings.isObject()) {
            throw problem.at(
                    "settings", "must be a JSON object, was " + (settings == null ? "null" : describe(settings)));
        }
        for (Iterator<String> it = settings.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!known.contains(key)) {
                throw problem.at(
                        "settings." + key, "unknown setting (known: " + String.join(", ", new TreeSet<>(known)) + ")");
            }
        }
        this.settings = settings;
        this.problem = problem;
    }

    /** The value of a key, or null when it is absent or JSON null. */
    public JsonNode node(String key) {
        JsonNode n = settings.get(key);
        return n == null || n.isNull() ? null : n;
    }

    public boolean bool(String key, boolean fallback) throws E {
        JsonNode n = node(key);
        if (n == null) {
            return fallback;
        }
        if (!n.isBoolean()) {
            throw mistyped(key, "a boolean", n);
        }
        return n.booleanValue();
    }

    /** An integer in {@code [min, max]}; {@code max = Integer.MAX_VALUE} reads as "at least min". */
    public int integer(String key, int fallback, int min, int max) throws E {
        JsonNode n = node(key);
        if (n == null) {
            return fallback;
        }
        if (!n.isIntegralNumber()) {
            throw mistyped(key, "an integer", n);
        }
        if (!n.canConvertToInt() || n.intValue() < min || n.intValue() > max) {
            String range = max == Integer.MAX_VALUE ? "at least " + min : "between " + min + " and " + max;
            throw problem(key, "must be " + range + ", was " + n.asText());
        }
        return n.intValue();
    }

    /**
     * A string, or null when absent. An empty one is refused, and a blank one too unless {@code blankAllowed} (a TCP
     * payload of {@code "\r\n"} is blank and meaningful). Messages never quote the value.
     */
    protected String text(String key, boolean blankAllowed) throws E {
        JsonNode n = node(key);
        if (n == null) {
            return null;
        }
        if (!n.isTextual()) {
            throw mistyped(key, "a string", n);
        }
        String s = n.textValue();
        if (s.isEmpty() || (!blankAllowed && s.isBlank())) {
            throw problem(key, "must not be empty");
        }
        return s;
    }

    /** The problem for {@code settings.<key>}. */
    protected E problem(String key, String reason) {
        return problem.at("settings." + key, reason);
    }

    /** The problem for a value of the wrong JSON type. */
    protected E mistyped(String key, String expected, JsonNode actual) {
        return problem(key, "must be " + expected + ", was " + describe(actual));
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
