package dev.vantage.cli;

import dev.vantage.config.ConfigurationException;
import dev.vantage.config.Environment;
import dev.vantage.web.Endpoints;
import dev.vantage.web.HttpAuth;
import dev.vantage.web.HttpLimits;
import dev.vantage.web.HttpSettings;
import dev.vantage.web.Readiness;
import dev.vantage.web.WebServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Option;

/**
 * The HTTP server's flags, shared by {@code agent}, {@code monitor} and {@code demo}. Credentials come only from the
 * environment (or {@code NAME_FILE}): a flag would show them in {@code ps}.
 */
final class HttpOptions {
    private static final Logger log = LoggerFactory.getLogger(HttpOptions.class);

    @Option(
            names = "--http-address",
            paramLabel = "ADDRESS",
            description = "Address of the HTTP server (/healthz, /readyz, /metrics); 0.0.0.0 for every interface"
                    + " (default: VANTAGE_HTTP_ADDRESS, else 127.0.0.1). Everything but /healthz asks for"
                    + " VANTAGE_HTTP_TOKEN (bearer) or VANTAGE_HTTP_BASIC_AUTH (user:password) when either is set;"
                    + " they are read from the environment only, never from a flag.")
    String address;

    @Option(
            names = "--http-port",
            paramLabel = "PORT",
            description = "Port of the HTTP server (default: VANTAGE_HTTP_PORT, else 8080 for the monitor and the demo,"
                    + " 8081 for the agent). A taken port stops the command, except the agent's default one: a"
                    + " second agent on a host then runs without its server, with one warning.")
    String port;

    @Option(names = "--no-http", description = "Do not start the HTTP server (default: on, unless VANTAGE_HTTP=off).")
    boolean off;

    HttpSettings settings(Environment env, int defaultPort) {
        boolean enabled = !off
                && env.get("VANTAGE_HTTP")
                        .map(v -> switch (v.strip().toLowerCase(Locale.ROOT)) {
                            case "on" -> true;
                            case "off" -> false;
                            default ->
                                throw new ConfigurationException(
                                        "VANTAGE_HTTP: expected 'on' or 'off', got '" + v + "'");
                        })
                        .orElse(true);
        var auth = HttpAuth.of(
                env.get("VANTAGE_HTTP_TOKEN").orElse(null),
                env.get("VANTAGE_HTTP_BASIC_AUTH").orElse(null));
        String bind = env.resolve(address, "VANTAGE_HTTP_ADDRESS").orElse(HttpSettings.DEFAULT_ADDRESS);
        boolean explicitPort = env.resolve(port, "VANTAGE_HTTP_PORT").isPresent();
        int bindPort = AgentCommand.integer(env, port, "VANTAGE_HTTP_PORT", defaultPort);
        var limits = new HttpLimits(
                seconds(env, "VANTAGE_HTTP_REQUEST_TIMEOUT", HttpLimits.DEFAULTS.requestTimeout()),
                seconds(env, "VANTAGE_HTTP_RESPONSE_TIMEOUT", HttpLimits.DEFAULTS.responseTimeout()),
                seconds(env, "VANTAGE_HTTP_IDLE_TIMEOUT", HttpLimits.DEFAULTS.idleTimeout()),
                AgentCommand.integer(env, null, "VANTAGE_HTTP_MAX_CONNECTIONS", HttpLimits.DEFAULTS.maxConnections()));
        if (!enabled) {
            return HttpSettings.off();
        }
        var settings = HttpSettings.on(bind, bindPort, auth, limits);
        return explicitPort ? settings : settings.withDefaultPort(bindPort);
    }

    private static Duration seconds(Environment env, String variable, Duration defaultValue) {
        return Duration.ofSeconds(AgentCommand.integer(env, null, variable, (int) defaultValue.toSeconds()));
    }

    /** What a command does when the default port of its HTTP server (one nobody chose) is taken. */
    enum TakenDefaultPort {
        /** Stop with the error, as for a port set explicitly: the monitor, whose server is its status page. */
        FAIL,
        /**
         * Log one warning and run without the server: the agent, whose server only answers health checks and
         * scrapes, and of which the README recommends two replicas, which on one host would meet on one port.
         */
        RUN_WITHOUT_SERVER
    }

    /** Starts the server with the operational endpoints, or nothing when it is off. */
    static Optional<WebServer> start(HttpSettings settings, PrometheusMeterRegistry meters, Readiness readiness) {
        return start(settings, TakenDefaultPort.FAIL, meters, readiness);
    }

    /**
     * Starts the server with the operational endpoints, or nothing when it is off, or when its default port is taken
     * and {@code whenTaken} says to run without it.
     *
     * @throws ConfigurationException when the address is wrong, or the port is taken and was set explicitly (or the
     *     command needs its server)
     */
    static Optional<WebServer> start(
            HttpSettings settings, TakenDefaultPort whenTaken, PrometheusMeterRegistry meters, Readiness readiness) {
        if (!settings.enabled()) {
            return Optional.empty();
        }
        WebServer server;
        try {
            server = WebServer.start(settings.address(), settings.port(), settings.auth(), settings.limits());
        } catch (WebServer.PortInUseException e) {
            if (settings.explicitPort() || whenTaken == TakenDefaultPort.FAIL) {
                throw e;
            }
            log.warn(
                    "No HTTP server (/healthz, /readyz, /metrics): {} is taken by another process, perhaps another"
                            + " agent on this host; this agent runs without it. Give each agent on a host its own port"
                            + " with VANTAGE_HTTP_PORT or --http-port (then a taken port stops it), or --no-http",
                    e.where());
            return Optional.empty();
        }
        Endpoints.mount(server, meters, readiness);
        return Optional.of(server);
    }
}
