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
 * Handlers may be added while it runs, so that a command can mount its status pages after start.
 */
public final class WebServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(WebServer.class);
    private static final Set<String> METHODS = Set.of("GET", "HEAD");
    /** How long {@link #close()} lets exchanges in progress finish. */
    private static final int STOP_SECONDS = 1;

    private final HttpServer server;
    private final ExecutorService executor;
    private final HttpAuth auth;
    private final Map<String, HttpHandler> routes = new ConcurrentHashMap<>();
    private volatile boolean closed;

    private WebServer(HttpServer server, ExecutorService executor, HttpAuth auth) {
        this.server = server;
        this.executor = executor;
        this.auth = auth;
    }

    /**
     * Binds and starts serving; logs {@code HTTP on address:port}.
     *
     * @throws ConfigurationException when the address is not one of this host's or the port is in use: one line that
     *     names both
     */
    public static WebServer start(String address, int port, HttpAuth auth) {
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
            String reason = e.getMessage() != null && e.getMessage().contains("in use")
                    ? "the port is already in use"
                    : "this host has no such address";
            throw new ConfigurationException("cannot serve HTTP on " + hostPort(bind.getAddress(), port) + ": " + reason
                    + "; set VANTAGE_HTTP_ADDRESS/--http-address and VANTAGE_HTTP_PORT/--http-port, or --no-http");
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
        return web;
    }

    /** Serves {@code path} (exactly) with {@code handler}, behind the server's authentication. */
    public WebServer route(String path, HttpHandler handler) {
        return add(path, authenticated(handler));
    }

    /** Serves {@code path} (exactly) to anyone: only for what a liveness check needs. */
    public WebServer routeOpen(String path, HttpHandler handler) {
        return add(path, handler);
    }

    private WebServer add(String path, HttpHandler handler) {
        if (path == null || !path.startsWith("/")) {
            throw new IllegalArgumentException("a route starts with /, was " + path);
        }
        routes.put(path, handler);
        return this;
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
        try (exchange) {
            HttpHandler handler = routes.get(exchange.getRequestURI().getPath());
            if (handler == null) {
                Responses.text(exchange, 404, "not found\n");
                return;
            }
            if (!METHODS.contains(exchange.getRequestMethod())) {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                Responses.text(exchange, 405, "method not allowed\n");
                return;
            }
            handler.handle(exchange);
        } catch (IOException e) {
            log.debug("HTTP exchange ended early: {}", e.getMessage()); // a client that went away
        } catch (RuntimeException e) {
            log.warn("HTTP handler of {} failed", exchange.getRequestURI().getPath(), e);
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
