package dev.vantage.probe.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.jayway.jsonpath.Configuration;
import com.jayway.jsonpath.JsonPathException;
import com.jayway.jsonpath.spi.json.JacksonJsonNodeJsonProvider;
import com.jayway.jsonpath.spi.mapper.JacksonMappingProvider;
import dev.vantage.probe.InvalidMonitorException;
import dev.vantage.probe.ProbeResult;
import dev.vantage.probe.TargetText;
import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The validated {@code settings.assertions} of an {@code http} monitor: every one must hold. Checked after the body was
 * read, against the final response.
 *
 * <p>{@code body contains} and {@code body not_contains} are searched on the whole body as it streams (up to
 * {@code max_body_bytes}), like {@code body_contains}. A regular expression ({@code body matches}) and a JSON path
 * cannot be evaluated on a stream, so they see the first {@value #KEPT_BODY_BYTES} bytes of the body only, the same
 * prefix {@code raw_response_body} keeps; a JSON document longer than that does not parse and the assertion fails
 * saying so.
 */
public record Assertions(List<Assertion> list) {
    /** Bytes of the body that {@code matches} and {@code json} assertions see. */
    public static final int KEPT_BODY_BYTES = ProbeResult.MAX_BODY_CHARS;

    public static final Assertions NONE = new Assertions(List.of());

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Configuration JSON_PATH = Configuration.builder()
            .jsonProvider(new JacksonJsonNodeJsonProvider(JSON))
            .mappingProvider(new JacksonMappingProvider(JSON))
            .build();

    public Assertions {
        list = List.copyOf(list);
    }

    /** Reads {@code settings.assertions}: absent or null is none; anything else must be an array of assertions. */
    static Assertions parse(JsonNode node) throws InvalidMonitorException {
        if (node == null || node.isNull()) {
            return NONE;
        }
        if (!node.isArray()) {
            throw new InvalidMonitorException(
                    "settings.assertions",
                    "must be an array of assertions, was " + dev.vantage.config.JsonSettings.describe(node));
        }
        List<Assertion> list = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            list.add(Assertion.parse(i, node.get(i)));
        }
        return new Assertions(list);
    }

    boolean isEmpty() {
        return list.isEmpty();
    }

    boolean needsCertificate() {
        return list.stream().anyMatch(a -> a.subject() == Assertion.Subject.CERT_DAYS_LEFT);
    }

    /** A new run over one response body of {@code contentLength} bytes (-1 when unknown). */
    Run start(long contentLength) {
        return new Run(this, contentLength);
    }

    /**
     * What the assertions saw of one response.
     *
     * @param status the final status code
     * @param responseTimeMs the probe's total time so far
     * @param header a header of the final response by name (case-insensitive), or null
     * @param certDaysLeft whole days until the leaf certificate expires, or null without TLS
     */
    record Seen(int status, double responseTimeMs, Function<String, String> header, Long certDaysLeft) {}

    /**
     * An assertion that did not hold.
     *
     * @param index its position in {@code settings.assertions}
     * @param assertion its text, {@code [JSON $.status] == "ok"}
     * @param seen what the response showed instead
     */
    record Failed(int index, String assertion, String seen) {
        String sentence() {
            return "assertions[" + index + "] " + assertion + " failed: saw " + seen;
        }

        /** As an entry of {@code details.assertions_failed}. */
        Map<String, Object> details() {
            Map<String, Object> d = new java.util.LinkedHashMap<>();
            d.put("index", index);
            d.put("assertion", assertion);
            d.put("seen", seen);
            return d;
        }
    }

    /** Feeds the body through the streamed searches and keeps the prefix the others need. */
    static final class Run {
        private final Assertions assertions;
        private final StreamSearch[] searches;
        private final Kept kept;
        private final boolean matchesBody;
        private boolean cut;

        private Run(Assertions assertions, long contentLength) {
            this.assertions = assertions;
            this.searches = new StreamSearch[assertions.list.size()];
            boolean keep = false;
            boolean matches = false;
            for (int i = 0; i < searches.length; i++) {
                Assertion a = assertions.list.get(i);
                if (a.subject() == Assertion.Subject.BODY && !a.op().equals("matches")) {
                    searches[i] = new StreamSearch(a.value().textValue());
                }
                keep |= a.needsBodyText();
                matches |= a.subject() == Assertion.Subject.BODY && a.op().equals("matches");
            }
            this.matchesBody = matches;
            int expected = contentLength < 0 ? 8192 : (int) Math.min(contentLength, KEPT_BODY_BYTES);
            this.kept = keep ? new Kept(expected) : null;
        }

        void feed(byte[] buf, int off, int len) {
            for (StreamSearch s : searches) {
                if (s != null) {
                    s.feed(buf, off, len);
                }
            }
            if (kept != null) {
                int room = KEPT_BODY_BYTES - kept.size();
                kept.write(buf, off, Math.min(len, Math.max(room, 0)));
                cut |= len > room;
            }
        }

        /** The failed assertions as one sentence, or null when all hold; {@code charset} decodes text for a regex. */
        String failures(Seen seen, java.util.function.Supplier<Charset> charset) {
            List<Failed> failed = check(seen, charset);
            return failed.isEmpty()
                    ? null
                    : String.join("; ", failed.stream().map(Failed::sentence).toList());
        }

        /** The assertions that did not hold, in order; empty when all hold. */
        List<Failed> check(Seen seen, java.util.function.Supplier<Charset> charset) {
            String text = kept == null || !matchesBody ? null : kept.toString(charset.get());
            JsonNode document = null;
            String notJson = null;
            List<Failed> failed = new ArrayList<>();
            for (int i = 0; i < searches.length; i++) {
                Assertion a = assertions.list.get(i);
                String saw;
                if (a.subject() == Assertion.Subject.JSON && document == null && notJson == null) {
                    try {
                        Charset c = charset.get();
                        document = c.equals(StandardCharsets.UTF_8)
                                ? JSON.readTree(kept.bytes(), 0, kept.size())
                                : JSON.readTree(kept.toString(c));
                        if (document == null || document.isMissingNode()) {
                            notJson = "an empty body";
                        }
                    } catch (JsonProcessingException e) {
                        notJson = cut
                                ? "a body longer than " + KEPT_BODY_BYTES + " bytes, not parsed"
                                : "a body that is not JSON (" + TargetText.cut(e.getOriginalMessage(), 120) + ")";
                    } catch (java.io.IOException e) {
                        notJson = "a body that could not be read as JSON (" + e.getMessage() + ")";
                    }
                }
                saw = switch (a.subject()) {
                    case STATUS -> compare(a, JsonNodeFactory.instance.numberNode(seen.status()));
                    case RESPONSE_TIME_MS ->
                        compare(a, JsonNodeFactory.instance.numberNode(round(seen.responseTimeMs())));
                    case CERT_DAYS_LEFT ->
                        seen.certDaysLeft() == null
                                ? "no certificate (the final response did not come over TLS)"
                                : compare(a, JsonNodeFactory.instance.numberNode(seen.certDaysLeft()));
                    case HEADER -> header(a, seen.header().apply(a.selector()));
                    case BODY -> body(a, searches[i], text);
                    case JSON -> notJson != null ? notJson : json(a, document);
                };
                if (saw != null) {
                    failed.add(new Failed(a.index(), a.text(), saw));
                }
            }
            return failed;
        }

        /** The kept prefix, read in place. */
        private static final class Kept extends ByteArrayOutputStream {
            Kept(int size) {
                super(size);
            }

            byte[] bytes() {
                return buf;
            }
        }

        private String body(Assertion a, StreamSearch search, String text) {
            return switch (a.op()) {
                case "contains" -> search.found() ? null : "a body without it";
                case "not_contains" -> search.found() ? "it in the body" : null;
                default ->
                    a.pattern().matcher(text).find()
                            ? null
                            : "no match in the first " + Math.min(text.length(), KEPT_BODY_BYTES) + " characters";
            };
        }

        private static String header(Assertion a, String value) {
            if (a.op().equals("absent")) {
                return value == null ? null : "it present";
            }
            if (value == null) {
                return "no such header";
            }
            String expected = a.value().textValue();
            boolean holds =
                    switch (a.op()) {
                        case "equals" -> value.equals(expected);
                        case "contains" -> value.contains(expected);
                        default -> a.pattern().matcher(value).find();
                    };
            return holds ? null : "\"" + TargetText.quoted(value) + "\"";
        }

        private static String json(Assertion a, JsonNode document) {
            if (a.pointer() != null) {
                JsonNode at = document.at(a.pointer());
                if (a.op().equals("exists")) {
                    return at.isMissingNode() ? "no such path" : null;
                }
                return at.isMissingNode() ? "no value at " + a.selector() : compare(a, at);
            }
            Object found;
            try {
                found = a.path().read(document, JSON_PATH);
            } catch (JsonPathException e) {
                return a.op().equals("exists") ? "no such path" : "no value at " + a.selector();
            }
            if (a.op().equals("exists")) {
                return found instanceof JsonNode n
                                && n.isArray()
                                && n.isEmpty()
                                && !a.path().isDefinite()
                        ? "no match"
                        : null;
            }
            JsonNode seen = found instanceof JsonNode n ? n : JSON.valueToTree(found);
            return compare(a, seen);
        }

        /** Null when {@code seen op value} holds, else {@code seen} as JSON. */
        private static String compare(Assertion a, JsonNode seen) {
            JsonNode expected = a.value();
            boolean holds;
            if (expected.isNumber() && seen.isNumber()) {
                int c = new BigDecimal(seen.asText()).compareTo(new BigDecimal(expected.asText()));
                holds = switch (a.op()) {
                    case "==" -> c == 0;
                    case "!=" -> c != 0;
                    case "<" -> c < 0;
                    case "<=" -> c <= 0;
                    case ">" -> c > 0;
                    default -> c >= 0;
                };
            } else {
                holds = switch (a.op()) {
                    case "==" -> seen.equals(expected);
                    case "!=" -> !seen.equals(expected);
                    default -> false; // an ordering of a non-number never holds
                };
            }
            return holds ? null : TargetText.cut(seen.toString(), 200);
        }

        private static double round(double ms) {
            return Math.round(ms * 10) / 10.0;
        }
    }
}
