package dev.vantage.probe;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The values allowed in {@link ProbeResult#details()}, and their JSON text for {@code api_heartbeats.details}.
 *
 * <p>A details map holds JSON values only: strings, finite numbers ({@code Integer}, {@code Long}, {@code Double},
 * {@link BigDecimal}, ...), booleans, lists of these and maps with string keys of these; no nulls (leave a key out
 * instead). Anything else fails when the result is built, with an {@link IllegalArgumentException} naming the path of
 * the value ({@code details.answers[2]}), because a probe type's mistake must not surface later in the writer thread.
 * Every string is cut by {@link TargetText#cut(String)}, since a DNS TXT record or a certificate subject is text a
 * target controls; a type that stores lists bounds their length itself.
 */
public final class ProbeDetails {
    private ProbeDetails() {}

    /** A deep, immutable, order-keeping copy of {@code details}; empty for null. */
    public static Map<String, Object> copyOf(Map<String, ?> details) {
        if (details == null || details.isEmpty()) {
            return Map.of();
        }
        return map("details", details);
    }

    /** The JSON text of a details map, keys in their order; null when it is empty (stored as NULL). */
    public static String json(Map<?, ?> details) {
        if (details == null || details.isEmpty()) {
            return null;
        }
        var out = new StringBuilder(64 * details.size());
        write(out, details);
        return out.toString();
    }

    private static Map<String, Object> map(String path, Map<?, ?> map) {
        var copy = new LinkedHashMap<String, Object>(map.size() * 2);
        for (var e : map.entrySet()) {
            if (!(e.getKey() instanceof String key)) {
                throw new IllegalArgumentException(path + " has a key that is not a string: " + e.getKey());
            }
            copy.put(key, value(path + "." + key, e.getValue()));
        }
        return Collections.unmodifiableMap(copy);
    }

    private static Object value(String path, Object v) {
        return switch (v) {
            case null -> throw new IllegalArgumentException(path + " is null (leave the key out instead)");
            case String s -> TargetText.cut(s);
            case Boolean b -> b;
            case Double d when d.isNaN() || d.isInfinite() -> throw notFinite(path, d);
            case Float f when f.isNaN() || f.isInfinite() -> throw notFinite(path, f);
            case Integer i -> i;
            case Long l -> l;
            case Short s -> s;
            case Byte b -> b;
            case Double d -> d;
            case Float f -> f;
            case BigInteger i -> i;
            case BigDecimal d -> d;
            case Map<?, ?> m -> map(path, m);
            case List<?> list -> list(path, list);
            default ->
                throw new IllegalArgumentException(path + " is a "
                        + v.getClass().getName() + ", not a JSON value (string, number, boolean, list or map)");
        };
    }

    private static List<Object> list(String path, List<?> list) {
        var copy = new ArrayList<>(list.size());
        for (int i = 0; i < list.size(); i++) {
            copy.add(value(path + "[" + i + "]", list.get(i)));
        }
        return Collections.unmodifiableList(copy);
    }

    private static IllegalArgumentException notFinite(String path, Number n) {
        return new IllegalArgumentException(path + " is " + n + ", which JSON cannot hold");
    }

    private static void write(StringBuilder out, Object v) {
        switch (v) {
            case String s -> string(out, s);
            case Map<?, ?> m -> {
                out.append('{');
                boolean first = true;
                for (var e : m.entrySet()) {
                    if (!first) {
                        out.append(',');
                    }
                    first = false;
                    string(out, (String) e.getKey());
                    out.append(':');
                    write(out, e.getValue());
                }
                out.append('}');
            }
            case List<?> list -> {
                out.append('[');
                for (int i = 0; i < list.size(); i++) {
                    if (i > 0) {
                        out.append(',');
                    }
                    write(out, list.get(i));
                }
                out.append(']');
            }
            case BigDecimal d -> out.append(d.toPlainString());
            default -> out.append(v); // Boolean and the other numbers print as JSON
        }
    }

    /** A JSON string; NUL is dropped, because PostgreSQL's jsonb cannot hold {@code \u0000}. */
    static void string(StringBuilder out, String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\0' -> {}
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
