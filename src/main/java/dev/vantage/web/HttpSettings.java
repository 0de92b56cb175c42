package dev.vantage.web;

import dev.vantage.config.ConfigurationException;
import java.util.Objects;

/**
 * Where the HTTP server of an agent or a monitor listens, and who may read it. Validated once here, with the name of the
 * setting in every message.
 *
 * @param enabled false turns the server off ({@code --no-http}, {@code VANTAGE_HTTP=off})
 * @param address the address to bind, an IP literal or a name of this host (default 127.0.0.1)
 * @param port 0 to 65535; 0 picks a free port (tests)
 * @param auth who may read everything but {@code /healthz}
 * @param limits deadlines and the connection cap
 */
public record HttpSettings(boolean enabled, String address, int port, HttpAuth auth, HttpLimits limits) {
    public static final String DEFAULT_ADDRESS = "127.0.0.1";
    public static final int MONITOR_PORT = 8080;
    public static final int AGENT_PORT = 8081;

    public HttpSettings {
        Objects.requireNonNull(auth, "auth");
        Objects.requireNonNull(limits, "limits");
        if (address == null || address.isBlank()) {
            throw new ConfigurationException("VANTAGE_HTTP_ADDRESS: expected an address such as 127.0.0.1 or 0.0.0.0");
        }
        address = address.strip();
        if (port < 0 || port > 65_535) {
            throw new ConfigurationException("VANTAGE_HTTP_PORT: expected a port from 0 to 65535, got " + port);
        }
    }

    public static HttpSettings off() {
        return new HttpSettings(false, DEFAULT_ADDRESS, 0, HttpAuth.NONE, HttpLimits.DEFAULTS);
    }

    public static HttpSettings on(String address, int port, HttpAuth auth) {
        return on(address, port, auth, HttpLimits.DEFAULTS);
    }

    public static HttpSettings on(String address, int port, HttpAuth auth, HttpLimits limits) {
        return new HttpSettings(true, address, port, auth, limits);
    }
}
