package dev.vantage.web;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import dev.vantage.config.ConfigurationException;
import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The small HTTP server of an agent or a monitor, on the JDK's {@link HttpServer} with one virtual thread per
 * exchange. Paths match exactly (an unknown path is 404, not the handler of its longest prefix), handlers answer GET
 * and HEAD (another method is 405), and every route but the open ones ({@code /healthz}) requires {@link HttpAuth}.
 * The one exception is a prefix route ({@link #routeOpenPrefix}): every path under its prefix, with methods of its
 * own, for endpoints whose credential is in the path (the push monitors' {@code /ping/<token>}); its paths are never
 * logged. Handlers may be added while it runs, so that a command can mount its status pages after start.
 *
 * <p>Every connection is bounded ({@link HttpLimits}): a request must arrive whole within its deadline, a response
 * must be written within its own, an idle keep-alive connection is closed, and past the connection cap a new
 * connection is closed at once. The JDK enforces them (its timer closes the connection, which ends the blocked read
 * or write of the exchange's thread); it reads them once per JVM, so the first server started fixes them.
 */
public final class WebServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(WebServer.class);
    private static final Set<String> METHODS = Set.of("GET", "HEAD");
    /** The order of an Allow header, whatever a route's set. */
    private static final List<String> ALLOW_ORDER = List.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS");
    /** The body of every 404, the server's own and its handlers' alike. */
    public static final String NOT_FOUND = "not found\n";
    /** How long {@link #close()} lets exchanges in progress finish. */
    private static final int STOP_SECONDS = 1;
    /** The limits the JDK read at this JVM's first server; null before it. */
    private static HttpLimits jvmLimits;

    private final HttpServer server;
    private final ExecutorService executor;
    private final HttpAuth auth;
    private final Map<String, Route> routes = new ConcurrentHashMap<>();
    private final Map<String, Route> prefixes = new ConcurrentHashMap<>();
    private volatile boolean closed;

    private WebServer(HttpServer server, ExecutorService executor, HttpAuth auth) {
        this.server = server;
        this.executor = executor;
        this.auth = auth;
    }

    /**
     * Binds and starts serving; logs {@code HTTP on address:port}.
     *
     * @throws ConfigurationException when the address is not one of this host's or the port is in use (then a {@link
     *     PortInUseException}): one line that names both
     */
    public static WebServer start(String address, int port, HttpAuth auth) {
        return start(address, port, auth, HttpLimits.DEFAULTS);
    }

    /** {@link #start(String, int, HttpAuth)} with limits of its own (the first server of the JVM fixes them). */
    public static WebServer start(String address, int port, HttpAuth auth, HttpLimits limits) {
        applyLimits(limits);
        InetSocketAddress bind;
        try {
            bind = new InetSocketAddress(InetAddress.getByName(address), port);
        } catch (UnknownHostException e) {
            throw new ConfigurationException("VANTAGE_HTTP_ADDRESS: cannot resolve '" + address + "'");
        }
        HttpServer server;
        try {
            server = HttpServer.create(bind, 64);
        } catch (BindException e) {
            String where = hostPort(bind.getAddress(), port);
            String advice = "; set VANTAGE_HTTP_ADDRESS/--http-address and VANTAGE_HTTP_PORT/--http-port, or --no-http";
            if (e.getMessage() != null && e.getMessage().contains("in use")) {
                throw new PortInUseException(
                        where, "cannot serve HTTP on " + where + ": the port is already in use" + advice);
            }
            throw new ConfigurationException(
                    "cannot serve HTTP on " + where + ": this host has no such address" + advice);
        } catch (IOException e) {
            throw new ConfigurationException(
                    "cannot serve HTTP on " + hostPort(bind.getAddress(), port) + ": " + e.getMessage());
        }
        var executor = Executors.newThreadPerTaskExecutor(
                Thread.ofVirtual().name("http-", 0).factory());
        server.setExecutor(executor);
        var web = new WebServer(server, executor, auth);
        server.createContext("/", web::dispatch);
        server.start();
        log.info("HTTP on {}", hostPort(server.getAddress().getAddress(), web.port()));
        warnIfExposed(bind.getAddress(), auth);
        return web;
    }

    /** The address and port asked for are valid but another socket holds them: another process, perhaps an agent. */
    public static final class PortInUseException extends ConfigurationException {
        private final String where;

        PortInUseException(String where, String message) {
            super(message);
            this.where = where;
        }

        /** address:port, as {@code HTTP on …} logs it. */
        public String where() {
            return where;
        }
    }

    /**
     * Sets the JDK's limits before its server class reads them (once, at its first server). A later server with other
     * limits gets those of the first, and says so.
     */
    private static synchronized void applyLimits(HttpLimits limits) {
        HttpLimits fixed = jvmLimits;
        if (fixed == null) {
            limits.jdkProperties().forEach(System::setProperty);
            jvmLimits = limits;
        } else if (!fixed.equals(limits)) {
            log.warn("HTTP limits are fixed for this JVM at its first server: {}; {} ignored", fixed, limits);
        }
    }

    /**
     * A server reachable beyond this host with no credentials: it serves anyway (a container must bind 0.0.0.0 to be
     * reached through a published port at all) but says so loudly, at every start.
     */
    private static void warnIfExposed(InetAddress bound, HttpAuth auth) {
        exposure(bound, auth).ifPresent(log::warn);
    }

    /** The warning for a server bound to {@code bound} with {@code auth}; empty on loopback or with credentials. */
    static java.util.Optional<String> exposure(InetAddress bound, HttpAuth auth) {
        if (bound.isLoopbackAddress() || auth.required()) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of("HTTP on " + bound.getHostAddress() + " serves /readyz, /metrics and the status"
                + " page to anyone who can reach it: set VANTAGE_HTTP_TOKEN or VANTAGE_HTTP_BASIC_AUTH, or bind"
                + " 127.0.0.1 (/healthz, ping URLs and the badges of public monitors stay open)");
    }

    /** What answers a path: the handler, the methods it takes, and its name in logs. */
    private record Route(HttpHandler handler, Set<String> methods, String name) {
        String allow() {
            return String.join(
                    ", ", ALLOW_ORDER.stream().filter(methods::contains).toList());
        }
    }

    /** Serves {@code path} (exactly) with {@code handler}, behind the server's authentication. */
    public WebServer route(String path, HttpHandler handler) {
        return add(path, authenticated(handler));
    }

    /** Serves {@code path} (exactly) to anyone: only for what a liveness check needs. */
    public WebServer routeOpen(String path, HttpHandler handler) {
        return add(path, handler);
    }

    /**
     * Serves every path that starts with {@code prefix} (which ends with {@code /}) to anyone, for the {@code
     * methods} given: for endpoints that authenticate the request themselves from its path. An exact route of the
     * same path wins. Such paths may hold a credential, so neither they nor the query are ever logged: a failure
     * names the route as {@code <prefix>…}.
     */
    public WebServer routeOpenPrefix(String prefix, Set<String> methods, HttpHandler handler) {
        if (prefix == null || !prefix.startsWith("/") || !prefix.endsWith("/") || prefix.length() < 2) {
            throw new IllegalArgumentException("a prefix route starts and ends with /, was " + prefix);
        }
        if (methods.isEmpty() || !ALLOW_ORDER.containsAll(methods)) {
            throw new IllegalArgumentException("methods must be some of " + ALLOW_ORDER + ", were " + methods);
        }
        prefixes.put(prefix, new Route(handler, Set.copyOf(methods), prefix + "…"));
        return this;
    }

    private WebServer add(String path, HttpHandler handler) {
        if (path == null || !path.startsWith("/")) {
            throw new IllegalArgumentException("a route starts with /, was " + path);
        }
        routes.put(path, new Route(handler, METHODS, path));
        return this;
    }

    /** The exact route of the path, else the route of its longest prefix; null for none. */
    private Route find(String path) {
        Route exact = routes.get(path);
        if (exact != null) {
            return exact;
        }
        Route best = null;
        int bestLength = 0;
        for (var e : prefixes.entrySet()) {
            if (path.startsWith(e.getKey()) && e.getKey().length() > bestLength) {
                best = e.getValue();
                bestLength = e.getKey().length();
            }
        }
        return best;
    }

    /** The bound port: the one given, or the one picked for port 0. */
    public int port() {
        return server.getAddress().getPort();
    }

    /** {@code http://address:port}, with a loopback address for a wildcard bind. */
    public String url() {
        InetAddress address = server.getAddress().getAddress();
        if (address.isAnyLocalAddress()) {
            address = InetAddress.getLoopbackAddress();
        }
        return "http://" + hostPort(address, port());
    }

    private void dispatch(HttpExchange exchange) throws IOException {
        Route route = null;
        try (exchange) {
            route = find(exchange.getRequestURI().getPath());
            if (route == null) {
                Responses.text(exchange, 404, NOT_FOUND);
                return;
            }
            if (!route.methods().contains(exchange.getRequestMethod())) {
                exchange.getResponseHeaders().set("Allow", route.allow());
                Responses.text(exchange, 405, "method not allowed\n");
                return;
            }
            route.handler().handle(exchange);
        } catch (IOException e) {
            // A client that went away, or a handler that gave up on a slow one. Rethrown, so that the server closes
            // the connection and forgets it, which it does only for an exception it sees.
            log.debug("HTTP exchange on {} ended early: {}", route == null ? "?" : route.name(), e.toString());
            throw e;
        } catch (RuntimeException e) {
            log.warn("HTTP handler of {} failed", route == null ? "?" : route.name(), e);
        }
    }

    private HttpHandler authenticated(HttpHandler handler) {
        return exchange -> {
            // Never logged: the header carries the credential.
            if (auth.allows(exchange.getRequestHeaders().getFirst("Authorization"))) {
                handler.handle(exchange);
                return;
            }
            for (String challenge : auth.challenges()) {
                exchange.getResponseHeaders().add("WWW-Authenticate", challenge);
            }
            Responses.text(exchange, 401, "unauthorized\n");
        };
    }

    /** Stops accepting, lets exchanges in progress finish for up to a second, then ends them. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        server.stop(STOP_SECONDS);
        executor.shutdownNow();
        try {
            executor.awaitTermination(STOP_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static String hostPort(InetAddress address, int port) {
        String host = address.getHostAddress();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }

    /** Small helpers for plain responses; HEAD gets the headers without a body. */
    public static final class Responses {
        private Responses() {}

        public static void text(HttpExchange exchange, int status, String body) throws IOException {
            send(exchange, status, "text/plain; charset=utf-8", body.getBytes(StandardCharsets.UTF_8));
        }

        public static void send(HttpExchange exchange, int status, String contentType, byte[] body) throws IOException {
            exchange.getResponseHeaders().set("Content-Type", contentType);
            exchange.getResponseHeaders().set("Cache-Control", "no-store");
            if ("HEAD".equals(exchange.getRequestMethod())) {
                exchange.sendResponseHeaders(status, -1);
                return;
            }
            exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
            if (body.length > 0) {
                exchange.getResponseBody().write(body);
            }
        }
    }
}
