package dev.vantage.web;

import dev.vantage.config.ConfigurationException;
import java.time.Duration;

/**
 * What one client may hold of the HTTP server: how long it may take to send a request (request line, headers and
 * body), how long a response may take (the handler and the write to the client together), how long an idle
 * keep-alive connection stays open, and how many connections are open at once. Past the cap a new connection is
 * closed as soon as it is accepted, so that slow or idle clients can never take the file descriptors the probes need.
 *
 * <p>The JDK's server reads its limits once per JVM, from system properties, when its first server is created
 * ({@link WebServer#start}); they are whole seconds.
 *
 * @param requestTimeout VANTAGE_HTTP_REQUEST_TIMEOUT: from a request's first byte to its last
 * @param responseTimeout VANTAGE_HTTP_RESPONSE_TIMEOUT: from a request's last byte to its response's last
 * @param idleTimeout VANTAGE_HTTP_IDLE_TIMEOUT: a keep-alive connection with no request in progress
 * @param maxConnections VANTAGE_HTTP_MAX_CONNECTIONS: open connections, active and idle
 */
public record HttpLimits(Duration requestTimeout, Duration responseTimeout, Duration idleTimeout, int maxConnections) {
    // Before DEFAULTS, which the constructor checks against it.
    private static final Duration MAX_TIMEOUT = Duration.ofHours(1);

    public static final HttpLimits DEFAULTS =
            new HttpLimits(Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(30), 256);

    public HttpLimits {
        requestTimeout = seconds("VANTAGE_HTTP_REQUEST_TIMEOUT", requestTimeout);
        responseTimeout = seconds("VANTAGE_HTTP_RESPONSE_TIMEOUT", responseTimeout);
        idleTimeout = seconds("VANTAGE_HTTP_IDLE_TIMEOUT", idleTimeout);
        if (maxConnections < 1 || maxConnections > 100_000) {
            throw new ConfigurationException(
                    "VANTAGE_HTTP_MAX_CONNECTIONS: expected 1 to 100000 connections, got " + maxConnections);
        }
    }

    private static Duration seconds(String name, Duration value) {
        if (value == null
                || value.compareTo(Duration.ofSeconds(1)) < 0
                || value.compareTo(MAX_TIMEOUT) > 0
                || value.toNanos() % 1_000_000_000L != 0) {
            throw new ConfigurationException(name + ": expected whole seconds from 1 to 3600, got "
                    + (value == null ? "nothing" : value.toMillis() + " ms"));
        }
        return value;
    }

    /** The JDK's own names for these limits, with its units, for {@link System#setProperty}. */
    java.util.Map<String, String> jdkProperties() {
        return java.util.Map.of(
                "sun.net.httpserver.maxReqTime", Long.toString(requestTimeout.toSeconds()),
                "sun.net.httpserver.maxRspTime", Long.toString(responseTimeout.toSeconds()),
                "sun.net.httpserver.idleInterval", Long.toString(idleTimeout.toSeconds()),
                "jdk.httpserver.maxConnections", Integer.toString(maxConnections),
                // Idle keep-alive connections are a part of the cap, never all of it.
                "sun.net.httpserver.maxIdleConnections",
                        Integer.toString(Math.max(1, Math.min(200, maxConnections / 2))));
    }
}
