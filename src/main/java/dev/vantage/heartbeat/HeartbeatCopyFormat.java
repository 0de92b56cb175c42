package dev.vantage.heartbeat;

import dev.vantage.probe.PhaseTimings;
import dev.vantage.probe.ProbeResult;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;

/**
 * A heartbeat as one line of PostgreSQL's COPY text format: columns in {@link #COLUMNS} order, tab separated,
 * {@code \N} for NULL, and backslash, tab, newline and carriage return escaped. A pure function, tested against exact
 * lines.
 *
 * <p>NUL characters are removed from every text and JSON value, because PostgreSQL text and jsonb cannot hold them.
 * Empty response or request headers are stored as NULL (nothing was sent or received), like a phase that did not
 * happen.
 */
final class HeartbeatCopyFormat {

    /** Every column the writer fills, in line order; {@code id} and {@code inserted_at} take their defaults. */
    static final String COLUMNS = String.join(
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

    /** The value stored for every request header: the values may be secrets. */
    static final String REDACTED = "<redacted>";

    private static final String NULL = "\\N";

    private HeartbeatCopyFormat() {}

    static byte[] line(Heartbeat heartbeat) {
        return text(heartbeat).getBytes(StandardCharsets.UTF_8);
    }

    static String text(Heartbeat h) {
        ProbeResult r = h.result();
        PhaseTimings t = r.timings();
        var line = new StringBuilder(512 + (r.body() == null ? 0 : r.body().length()));
        value(line, h.monitorId());
        value(line, h.datacenterId());
        value(line, h.agentId());
        value(line, h.leaseEpoch());
        value(line, h.scheduledAt());
        value(line, r.startedAt());
        value(line, r.success() ? "t" : "f");
        value(line, t.total());
        value(line, r.responseSizeBytes());
        value(line, r.statusCode());
        text(line, r.header("Content-Type"));
        text(line, r.header("Server"));
        text(line, cacheStatus(r));
        value(line, t.dns());
        value(line, t.connect());
        value(line, t.tls());
        value(line, t.timeToFirstByte());
        value(line, t.serverProcessing());
        value(line, t.transfer());
        value(line, t.redirect());
        value(line, r.redirects());
        text(line, r.remoteAddress());
        value(line, h.warningThresholdMs());
        value(line, h.criticalThresholdMs());
        value(line, r.errorType() == null ? null : r.errorType().name());
        text(line, r.errorMessage());
        text(line, redactedJson(h.requestHeaderNames()));
        text(line, json(r.responseHeaders()));
        text(line, r.body());
        line.setCharAt(line.length() - 1, '\n');
        return line.toString();
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

    private static void value(StringBuilder line, Object v) {
        if (v == null) {
            line.append(NULL);
        } else if (v instanceof Instant instant) {
            line.append(instant); // ISO-8601 UTC, read exactly by timestamptz
        } else {
            line.append(v); // numbers: Double.toString round-trips through float8 exactly
        }
        line.append('\t');
    }

    private static void text(StringBuilder line, String s) {
        if (s == null) {
            line.append(NULL).append('\t');
            return;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\\' -> line.append("\\\\");
                case '\t' -> line.append("\\t");
                case '\n' -> line.append("\\n");
                case '\r' -> line.append("\\r");
                case '\0' -> {} // PostgreSQL text cannot hold NUL
                default -> line.append(c);
            }
        }
        line.append('\t');
    }
}
