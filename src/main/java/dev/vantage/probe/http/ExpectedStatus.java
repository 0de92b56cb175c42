package dev.vantage.probe.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vantage.probe.InvalidMonitorException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The accepted response statuses: codes and inclusive ranges, as written in {@code settings.expected_status}
 * ({@code [200, "300-399"]}). Prints as the user wrote it ({@code 200, 300-399}), so that a failure reads like its rule.
 */
public record ExpectedStatus(List<Range> ranges) {
    public static final ExpectedStatus DEFAULT = new ExpectedStatus(List.of(new Range(200, 299)));
    private static final Pattern RANGE = Pattern.compile("(\\d{3})(?:-(\\d{3}))?");
    private static final String FIELD = "settings.expected_status";

    public ExpectedStatus {
        ranges = List.copyOf(ranges);
        if (ranges.isEmpty()) {
            throw new IllegalArgumentException("no status ranges");
        }
    }

    /** An inclusive range of status codes; a single code is a range of one. */
    public record Range(int from, int to) {
        @Override
        public String toString() {
            return from == to ? Integer.toString(from) : from + "-" + to;
        }
    }

    public boolean matches(int status) {
        return ranges.stream().anyMatch(r -> r.from() <= status && status <= r.to());
    }

    @Override
    public String toString() {
        return ranges.stream().map(Range::toString).collect(Collectors.joining(", "));
    }

    /** Parses the setting: an array of integers and {@code "200"}/{@code "200-299"} strings, or null for the default. */
    public static ExpectedStatus parse(JsonNode node) throws InvalidMonitorException {
        if (node == null) {
            return DEFAULT;
        }
        if (!node.isArray()) {
            throw new InvalidMonitorException(
                    FIELD, "must be an array of status codes and ranges like \"200-299\", was " + describeOf(node));
        }
        if (node.isEmpty()) {
            throw new InvalidMonitorException(FIELD, "must not be empty");
        }
        List<Range> ranges = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            ranges.add(element(node.get(i), FIELD + "[" + i + "]"));
        }
        return new ExpectedStatus(ranges);
    }

    /** Parses {@code 200,300-399} as given on a command line. */
    public static ExpectedStatus parse(String text) throws InvalidMonitorException {
        List<Range> ranges = new ArrayList<>();
        for (String part : text.split(",", -1)) {
            ranges.add(range(part.trim(), "expected status"));
        }
        return new ExpectedStatus(ranges);
    }

    private static Range element(JsonNode e, String field) throws InvalidMonitorException {
        if (e.isIntegralNumber() && e.canConvertToInt()) {
            return checked(e.intValue(), e.intValue(), field, e.asText());
        }
        if (e.isTextual()) {
            return range(e.textValue(), field);
        }
        throw new InvalidMonitorException(
                field, "must be a status code or a range like \"200-299\", was " + describeOf(e));
    }

    private static Range range(String text, String field) throws InvalidMonitorException {
        Matcher m = RANGE.matcher(text);
        if (!m.matches()) {
            throw new InvalidMonitorException(
                    field, "\"" + text + "\" is not a status code or a range like \"200-299\"");
        }
        int from = Integer.parseInt(m.group(1));
        int to = m.group(2) == null ? from : Integer.parseInt(m.group(2));
        return checked(from, to, field, text);
    }

    private static Range checked(int from, int to, String field, String text) throws InvalidMonitorException {
        if (from < 100 || to > 599) {
            throw new InvalidMonitorException(field, "\"" + text + "\" is outside the status codes 100-599");
        }
        if (from > to) {
            throw new InvalidMonitorException(field, "range \"" + text + "\" is empty");
        }
        return new Range(from, to);
    }

    private static String describeOf(JsonNode n) {
        return dev.vantage.config.JsonSettings.describe(n);
    }
}
