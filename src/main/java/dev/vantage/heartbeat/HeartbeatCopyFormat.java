package dev.vantage.heartbeat;

import dev.vantage.probe.PhaseTimings;
import dev.vantage.probe.ProbeDetails;
import dev.vantage.probe.ProbeResult;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Collection;
import java.util.Map;

/**
 * A heartbeat (a probe's, or a beat a job pushed) as one tuple of PostgreSQL's binary COPY format, columns in {@link
 * #COLUMNS} order: a field count, then
 * each field as a length (-1 for NULL) and its bytes. Binary rather than text because the server then does not parse
 * timestamps and numbers, which cost about a third of its time per row (see BENCHMARKS.md), and because
 * length-prefixed values need no escaping at all. A pure function.
 *
 * <p>Timestamps are sent as microseconds since 2000-01-01 UTC, rounded to the nearest microsecond as the server rounds
 * text input. NUL characters are removed from every text and JSON value, because PostgreSQL text and jsonb cannot
 * hold them. Empty response or request headers are stored as NULL (nothing was sent or received), like a phase that
 * did not happen. A value the table cannot hold (a monitor id past integer, a timestamp past 294276 AD) fails here
 * with an {@link IllegalArgumentException}, naming the field.
 */
final class HeartbeatCopyFormat {

    /**
     * The columns of journal format 1, written by Vantage before push monitors: the first {@value #FIELDS_V1} of
     * {@link #COLUMNS}. A line of that format becomes one of today's with {@link #fromV1}.
     */
    static final String COLUMNS_V1 = String.join(
            ", ",
            "monitor_id",
            "datacenter_id",
            "agent_id",
            "lease_epoch",
            "scheduled_at",
            "executed_at",
            "success",
            "response_time_ms",
            "response_size_bytes",
            "response_status_code",
            "response_content_type",
            "response_server",
            "response_cache_status",
            "dns_lookup_ms",
            "tcp_connect_ms",
            "tls_handshake_ms",
            "time_to_first_byte_ms",
            "server_processing_ms",
            "content_transfer_ms",
            "redirect_ms",
            "redirect_count",
            "remote_address",
            "warning_threshold_ms",
            "critical_threshold_ms",
            "error_type",
            "error_message",
            "raw_request_headers",
            "raw_response_headers",
            "raw_response_body");

    /**
     * Every column the writer fills, in line order; {@code id}, {@code inserted_at} and {@code commit_xid} take their
     * defaults. {@code beat_kind} and {@code message} are NULL for a probe and filled by a pushed beat; {@code details}
     * holds what only one probe type knows ({@link ProbeResult#details()}, NULL when empty) or how a pushed beat came.
     */
    static final String COLUMNS = COLUMNS_V1 + ", beat_kind, message, details";

    /** The value stored for every request header: the values may be secrets. */
    static final String REDACTED = "<redacted>";

    /** Starts a binary COPY stream: signature, flags, header extension length. */
    static final byte[] HEADER = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xff, '\r', '\n', 0, 0, 0, 0, 0, 0, 0, 0, 0
    };

    /** Ends a binary COPY stream: a field count of -1. */
    static final byte[] TRAILER = {(byte) 0xff, (byte) 0xff};

    private static final int FIELDS_V1 = 29;
    private static final int FIELDS = FIELDS_V1 + 3;
    /** Fields 8 to 23 of a pushed beat, from response_size_bytes to critical_threshold_ms: all NULL. */
    private static final int PROBE_ONLY_FIELDS = 16;

    private static final long MICROS_1970_TO_2000 = 946_684_800_000_000L;

    private HeartbeatCopyFormat() {}

    static byte[] line(Heartbeat h) {
        ProbeResult r = h.result();
        PhaseTimings t = r.timings();
        // Most rows are 600-900 bytes: start big enough that the buffer never grows.
        var row = new Tuple(1024 + (r.body() == null ? 0 : 3 * r.body().length()));
        var picked = new PickedHeaders(r.responseHeaders());
        row.count(FIELDS);
        row.int4(monitorId(h.monitorId()));
        row.int4(h.datacenterId());
        row.int4(h.agentId());
        row.int8(h.leaseEpoch());
        row.timestamp("scheduledAt", h.scheduledAt());
        row.timestamp("startedAt", r.startedAt());
        row.bool(r.success());
        row.float8(t.total());
        row.int8(r.responseSizeBytes());
        row.int4(r.statusCode());
        row.text(picked.contentType);
        row.text(picked.server);
        row.text(picked.cacheStatus());
        row.float8(t.dns());
        row.float8(t.connect());
        row.float8(t.tls());
        row.float8(t.timeToFirstByte());
        row.float8(t.serverProcessing());
        row.float8(t.transfer());
        row.float8(t.redirect());
        row.int4(r.redirects());
        row.text(r.remoteAddress());
        row.int4(h.warningThresholdMs());
        row.int4(h.criticalThresholdMs());
        row.text(r.errorType() == null ? null : r.errorType().name());
        row.text(r.errorMessage());
        row.redactedJsonb(h.requestHeaderNames());
        row.jsonb(r.responseHeaders());
        row.text(r.body());
        row.nulls(2); // beat_kind, message: a probe is no pushed beat
        row.jsonb(ProbeDetails.json(r.details()));
        return row.toByteArray();
    }

    static byte[] line(PushedBeat b) {
        var row = new Tuple(256 + (b.message() == null ? 0 : b.message().length() * 3));
        row.count(FIELDS);
        row.int4(b.monitorId());
        row.int4(PushedBeat.DATACENTER_ID);
        row.int4(null); // agent_id
        row.int8(null); // lease_epoch
        row.timestamp("key", b.key());
        row.timestamp("receivedAt", b.receivedAt());
        row.bool(b.success());
        row.float8(b.durationMs());
        row.nulls(PROBE_ONLY_FIELDS);
        row.text(b.errorType());
        row.text(b.errorMessage());
        row.nulls(3); // raw_request_headers, raw_response_headers, raw_response_body
        row.text(b.kind().column);
        row.text(b.message());
        row.jsonb(b.detailsJson() == null ? null : withoutNul(b.detailsJson()));
        return row.toByteArray();
    }

    /**
     * A line of journal format 1 ({@link #COLUMNS_V1}) as a line of today's columns: the same fields, then NULL for
     * the columns added since, which a probe of that time left NULL.
     *
     * @throws IllegalArgumentException when the line does not have the field count of format 1
     */
    static byte[] fromV1(byte[] line) {
        if (line.length < 2 || (((line[0] & 0xff) << 8) | (line[1] & 0xff)) != FIELDS_V1) {
            throw new IllegalArgumentException("a line of journal format 1 has " + FIELDS_V1 + " fields");
        }
        var row = new Tuple(line.length + 4 * (FIELDS - FIELDS_V1));
        row.count(FIELDS);
        row.put(Arrays.copyOfRange(line, 2, line.length));
        row.nulls(FIELDS - FIELDS_V1);
        return row.toByteArray();
    }

    /** Microseconds since 2000-01-01 UTC, rounded half up as the server rounds text input. */
    static long pgMicros(String field, Instant instant) {
        try {
            long micros = Math.addExact(
                    Math.multiplyExact(instant.getEpochSecond(), 1_000_000L), (instant.getNano() + 500) / 1_000);
            return Math.subtractExact(micros, MICROS_1970_TO_2000);
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException(field + " " + instant + " is out of the range of timestamptz");
        }
    }

    private static int monitorId(long id) {
        if (id < Integer.MIN_VALUE || id > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("monitorId " + id + " is out of the range of api_heartbeats.monitor_id");
        }
        return (int) id;
    }

    /** Cache-Status (RFC 9211) first, then the common vendor headers. */
    static String cacheStatus(ProbeResult r) {
        String v = r.header("Cache-Status");
        if (v == null) {
            v = r.header("X-Cache");
        }
        if (v == null) {
            v = r.header("CF-Cache-Status");
        }
        return v;
    }

    /** A JSON object of the header names, every value {@value #REDACTED}; null when none were sent. */
    static String redactedJson(Collection<String> names) {
        if (names.isEmpty()) {
            return null;
        }
        var json = new StringBuilder(names.size() * 24).append('{');
        for (String name : names) {
            if (json.length() > 1) {
                json.append(',');
            }
            jsonString(json, name);
            json.append(':');
            jsonString(json, REDACTED);
        }
        return json.append('}').toString();
    }

    /** A JSON object of string values; null when empty. */
    static String json(Map<String, String> headers) {
        if (headers.isEmpty()) {
            return null;
        }
        var json = new StringBuilder(headers.size() * 48).append('{');
        for (var e : headers.entrySet()) {
            if (json.length() > 1) {
                json.append(',');
            }
            jsonString(json, e.getKey());
            json.append(':');
            jsonString(json, e.getValue());
        }
        return json.append('}').toString();
    }

    private static void jsonString(StringBuilder json, String s) {
        json.append('"');
        if (s != null) {
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                switch (c) {
                    case '"' -> json.append("\\\"");
                    case '\\' -> json.append("\\\\");
                    case '\n' -> json.append("\\n");
                    case '\r' -> json.append("\\r");
                    case '\t' -> json.append("\\t");
                    case '\0' -> {} // jsonb rejects \u0000
                    default -> {
                        if (c < 0x20) {
                            json.append(String.format("\\u%04x", (int) c));
                        } else {
                            json.append(c);
                        }
                    }
                }
            }
        }
        json.append('"');
    }

    /**
     * The response headers a row has columns for, found in one pass over the headers rather than one per column (as
     * {@link ProbeResult#header} would): the first of each name in the headers' order, ignoring case.
     */
    private static final class PickedHeaders {
        String contentType;
        String server;
        String cacheStatusHeader;
        String xCache;
        String cfCacheStatus;

        PickedHeaders(Map<String, String> headers) {
            for (var e : headers.entrySet()) {
                String name = e.getKey();
                switch (name.length()) {
                    case 6 -> server = first(server, name, "Server", e.getValue());
                    case 7 -> xCache = first(xCache, name, "X-Cache", e.getValue());
                    case 12 -> {
                        contentType = first(contentType, name, "Content-Type", e.getValue());
                        cacheStatusHeader = first(cacheStatusHeader, name, "Cache-Status", e.getValue());
                    }
                    case 15 -> cfCacheStatus = first(cfCacheStatus, name, "CF-Cache-Status", e.getValue());
                    default -> {}
                }
            }
        }

        private static String first(String found, String name, String wanted, String value) {
            return found == null && name.equalsIgnoreCase(wanted) ? value : found;
        }

        /** As {@link #cacheStatus(ProbeResult)}: Cache-Status, then X-Cache, then CF-Cache-Status. */
        String cacheStatus() {
            return cacheStatusHeader != null ? cacheStatusHeader : xCache != null ? xCache : cfCacheStatus;
        }
    }

    /** A growable tuple buffer, big-endian like every binary COPY field. */
    private static final class Tuple {
        private byte[] bytes;
        private int size;

        Tuple(int capacity) {
            bytes = new byte[capacity];
        }

        void count(int fields) {
            ensure(2);
            bytes[size++] = (byte) (fields >>> 8);
            bytes[size++] = (byte) fields;
        }

        void int4(Integer v) {
            if (v == null) {
                nullField();
                return;
            }
            raw4(4);
            raw4(v);
        }

        void int8(Long v) {
            if (v == null) {
                nullField();
                return;
            }
            raw4(8);
            raw8(v);
        }

        void float8(Double v) {
            if (v == null) {
                nullField();
                return;
            }
            raw4(8);
            raw8(Double.doubleToLongBits(v));
        }

        void bool(boolean v) {
            raw4(1);
            ensure(1);
            bytes[size++] = (byte) (v ? 1 : 0);
        }

        void timestamp(String field, Instant v) {
            raw4(8);
            raw8(pgMicros(field, v));
        }

        void text(String v) {
            if (v == null) {
                nullField();
                return;
            }
            if (plainAscii(v, false)) { // the common case, without an intermediate byte array
                raw4(v.length());
                ascii(v);
                return;
            }
            byte[] utf8 = withoutNul(v).getBytes(StandardCharsets.UTF_8);
            raw4(utf8.length);
            put(utf8);
        }

        /** {@link #jsonb(String)} of {@link #json(Map)}, written in place. */
        void jsonb(Map<String, String> headers) {
            if (headers.isEmpty()) {
                nullField();
                return;
            }
            int length = startJsonb();
            for (var e : headers.entrySet()) {
                put((byte) (size == length + 5 ? '{' : ','));
                jsonString(e.getKey());
                put((byte) ':');
                jsonString(e.getValue());
            }
            put((byte) '}');
            endJsonb(length);
        }

        /** {@link #jsonb(String)} of {@link #redactedJson(Collection)}, written in place. */
        void redactedJsonb(Collection<String> names) {
            if (names.isEmpty()) {
                nullField();
                return;
            }
            int length = startJsonb();
            for (String name : names) {
                put((byte) (size == length + 5 ? '{' : ','));
                jsonString(name);
                put((byte) ':');
                jsonString(REDACTED);
            }
            put((byte) '}');
            endJsonb(length);
        }

        /** Reserves the field length and writes jsonb's version byte; returns where the length goes. */
        private int startJsonb() {
            int length = size;
            raw4(0);
            put((byte) 1);
            return length;
        }

        private void endJsonb(int length) {
            int bytes = size - length - 4;
            this.bytes[length] = (byte) (bytes >>> 24);
            this.bytes[length + 1] = (byte) (bytes >>> 16);
            this.bytes[length + 2] = (byte) (bytes >>> 8);
            this.bytes[length + 3] = (byte) bytes;
        }

        /** A JSON string as the static jsonString writes it, in UTF-8. */
        private void jsonString(String s) {
            if (s == null || plainAscii(s, true)) {
                put((byte) '"');
                if (s != null) {
                    ascii(s);
                }
                put((byte) '"');
                return;
            }
            var json = new StringBuilder(s.length() + 16);
            HeartbeatCopyFormat.jsonString(json, s);
            put(json.toString().getBytes(StandardCharsets.UTF_8));
        }

        /** Whether every char is ASCII, not NUL and, in JSON, needs no escape. */
        private static boolean plainAscii(String s, boolean json) {
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (c >= 0x80 || c == 0 || json && (c < 0x20 || c == '"' || c == '\\')) {
                    return false;
                }
            }
            return true;
        }

        private void ascii(String s) {
            int n = s.length();
            ensure(n);
            for (int i = 0; i < n; i++) {
                bytes[size++] = (byte) s.charAt(i); // ASCII only: each char is its own UTF-8 byte
            }
        }

        private void put(byte b) {
            ensure(1);
            bytes[size++] = b;
        }

        /** jsonb's binary input is a version byte (1) and the JSON text. */
        void jsonb(String json) {
            if (json == null) {
                nullField();
                return;
            }
            byte[] utf8 = json.getBytes(StandardCharsets.UTF_8);
            raw4(utf8.length + 1);
            ensure(1);
            bytes[size++] = 1;
            put(utf8);
        }

        void nulls(int fields) {
            for (int i = 0; i < fields; i++) {
                nullField();
            }
        }

        byte[] toByteArray() {
            return Arrays.copyOf(bytes, size);
        }

        private void nullField() {
            raw4(-1);
        }

        private void raw4(int v) {
            ensure(4);
            bytes[size++] = (byte) (v >>> 24);
            bytes[size++] = (byte) (v >>> 16);
            bytes[size++] = (byte) (v >>> 8);
            bytes[size++] = (byte) v;
        }

        private void raw8(long v) {
            raw4((int) (v >>> 32));
            raw4((int) v);
        }

        void put(byte[] b) {
            ensure(b.length);
            System.arraycopy(b, 0, bytes, size, b.length);
            size += b.length;
        }

        private void ensure(int more) {
            if (size + more > bytes.length) {
                bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + more));
            }
        }
    }

    private static String withoutNul(String s) {
        return s.indexOf('\0') < 0 ? s : s.replace("\0", "");
    }
}
