package dev.vantage.security;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A loopback HTTP server that gives every request back to its sender: each request header as an {@code X-Echo-<name>}
 * response header, the {@code Authorization} value also in {@code WWW-Authenticate}, and the request line, headers and
 * body as the response body, under a status chosen by path prefix. Whatever logs or stores a response, an error from
 * it or the request it answers, would then show the secrets the request carried.
 */
final class EchoServer implements AutoCloseable {

    /** One request as received; header names lower-case. */
    record Request(String method, String target, Map<String, String> headers, String body) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        String text() {
            var out = new StringBuilder(method).append(' ').append(target).append('\n');
            headers.forEach((k, v) -> out.append(k).append(": ").append(v).append('\n'));
            return out.append('\n').append(body).toString();
        }
    }

    private final HttpServer server;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final Map<String, Integer> statusByPrefix;
    private final List<Request> requests = new CopyOnWriteArrayList<>();

    private EchoServer(Map<String, Integer> statusByPrefix) throws IOException {
        this.statusByPrefix = Map.copyOf(statusByPrefix);
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    /** Answers a request whose path starts with a key of {@code statusByPrefix} with its status, any other with 500. */
    static EchoServer start(Map<String, Integer> statusByPrefix) {
        try {
            return new EchoServer(statusByPrefix);
        } catch (IOException e) {
            throw new IllegalStateException("cannot bind a loopback echo server", e);
        }
    }

    /** {@code http://127.0.0.1:<port>} followed by {@code pathAndQuery}. */
    String url(String pathAndQuery) {
        return "http://127.0.0.1:" + port() + pathAndQuery;
    }

    int port() {
        return server.getAddress().getPort();
    }

    List<Request> requests() {
        return List.copyOf(requests);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            var headers = new TreeMap<String, String>();
            exchange.getRequestHeaders()
                    .forEach((name, values) -> headers.put(name.toLowerCase(Locale.ROOT), String.join(",", values)));
            var request = new Request(
                    exchange.getRequestMethod(),
                    exchange.getRequestURI().toString(),
                    Map.copyOf(headers),
                    new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            requests.add(request);
            int status = status(exchange.getRequestURI().getPath());
            var response = exchange.getResponseHeaders();
            headers.forEach((name, value) -> response.add("X-Echo-" + name, value));
            String authorization = headers.get("authorization");
            if (status == 401 && authorization != null) {
                response.add(
                        "WWW-Authenticate",
                        "Bearer realm=\"echo\", error=\"invalid_token\", error_description=\"" + authorization + "\"");
            }
            if (status == 429 || status == 503) {
                response.add("Retry-After", "1");
            }
            byte[] body = ("rejected: " + request.text()).getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, body.length);
            exchange.getResponseBody().write(body);
        }
    }

    private int status(String path) {
        return statusByPrefix.entrySet().stream()
                .filter(e -> path.startsWith(e.getKey()))
                .max(Map.Entry.comparingByKey((a, b) -> Integer.compare(a.length(), b.length())))
                .map(Map.Entry::getValue)
                .orElse(500);
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
