package dev.vantage.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;

/**
 * The benches' loopback webhook receiver: answers 204 and notes when each (event, monitor) first arrived, both as
 * {@link System#nanoTime()} (to time against the bench's own stamps) and as a wall-clock instant (to time against
 * rows of the database).
 */
final class BenchWebhook implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** When one notification arrived. */
    record Arrival(long nanoTime, Instant at) {}

    private final HttpServer server;
    private final Map<String, Map<Integer, Arrival>> received = new ConcurrentHashMap<>();

    private BenchWebhook(HttpServer server) {
        this.server = server;
    }

    static BenchWebhook start() throws IOException {
        var server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        var receiver = new BenchWebhook(server);
        server.createContext("/", exchange -> {
            var arrival = new Arrival(System.nanoTime(), Instant.now());
            try (exchange) {
                var body = JSON.readTree(exchange.getRequestBody()).path("data");
                receiver.received
                        .computeIfAbsent(body.path("event").asText(), e -> new ConcurrentHashMap<>())
                        .putIfAbsent(body.path("monitor_id").asInt(), arrival);
                exchange.sendResponseHeaders(204, -1);
            }
        });
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.start();
        return receiver;
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/hook";
    }

    /** The first arrival of {@code event} per monitor id. */
    Map<Integer, Arrival> received(String event) {
        return received.getOrDefault(event, Map.of());
    }

    int count(String event) {
        return received(event).size();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
