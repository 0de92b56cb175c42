package dev.vantage.push.nats;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.vantage.beat.GoDuration;
import dev.vantage.heartbeat.BeatKind;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Objects;
import java.util.UUID;

/**
 * A heartbeat as the Go nats-heartbeat agent publishes it (Go's {@code encoding/json} of its {@code heartbeat.Message}),
 * e.g. {@code {"subject":"heartbeat.service.api","generated_at":"2024-06-01T12:00:00.123456789Z",
 * "interval":15000000000,"grace_period":30000000000,"host":"api-host-1","description":"API service"}}, with the fields
 * {@code vantage beat} adds: {@code kind} (success, fail, start, log; absent: success), {@code exit_status} (0-255),
 * {@code message}, {@code rid}. Required, as the Go {@code Validate} has it: subject (else the NATS subject it came on),
 * generated_at, and an interval above 0. Unknown fields are ignored.
 *
 * <p>Durations: a JSON number of {@value #NANOS_FROM} or more is nanoseconds (Go's encoding of a {@code time.Duration};
 * a period under a millisecond is no heartbeat's), a smaller one is seconds ({@code 15}, {@code 0.5}); a string is a
 * Go duration ({@code "15s"}, {@code "1m30s"}) or plain seconds ({@code "15"}).
 *
 * @param subject the monitor's name: api_monitors.push_subject
 * @param generatedAt when the sender made the beat (its clock)
 * @param interval the period the sender promises
 * @param grace how late a beat may be, or null when not given (or 0)
 * @param host the sending host, or null
 * @param description a label for people, or null
 * @param kind what the beat reports
 * @param exitStatus the job's exit status, or null
 * @param message text sent with the beat, or null
 * @param rid the run id, or null
 */
public record HeartbeatMessage(
        String subject,
        Instant generatedAt,
        Duration interval,
        Duration grace,
        String host,
        String description,
        BeatKind kind,
        Integer exitStatus,
        String message,
        UUID rid) {

    /** The smallest JSON number read as nanoseconds: 1 ms. */
    static final long NANOS_FROM = 1_000_000;

    /** What a subject may be: as api_monitors.push_subject's CHECK has it. */
    private static final java.util.regex.Pattern SUBJECT = java.util.regex.Pattern.compile("\\S{1,255}");

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .build();

    public HeartbeatMessage {
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(generatedAt, "generatedAt");
        Objects.requireNonNull(interval, "interval");
        Objects.requireNonNull(kind, "kind");
    }

    /** What a message parsed to. */
    public sealed interface Parsed permits Valid, Malformed {}

    public record Valid(HeartbeatMessage message) implements Parsed {}

    /** Not a heartbeat; the reason never quotes the payload. */
    public record Malformed(String reason) implements Parsed {}

    /**
     * Parses a message's payload; pure.
     *
     * @param natsSubject the subject it was published on: the monitor's subject when the payload has none
     */
    public static Parsed parse(byte[] payload, String natsSubject) {
        JsonNode root;
        try {
            root = JSON.readTree(payload);
        } catch (JsonProcessingException e) {
            return new Malformed("not JSON");
        } catch (IOException e) {
            return new Malformed("unreadable");
        }
        if (root == null || !root.isObject()) {
            return new Malformed("not a JSON object");
        }
        try {
            return new Valid(read(root, natsSubject));
        } catch (IllegalArgumentException e) {
            return new Malformed(e.getMessage());
        }
    }

    private static HeartbeatMessage read(JsonNode root, String natsSubject) {
        String subject = text(root, "subject");
        if (subject == null) {
            subject = natsSubject;
        }
        if (subject == null || subject.isEmpty()) {
            throw new IllegalArgumentException("subject is required");
        }
        if (!SUBJECT.matcher(subject).matches()) {
            throw new IllegalArgumentException("subject: at most 255 characters, no blanks");
        }
        Instant generatedAt = time(root, "generated_at");
        Duration interval = duration(root, "interval");
        if (interval == null || interval.isZero()) {
            throw new IllegalArgumentException("interval must be >0");
        }
        Duration grace = duration(root, "grace_period");
        if (grace != null && grace.isZero()) {
            grace = null; // the Go agent's -grace 0: not set
        }
        Integer exitStatus = exitStatus(root);
        BeatKind kind = kind(root, exitStatus);
        return new HeartbeatMessage(
                subject,
                generatedAt,
                interval,
                grace,
                blankToNull(text(root, "host")),
                blankToNull(text(root, "description")),
                kind,
                exitStatus,
                emptyToNull(text(root, "message")),
                rid(root));
    }

    private static String text(JsonNode root, String field) {
        JsonNode node = root.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual()) {
            throw new IllegalArgumentException(field + " must be a string");
        }
        return node.textValue();
    }

    /** Go's zero time ({@code 0001-01-01T00:00:00Z}) is "not set", as Go's IsZero has it. */
    private static Instant time(JsonNode root, String field) {
        String value = text(root, field);
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException(field + " is required");
        }
        Instant t;
        try {
            t = Instant.parse(value);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(field + " must be an RFC 3339 time");
        }
        if (t.equals(Instant.parse("0001-01-01T00:00:00Z"))) {
            throw new IllegalArgumentException(field + " is required");
        }
        return t;
    }

    static Duration duration(JsonNode root, String field) {
        JsonNode node = root.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        Duration d;
        if (node.isNumber()) {
            BigDecimal n = node.decimalValue();
            BigDecimal nanos = n.abs().compareTo(BigDecimal.valueOf(NANOS_FROM)) >= 0
                    ? n
                    : n.multiply(BigDecimal.valueOf(1_000_000_000L));
            if (nanos.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0
                    || nanos.compareTo(BigDecimal.valueOf(Long.MIN_VALUE)) < 0) {
                throw new IllegalArgumentException(field + " is out of range");
            }
            d = Duration.ofNanos(nanos.longValue());
        } else if (node.isTextual()) {
            try {
                d = GoDuration.parse(node.textValue());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(field + " must be a duration (15s, 1m30s), seconds or nanoseconds");
            }
        } else {
            throw new IllegalArgumentException(field + " must be a duration (15s, 1m30s), seconds or nanoseconds");
        }
        if (d.isNegative()) {
            throw new IllegalArgumentException(field + " cannot be negative");
        }
        return d;
    }

    private static Integer exitStatus(JsonNode root) {
        JsonNode node = root.get("exit_status");
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.canConvertToExactIntegral() || !node.canConvertToInt() || node.asInt() < 0 || node.asInt() > 255) {
            throw new IllegalArgumentException("exit_status must be an integer from 0 to 255");
        }
        return node.asInt();
    }

    /** The kind, as the ping path has it: an exit status alone is success for 0 and fail for any other. */
    private static BeatKind kind(JsonNode root, Integer exitStatus) {
        String name = text(root, "kind");
        BeatKind byStatus = exitStatus == null ? null : exitStatus == 0 ? BeatKind.SUCCESS : BeatKind.FAIL;
        if (name == null) {
            return byStatus == null ? BeatKind.SUCCESS : byStatus;
        }
        BeatKind kind =
                switch (name.toLowerCase(Locale.ROOT)) {
                    case "success" -> BeatKind.SUCCESS;
                    case "fail" -> BeatKind.FAIL;
                    case "start" -> BeatKind.START;
                    case "log" -> BeatKind.LOG;
                    default -> throw new IllegalArgumentException("kind must be success, fail, start or log");
                };
        if (byStatus != null && byStatus != kind) {
            throw new IllegalArgumentException("exit_status " + exitStatus + " does not go with kind " + kind.column);
        }
        return kind;
    }

    private static UUID rid(JsonNode root) {
        String rid = text(root, "rid");
        if (rid == null || rid.isEmpty()) {
            return null;
        }
        try {
            return UUID.fromString(rid);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("rid must be a UUID");
        }
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }
}
