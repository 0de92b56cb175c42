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
 * @param explicitPort true when someone chose the port (VANTAGE_HTTP_PORT, {@code --http-port}), false when it is the
 *     command's default: an agent whose default port is taken runs without its server instead of failing
 */
public record HttpSettings(
        boolean enabled, String address, int port, HttpAuth auth, HttpLimits limits, boolean explicitPort) {
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

    /** A port chosen explicitly, as before the default port could be told apart. */
    public HttpSettings(boolean enabled, String address, int port, HttpAuth auth, HttpLimits limits) {
        this(enabled, address, port, auth, limits, true);
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

    /** The same server on {@code port} as the command's default, which nobody chose. */
    public HttpSettings withDefaultPort(int port) {
        return new HttpSettings(enabled, address, port, auth, limits, false);
    }
}
