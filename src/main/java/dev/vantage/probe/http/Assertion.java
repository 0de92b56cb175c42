package dev.vantage.probe.http;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import com.jayway.jsonpath.InvalidPathException;
import com.jayway.jsonpath.JsonPath;
import dev.vantage.config.JsonSettings;
import dev.vantage.probe.InvalidMonitorException;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * One entry of {@code settings.assertions}: a subject of the response, an operator and (for most operators) a value.
 * Stored as one JSON shape, {@code {"subject": "json", "path": "$.status", "op": "==", "value": "ok"}}, so that SQL can
 * read and index it; printed the way Gatus users write conditions, {@code [JSON $.status] == "ok"}.
 *
 * @param index position in {@code settings.assertions}, from 0
 * @param subject what is tested
 * @param selector the header name ({@code name}) or the JSON path ({@code path}); null for other subjects
 * @param op the operator, one of {@link Subject#ops}
 * @param value the expected value; null for {@code absent} and {@code exists}
 * @param pattern the compiled {@code value} for {@code matches}, else null
 * @param path the compiled JSON path for {@code json}, else null
 * @param pointer the same path as a JSON pointer when it only names members and array indexes ({@code $.a.b[0]},
 *     {@code $['a b']}), else null: Jackson walks a pointer several times faster than JsonPath evaluates a path, and
 *     these are most paths users write; JsonPath still validates every path and evaluates the rest (filters,
 *     wildcards, scans)
 */
public record Assertion(
        int index,
        Subject subject,
        String selector,
        String op,
        JsonNode value,
        Pattern pattern,
        JsonPath path,
        JsonPointer pointer) {

    /** What an assertion tests, with the operators it takes. */
    public enum Subject {
        STATUS("[STATUS]", Set.of("==", "!=", "<", "<=", ">", ">=")),
        RESPONSE_TIME_MS("[RESPONSE_TIME]", Set.of("<", "<=", ">", ">=")),
        HEADER("[HEADER %s]", Set.of("equals", "contains", "matches", "absent")),
        BODY("[BODY]", Set.of("contains", "not_contains", "matches")),
        JSON("[JSON %s]", Set.of("==", "!=", "<", "<=", ">", ">=", "exists")),
        CERT_DAYS_LEFT("[CERT_DAYS_LEFT]", Set.of("<", "<=", ">", ">="));

        final String label;
        final Set<String> ops;

        Subject(String label, Set<String> ops) {
            this.label = label;
            this.ops = ops;
        }

        String key() {
            return name().toLowerCase(Locale.ROOT);
        }

        static String known() {
            return String.join(
                    ", ", List.of(values()).stream().map(Subject::key).toList());
        }
    }

    private static final Set<String> KEYS = Set.of("subject", "name", "path", "op", "value");

    /** Reads and checks {@code settings.assertions[index]}; pure. */
    static Assertion parse(int index, JsonNode n) throws InvalidMonitorException {
        String field = "settings.assertions[" + index + "]";
        if (!n.isObject()) {
            throw new InvalidMonitorException(field, "must be an object, was " + JsonSettings.describe(n));
        }
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!KEYS.contains(key)) {
                throw new InvalidMonitorException(
                        field + "." + key, "unknown key (known: " + String.join(", ", new TreeSet<>(KEYS)) + ")");
            }
        }
        Subject subject = subject(field, n.get("subject"));
        String op = text(field, n, "op");
        if (op == null) {
            throw new InvalidMonitorException(field + ".op", "is missing (one of " + ops(subject) + ")");
        }
        if (!subject.ops.contains(op)) {
            throw new InvalidMonitorException(
                    field + ".op",
                    "'" + op + "' is not an operator of " + subject.key() + " (one of " + ops(subject) + ")");
        }
        String selector = null;
        JsonPath path = null;
        if (subject == Subject.HEADER) {
            selector = text(field, n, "name");
            if (selector == null) {
                throw new InvalidMonitorException(field + ".name", "is missing: the header to test");
            }
        } else if (subject == Subject.JSON) {
            selector = text(field, n, "path");
            if (selector == null) {
                throw new InvalidMonitorException(field + ".path", "is missing: a JSON path such as $.status");
            }
            if (!selector.startsWith("$")) {
                // JsonPath would read "status" as "$.status"; one spelling keeps stored rows comparable.
                throw new InvalidMonitorException(
                        field + ".path", "must start with $ (the document), e.g. $." + selector);
            }
            try {
                path = JsonPath.compile(selector);
            } catch (InvalidPathException | IllegalArgumentException e) {
                throw new InvalidMonitorException(field + ".path", "is not a JSON path: " + e.getMessage());
            }
            if (!path.isDefinite() && !op.equals("exists")) {
                throw new InvalidMonitorException(
                        field + ".path",
                        "selects several values (a wildcard, filter or scan): only 'exists' can test it");
            }
        }
        for (String other : new String[] {"name", "path"}) {
            if (n.has(other)
                    && !(other.equals("name") && subject == Subject.HEADER)
                    && !(other.equals("path") && subject == Subject.JSON)) {
                throw new InvalidMonitorException(field + "." + other, "does not apply to " + subject.key());
            }
        }
        JsonNode value = n.get("value");
        boolean needsNone = op.equals("absent") || op.equals("exists");
        if (needsNone) {
            if (value != null) {
                throw new InvalidMonitorException(field + ".value", "must be left out with '" + op + "'");
            }
            return new Assertion(index, subject, selector, op, null, null, path, pointer(selector));
        }
        if (value == null || value.isNull()) {
            throw new InvalidMonitorException(field + ".value", "is missing");
        }
        boolean ordered = op.startsWith("<") || op.startsWith(">");
        boolean numeric = ordered || subject == Subject.STATUS;
        if (numeric && !value.isNumber()) {
            throw new InvalidMonitorException(
                    field + ".value", "must be a number with '" + op + "', was " + JsonSettings.describe(value));
        }
        if (subject == Subject.STATUS
                && (!value.isIntegralNumber() || value.intValue() < 100 || value.intValue() > 599)) {
            throw new InvalidMonitorException(field + ".value", "must be a status code from 100 to 599, was " + value);
        }
        boolean textual = subject == Subject.HEADER || subject == Subject.BODY;
        if (textual && !value.isTextual()) {
            throw new InvalidMonitorException(
                    field + ".value", "must be a string, was " + JsonSettings.describe(value));
        }
        if (subject == Subject.JSON && !value.isValueNode()) {
            throw new InvalidMonitorException(
                    field + ".value",
                    "must be a string, number, boolean or null to compare with, was " + JsonSettings.describe(value));
        }
        Pattern pattern = null;
        if (op.equals("matches")) {
            try {
                pattern = Pattern.compile(value.textValue());
            } catch (PatternSyntaxException e) {
                throw new InvalidMonitorException(
                        field + ".value",
                        "is not a regular expression: " + e.getDescription() + " near index " + e.getIndex());
            }
        }
        return new Assertion(index, subject, selector, op, value, pattern, path, pointer(selector));
    }

    private static final Pattern SIMPLE_STEP =
            Pattern.compile("\\.([A-Za-z_][A-Za-z0-9_-]*)|\\['([^'\\\\]*)'\\]|\\[(\\d+)\\]");

    /** The path as a JSON pointer when every step is a member name or an array index, else null. */
    static JsonPointer pointer(String path) {
        if (path == null || !path.startsWith("$")) {
            return null;
        }
        StringBuilder pointer = new StringBuilder();
        var m = SIMPLE_STEP.matcher(path);
        int at = 1;
        while (at < path.length()) {
            if (!m.find(at) || m.start() != at) {
                return null;
            }
            String step = m.group(1) != null ? m.group(1) : m.group(2) != null ? m.group(2) : m.group(3);
            pointer.append('/').append(step.replace("~", "~0").replace("/", "~1"));
            at = m.end();
        }
        return JsonPointer.compile(pointer.toString());
    }

    private static Subject subject(String field, JsonNode n) throws InvalidMonitorException {
        if (n == null || n.isNull()) {
            throw new InvalidMonitorException(field + ".subject", "is missing (one of " + Subject.known() + ")");
        }
        if (n.isTextual()) {
            for (Subject s : Subject.values()) {
                if (s.key().equals(n.textValue())) {
                    return s;
                }
            }
        }
        throw new InvalidMonitorException(
                field + ".subject",
                "must be one of " + Subject.known() + ", was "
                        + (n.isTextual() ? "'" + n.textValue() + "'" : JsonSettings.describe(n)));
    }

    private static String text(String field, JsonNode n, String key) throws InvalidMonitorException {
        JsonNode v = n.get(key);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual() || v.textValue().isEmpty()) {
            throw new InvalidMonitorException(field + "." + key, "must be a non-empty string");
        }
        return v.textValue();
    }

    private static String ops(Subject s) {
        return String.join(", ", new TreeSet<>(s.ops));
    }

    /** The assertion as a condition, e.g. {@code [JSON $.status] == "ok"} or {@code [HEADER X-Debug] absent}. */
    public String text() {
        String label = selector == null ? subject.label : String.format(subject.label, selector);
        return value == null ? label + " " + op : label + " " + op + " " + value;
    }

    /** Whether this assertion needs the body text kept (a regex or a JSON path cannot be streamed). */
    boolean needsBodyText() {
        return subject == Subject.JSON || subject == Subject.BODY && op.equals("matches");
    }

    /** The assertion as stored, for {@code details}. */
    Map<String, Object> describe() {
        return Map.of("index", index, "assertion", text());
    }
}
