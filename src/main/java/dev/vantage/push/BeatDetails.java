package dev.vantage.push;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.UUID;

/**
 * The {@code details} of a pushed beat: how it came, as a JSON object with only the keys that apply, e.g. {@code
 * {"source":"http","method":"POST","remote":"192.0.2.7","rid":"…","exit_status":3,"body_bytes":1024}}. Header
 * values the sender controls are cut to {@value #MAX_HEADER_CHARS} characters and lose their control characters
 * (jsonb cannot hold NUL). A pure function.
 */
final class BeatDetails {
    static final int MAX_HEADER_CHARS = 200;
    private static final ObjectMapper JSON = new ObjectMapper();

    private BeatDetails() {}

    /**
     * @param method the HTTP method
     * @param remote the address the request came from (the load balancer's, behind one)
     * @param forwardedFor the X-Forwarded-For header as sent, or null; not trusted, kept for people
     * @param userAgent the User-Agent header, or null
     * @param rid the run id, or null
     * @param exitStatus the exit status of an {@code /<n>} ping, or null
     * @param bodyBytes bytes of the request body (0: none, and no key)
     */
    static String http(
            String method,
            String remote,
            String forwardedFor,
            String userAgent,
            UUID rid,
            Integer exitStatus,
            long bodyBytes) {
        ObjectNode o = JSON.createObjectNode();
        o.put("source", "http");
        o.put("method", method);
        if (remote != null) {
            o.put("remote", remote);
        }
        if (forwardedFor != null) {
            o.put("forwarded_for", header(forwardedFor));
        }
        if (userAgent != null) {
            o.put("user_agent", header(userAgent));
        }
        if (rid != null) {
            o.put("rid", rid.toString());
        }
        if (exitStatus != null) {
            o.put("exit_status", exitStatus);
        }
        if (bodyBytes > 0) {
            o.put("body_bytes", bodyBytes);
        }
        return o.toString();
    }

    static String header(String value) {
        var out = new StringBuilder(Math.min(value.length(), MAX_HEADER_CHARS));
        for (int i = 0; i < value.length() && out.length() < MAX_HEADER_CHARS; i++) {
            char c = value.charAt(i);
            if (!Character.isISOControl(c)) {
                out.append(c);
            }
        }
        return out.toString();
    }
}
