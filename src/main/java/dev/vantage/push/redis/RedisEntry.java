package dev.vantage.push.redis;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vantage.beat.GoDuration;
import dev.vantage.beat.Rfc3339;
import dev.vantage.heartbeat.BeatKind;
import dev.vantage.push.PushSettings;
import java.math.BigDecimal;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * One entry of a Redis stream read as a beat: a pure function of the stream's name, the entry's id, its fields and the
 * time it was read. It never throws for what a sender wrote: an entry it cannot use is {@link Refused}, with the
 * reason in words.
 *
 * <p>Two formats are read:
 *
 * <ul>
 *   <li>{@code vantage beat}'s ({@link dev.vantage.beat.RedisBeatSender}): {@code subject} (the monitor's
 *       push_subject), {@code kind} ({@code success}, {@code fail}, {@code start}, {@code log}; success when absent),
 *       {@code exit_status}, {@code message}, {@code rid}, {@code timestamp}, {@code interval}, {@code grace},
 *       {@code host}, {@code description}. Other fields are ignored.
 *   <li>the Redis Streams demo's: {@code message}, {@code type}, {@code timestamp} and no {@code subject}. The stream's
 *       name is the subject, and {@code type} maps to a kind ({@link #kindOfType}).
 * </ul>
 *
 * <p>The row key is the entry's id, not the time it was read ({@link #key}): an entry delivered again (after a crash,
 * or claimed from a dead consumer) gets the same key, and the unique key of api_heartbeats makes its second write a
 * no-op.
 */
final class RedisEntry {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern SUBJECT = Pattern.compile("\\S{1,255}");
    private static final Pattern ENTRY_ID = Pattern.compile("(\\d{1,19})-(\\d{1,19})");
    private static final Pattern UNIX_SECONDS = Pattern.compile("\\d{1,12}(\\.\\d{1,9})?");
    private static final Pattern EXIT_STATUS = Pattern.compile("\\d{1,3}");

    /** A message longer than this refuses the entry, as a ping body past it is answered 413. */
    static final long MAX_MESSAGE_BYTES = PushSettings.MAX_BODY_BYTES;
    /** Characters kept of {@code host}, {@code type} and a {@code timestamp} that is not a time (details, for people). */
    static final int MAX_TEXT_CHARS = 200;
    /**
     * How far ahead of this replica's clock an entry's id may be. Ids chosen by Redis ({@code XADD … *}) are its clock
     * in milliseconds; one further ahead means a wrong clock (or an id chosen by hand), and a beat stored that far in
     * the future would hide its monitor's silence for as long.
     */
    static final Duration MAX_AHEAD = Duration.ofMinutes(1);
    /** Ids before this are not times: {@code XADD s 1-1 …}, as in tutorials. */
    static final Instant EARLIEST = Instant.parse("2000-01-01T00:00:00Z");

    private RedisEntry() {}

    /** What an entry was read as. */
    sealed interface Read permits Beat, Refused {}

    /**
     * A beat.
     *
     * @param subject the push_subject of its monitor
     * @param kind what it reports
     * @param exitStatus the job's exit status, or null
     * @param rid the run id, or null
     * @param message the message as sent (cut to {@link PushSettings#MESSAGE_BYTES} when it becomes a row), or null
     *     for none
     * @param messageBytes its length in UTF-8 bytes, 0 for none
     * @param key the row key, from the entry's id
     * @param detailsJson how it came: {@code {"source":"redis","stream":…,"entry_id":…,…}}
     * @param registration what a monitor registered for an unknown subject would be, or null when the entry does not
     *     say its interval
     */
    record Beat(
            String subject,
            BeatKind kind,
            Integer exitStatus,
            UUID rid,
            String message,
            long messageBytes,
            Instant key,
            String detailsJson,
            Registration registration)
            implements Read {
        Beat {
            Objects.requireNonNull(subject, "subject");
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(key, "key");
        }
    }

    /**
     * What a sender says about itself, for registering a monitor for a subject nobody configured.
     *
     * @param interval how often it beats
     * @param grace how late a beat may be, or null when not said
     * @param description a label for people, or null
     * @param host the sending host, or null
     */
    record Registration(Duration interval, Duration grace, String description, String host) {
        Registration {
            Objects.requireNonNull(interval, "interval");
        }
    }

    /** Why an entry is not a beat. */
    enum Problem {
        /** A field is missing, or has the wrong shape. */
        MALFORMED,
        /** Its message is longer than {@link #MAX_MESSAGE_BYTES}. */
        TOO_LARGE
    }

    /** An entry that is not a beat, and why, in words that name the field (never its value: it may be anything). */
    record Refused(Problem problem, String reason) implements Read {}

    /**
     * Reads one entry.
     *
     * @param stream the stream it was read from
     * @param id its id, {@code <ms>-<seq>}
     * @param fields its fields
     * @param now this replica's clock, for {@link #MAX_AHEAD}
     */
    static Read read(String stream, String id, Map<String, String> fields, Instant now) {
        try {
            Instant key = placedKey(id, now);
            String subject = subject(stream, fields);
            String message = fields.get("message");
            long messageBytes = message == null ? 0 : utf8Length(message);
            if (messageBytes > MAX_MESSAGE_BYTES) {
                return new Refused(
                        Problem.TOO_LARGE,
                        "message: " + messageBytes + " bytes, more than the " + MAX_MESSAGE_BYTES
                                + " a beat may carry");
            }
            Integer exitStatus = exitStatus(fields.get("exit_status"));
            BeatKind kind = kind(fields, exitStatus);
            UUID rid = rid(fields.get("rid"));
            Duration interval = duration(fields.get("interval"), "interval");
            Duration grace = duration(fields.get("grace"), "grace");
            String host = text(fields.get("host"));
            Registration registration =
                    interval == null ? null : new Registration(interval, grace, text(fields.get("description")), host);
            ObjectNode details = JSON.createObjectNode();
            details.put("source", "redis");
            details.put("stream", stream);
            details.put("entry_id", id);
            putIfSet(details, "host", host);
            putIfSet(details, "rid", rid == null ? null : rid.toString());
            if (exitStatus != null) {
                details.put("exit_status", exitStatus);
            }
            putIfSet(details, "timestamp", fields.containsKey("timestamp") ? timestamp(fields.get("timestamp")) : null);
            putIfSet(details, "type", fields.containsKey("subject") ? null : text(fields.get("type")));
            if (messageBytes > 0) {
                details.put("message_bytes", messageBytes);
            }
            return new Beat(
                    subject,
                    kind,
                    exitStatus,
                    rid,
                    messageBytes == 0 ? null : message,
                    messageBytes,
                    key,
                    details.toString(),
                    registration);
        } catch (MalformedException e) {
            return new Refused(Problem.MALFORMED, e.getMessage());
        }
    }

    /** A field that is missing or has the wrong shape; its message names the field, never quotes its value. */
    private static final class MalformedException extends Exception {
        MalformedException(String reason) {
            super(reason, null, false, false);
        }
    }

    /** The key of the entry's id, when it is a time Redis could have given it now. */
    private static Instant placedKey(String id, Instant now) throws MalformedException {
        Instant key;
        try {
            key = key(id);
        } catch (IllegalArgumentException e) {
            throw new MalformedException(e.getMessage());
        }
        if (key.isBefore(EARLIEST)) {
            throw new MalformedException("its id " + id + " is not a time: let Redis choose ids (XADD <stream> * …)");
        }
        if (key.isAfter(now.plus(MAX_AHEAD))) {
            throw new MalformedException(
                    "its id " + id + " is " + Duration.between(now, key).toSeconds()
                            + " s ahead of this replica's clock: is the Redis server's clock right?");
        }
        return key;
    }

    /** The {@code subject} field, else (the Redis Streams demo's entries) the stream's name. */
    private static String subject(String stream, Map<String, String> fields) throws MalformedException {
        String subject = fields.get("subject");
        if (subject == null) {
            if (!fields.containsKey("message") && !fields.containsKey("type") && !fields.containsKey("kind")) {
                throw new MalformedException("no field Vantage reads: subject, kind, message or type");
            }
            subject = stream;
        }
        if (!SUBJECT.matcher(subject).matches()) {
            throw new MalformedException("subject: 1 to 255 characters without blanks");
        }
        return subject;
    }

    private static Integer exitStatus(String value) throws MalformedException {
        if (value == null) {
            return null;
        }
        String s = value.strip();
        if (!EXIT_STATUS.matcher(s).matches() || Integer.parseInt(s) > 255) {
            throw new MalformedException("exit_status: a whole number from 0 to 255");
        }
        return Integer.parseInt(s);
    }

    /** {@code kind}, else the exit status's, else the demo's {@code type}, else success; an exit status must agree. */
    private static BeatKind kind(Map<String, String> fields, Integer exitStatus) throws MalformedException {
        BeatKind kind;
        if (fields.get("kind") != null) {
            kind = kindOf(fields.get("kind"));
            if (kind == null) {
                throw new MalformedException("kind: success, fail, start or log");
            }
        } else if (exitStatus != null) {
            kind = exitStatus == 0 ? BeatKind.SUCCESS : BeatKind.FAIL;
        } else if (fields.containsKey("type")) {
            kind = kindOfType(fields.get("type"));
        } else {
            kind = BeatKind.SUCCESS;
        }
        if (exitStatus != null && kind != (exitStatus == 0 ? BeatKind.SUCCESS : BeatKind.FAIL)) {
            throw new MalformedException("exit_status " + exitStatus + " does not go with kind " + kind.column);
        }
        return kind;
    }

    private static UUID rid(String value) throws MalformedException {
        if (value == null) {
            return null;
        }
        try {
            return uuid(value.strip());
        } catch (IllegalArgumentException e) {
            throw new MalformedException("rid: a UUID, as 3f2b8c1e-7d4a-4c55-9b1e-2f6a0c9d8e71");
        }
    }

    private static void putIfSet(ObjectNode details, String key, String value) {
        if (value != null) {
            details.put(key, value);
        }
    }

    /**
     * The row key of an entry: its id {@code <ms>-<seq>} as microseconds, {@code ms × 1000 + seq}. Redis gives the
     * entries of one millisecond the sequence numbers 0, 1, 2, …, so ids map one to one onto the microseconds of their
     * millisecond while a stream takes fewer than 1000 entries in one millisecond. Past that (or after the server's
     * clock stepped back, when Redis keeps counting in the last millisecond it used) the key runs into the next
     * milliseconds: entry {@code M-(1000 + k)} gets the key of {@code (M+1)-k}. Keys are unique per monitor, so the
     * two meet only when both entries are beats of one monitor; the later one is then taken for a replay and writes
     * nothing.
     *
     * @throws IllegalArgumentException when {@code id} is not {@code <ms>-<seq>}
     */
    static Instant key(String id) {
        var m = ENTRY_ID.matcher(id == null ? "" : id);
        if (!m.matches()) {
            throw new IllegalArgumentException("its id is not <milliseconds>-<sequence>");
        }
        long micros;
        try {
            micros = Math.addExact(Math.multiplyExact(Long.parseLong(m.group(1)), 1_000L), Long.parseLong(m.group(2)));
        } catch (ArithmeticException | NumberFormatException e) {
            throw new IllegalArgumentException("its id " + id + " is past any time Vantage can store");
        }
        return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1_000L);
    }

    /** A {@code kind} field: exactly one of the four names (any case), else null. */
    static BeatKind kindOf(String kind) {
        return switch (kind.strip().toLowerCase(Locale.ROOT)) {
            case "success" -> BeatKind.SUCCESS;
            case "fail" -> BeatKind.FAIL;
            case "start" -> BeatKind.START;
            case "log" -> BeatKind.LOG;
            default -> null;
        };
    }

    /**
     * The Redis Streams demo's {@code type} (free text, any case) as a kind: the four kinds as they are; {@code error},
     * {@code alert} and {@code failure} fail; {@code info}, {@code warning} and {@code log} are messages only (no
     * change of state); anything else (the demo's default {@code test}, {@code event}, …) is a success.
     */
    static BeatKind kindOfType(String type) {
        String t = type == null ? "" : type.strip().toLowerCase(Locale.ROOT);
        BeatKind exact = kindOf(t);
        if (exact != null) {
            return exact;
        }
        return switch (t) {
            case "error", "alert", "failure" -> BeatKind.FAIL;
            case "info", "warning" -> BeatKind.LOG;
            default -> BeatKind.SUCCESS;
        };
    }

    /** A sender's time for details: RFC 3339 in UTC when it is one (or unix seconds), else the text as sent, cut. */
    static String timestamp(String value) {
        String s = value.strip();
        try {
            if (UNIX_SECONDS.matcher(s).matches()) {
                var seconds = new BigDecimal(s);
                long whole = seconds.longValue();
                int nanos = seconds.subtract(BigDecimal.valueOf(whole))
                        .movePointRight(9)
                        .intValue();
                return Rfc3339.format(Instant.ofEpochSecond(whole, nanos));
            }
            return Rfc3339.format(OffsetDateTime.parse(s).toInstant());
        } catch (DateTimeException | ArithmeticException e) {
            return text(value);
        }
    }

    private static Duration duration(String value, String field) throws MalformedException {
        if (value == null) {
            return null;
        }
        Duration d;
        try {
            d = GoDuration.parse(value);
        } catch (IllegalArgumentException e) {
            throw new MalformedException(field + ": seconds (15, 0.5) or a Go duration (15s, 1m30s)");
        }
        if (d.isZero()) {
            throw new MalformedException(field + ": must be more than 0");
        }
        return d;
    }

    /** A UUID in its canonical form only (UUID.fromString also takes {@code 1-2-3-4-5}). */
    private static UUID uuid(String text) {
        if (text.length() != 36) {
            throw new IllegalArgumentException("not a UUID");
        }
        UUID uuid = UUID.fromString(text);
        if (!uuid.toString().equalsIgnoreCase(text)) {
            throw new IllegalArgumentException("not a UUID");
        }
        return uuid;
    }

    /** Text for people: control characters dropped, at most {@link #MAX_TEXT_CHARS}; null for none. */
    static String text(String value) {
        if (value == null) {
            return null;
        }
        var out = new StringBuilder(Math.min(value.length(), MAX_TEXT_CHARS));
        for (int i = 0; i < value.length() && out.length() < MAX_TEXT_CHARS; i++) {
            char c = value.charAt(i);
            if (!Character.isISOControl(c)) {
                out.append(c);
            }
        }
        String s = out.toString().strip();
        return s.isEmpty() ? null : s;
    }

    /** UTF-8 length without encoding: a 10 MiB message costs no second copy to be measured. */
    static long utf8Length(String s) {
        long bytes = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                bytes += 1;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c)
                    && i + 1 < s.length()
                    && Character.isLowSurrogate(s.charAt(i + 1))) {
                bytes += 4;
                i++;
            } else {
                bytes += 3;
            }
        }
        return bytes;
    }
}
