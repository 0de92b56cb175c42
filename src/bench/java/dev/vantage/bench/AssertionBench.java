package dev.vantage.bench;

import ch.qos.logback.classic.Level;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.vantage.probe.MonitorSpec;
import dev.vantage.probe.ProbeContext;
import dev.vantage.probe.ProbeResult;
import dev.vantage.probe.http.HttpMonitor;
import dev.vantage.probe.http.HttpSettings;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import org.slf4j.LoggerFactory;

/**
 * The CPU an {@code http} probe's assertions cost, on loopback only: {@code java -cp target/vantage.jar
 * dev.vantage.bench.AssertionBench [probes=5000 rounds=7]}. One JVM runs a loopback JSON server (a 1 KiB health
 * document) and probes it from one thread with the real {@link HttpMonitor}, alternating probe by probe between none and five assertions (status, response time, header, JSON path equality, JSON path comparison). The figure is the probing
 * thread's CPU time per probe ({@link ThreadMXBean#getCurrentThreadCpuTime()}): OkHttp runs a synchronous call on the
 * caller's thread, so this is the probe's own work (connect, request, read, checks), not the server's. Prints each
 * round and the medians. Not a test: it prints its figures.
 */
public final class AssertionBench {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String FIVE =
            """
            {"assertions": [
              {"subject": "status", "op": "==", "value": 200},
              {"subject": "response_time_ms", "op": "<", "value": 500},
              {"subject": "header", "name": "Content-Type", "op": "contains", "value": "json"},
              {"subject": "json", "path": "$.status", "op": "==", "value": "ok"},
              {"subject": "json", "path": "$.checks.db.latency_ms", "op": "<", "value": 50}
            ]}""";

    private AssertionBench() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> p = new HashMap<>(Map.of("probes", "5000", "rounds", "7"));
        for (String arg : args) {
            String[] kv = arg.split("=", 2);
            p.put(kv[0], kv[1]);
        }
        ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
                .setLevel(Level.WARN);
        int probes = Integer.parseInt(p.get("probes"));
        int rounds = Integer.parseInt(p.get("rounds"));
        HttpServer server = jsonServer();
        try {
            String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/health";
            HttpMonitor monitor = new HttpMonitor();
            HttpSettings none = monitor.configure(spec(url, JSON.createObjectNode()));
            HttpSettings five = monitor.configure(spec(url, JSON.readTree(FIVE)));
            System.out.printf(
                    "AssertionBench %s, %d cores, JVM %s%n",
                    p, Runtime.getRuntime().availableProcessors(), Runtime.version());
            round(monitor, none, five, probes); // warm-up: both paths compiled before anything is measured
            List<Double> noneUs = new ArrayList<>();
            List<Double> fiveUs = new ArrayList<>();
            List<Double> ratios = new ArrayList<>();
            for (int r = 0; r < rounds; r++) {
                double[] us = round(monitor, none, five, probes);
                noneUs.add(us[0]);
                fiveUs.add(us[1]);
                ratios.add(us[1] / us[0]);
                System.out.printf(
                        "round %d: none %.1f µs/probe, five assertions %.1f µs/probe (%+.1f%%)%n",
                        r + 1, us[0], us[1], (us[1] / us[0] - 1) * 100);
            }
            System.out.printf(
                    "median CPU per probe: none %.1f µs, five assertions %.1f µs; median of the rounds' ratios %+.1f%%%n",
                    median(noneUs), median(fiveUs), (median(ratios) - 1) * 100);
        } finally {
            server.stop(0);
            ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
        }
    }

    /**
     * Probes {@code n} times with each settings, alternating one with the other, so that whatever else the machine
     * does falls on both alike; the probing thread's CPU microseconds per probe of each. Every probe must succeed.
     */
    private static double[] round(HttpMonitor monitor, HttpSettings none, HttpSettings five, int n) {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        var context = new ProbeContext(Duration.ofSeconds(5), false);
        long[] cpu = new long[2];
        HttpSettings[] settings = {none, five};
        for (int i = 0; i < 2 * n; i++) {
            int which = i & 1;
            long start = threads.getCurrentThreadCpuTime();
            ProbeResult r = monitor.probe(settings[which], context);
            cpu[which] += threads.getCurrentThreadCpuTime() - start;
            if (!r.success()) {
                throw new IllegalStateException("a bench probe failed: " + r.errorType() + " " + r.errorMessage());
            }
        }
        return new double[] {cpu[0] / 1e3 / n, cpu[1] / 1e3 / n};
    }

    private static MonitorSpec spec(String url, JsonNode settings) {
        return new MonitorSpec(
                1, "bench", "http", "GET", url, Map.of(), null, null, settings, Duration.ofSeconds(1), false);
    }

    private static HttpServer jsonServer() throws java.io.IOException {
        StringBuilder doc = new StringBuilder("{\"status\":\"ok\",\"checks\":{\"db\":{\"latency_ms\":3}},\"items\":[");
        for (int i = 0; doc.length() < 1000; i++) {
            doc.append(i == 0 ? "" : ",")
                    .append("{\"id\":")
                    .append(i)
                    .append(",\"name\":\"item ")
                    .append(i)
                    .append("\"}");
        }
        byte[] body = doc.append("]}").toString().getBytes(StandardCharsets.UTF_8);
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 512);
        server.setExecutor(Executors.newFixedThreadPool(2));
        server.createContext("/health", exchange -> {
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            try (var out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
        return server;
    }

    private static double median(List<Double> values) {
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}
