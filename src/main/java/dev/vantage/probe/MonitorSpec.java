package dev.vantage.probe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * A monitor row as a probe sees it: the columns of {@code api_monitors} joined with its schedule, not yet validated
 * by its type. Header values are secrets: {@link #toString()} never prints them.
 *
 * @param id api_monitors.id
 * @param name api_monitors.name
 * @param type api_monitors.type as written by the user (any case)
 * @param method api_monitors.method, may be null (type default)
 * @param url api_monitors.url, may be null (then the type reports it)
 * @param headers api_monitors.headers, never null (empty when the column is null)
 * @param body api_monitors.body (request body), may be null
 * @param timeoutMs api_monitors.timeout_ms, null means the default (see {@link #effectiveTimeout()})
 * @param settings api_monitors.settings, the type's own options, never null (an empty object when the column is null)
 * @param interval schedules.interval
 * @param includeResponseBody schedules.include_response_body
 */
public record MonitorSpec(
        long id,
        String name,
        String type,
        String method,
        String url,
        Map<String, String> headers,
        String body,
        Integer timeoutMs,
        JsonNode settings,
        Duration interval,
        boolean includeResponseBody) {

    /** A probe never waits longer than this, whatever the interval. */
    public static final Duration MAX_DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    public MonitorSpec {
        Objects.requireNonNull(interval, "interval");
        headers = headers == null ? Map.of() : Map.copyOf(headers);
        settings = settings == null || settings.isNull() ? JsonNodeFactory.instance.objectNode() : settings;
    }

    /** The configured timeout, or by default the smaller of the interval and {@link #MAX_DEFAULT_TIMEOUT}. */
    public Duration effectiveTimeout() {
        if (timeoutMs != null) {
            return Duration.ofMillis(timeoutMs);
        }
        return interval.compareTo(MAX_DEFAULT_TIMEOUT) < 0 ? interval : MAX_DEFAULT_TIMEOUT;
    }

    @Override
    public String toString() {
        return "MonitorSpec[id=" + id + ", name=" + name + ", type=" + type + ", method=" + method + ", url=" + url
                + ", headers=" + headers.keySet() + " (values hidden), timeoutMs=" + timeoutMs + ", interval="
                + interval + "]";
    }
}
