package dev.vantage.bench;

import ch.qos.logback.classic.Level;
import com.sun.net.httpserver.HttpServer;
import dev.vantage.Meters;
import dev.vantage.heartbeat.Heartbeat;
import dev.vantage.lease.Leadership;
import dev.vantage.probe.MonitorRegistry;
import dev.vantage.schedule.ConfigSnapshot;
import dev.vantage.schedule.Scheduler;
import dev.vantage.store.MonitorRow;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import org.slf4j.LoggerFactory;

/**
 * Healthy monitors beside black-holed ones, on loopback only: {@code java -cp target/vantage.jar
 * dev.vantage.bench.SaturationBench [key=value ...]}. One listening socket with a backlog of 1 that never accepts is
 * the black hole (once its backlog is full, Linux drops the SYNs and every connect hangs until its timeout); an HTTP
 * server that answers 200 after {@code delay} ms is the healthy target. A {@link Scheduler} in this JVM runs
 * {@code blackholed} monitors on the hole and {@code healthy} on the target, all every {@code interval} s with a
 * {@code timeout} ms timeout, under {@code concurrency} permits, for {@code window} s. Prints the start lateness
 * (slot → probe start) p50/p99/max of the healthy monitors' probes, how many of their heartbeats failed (a false
 * DOWN: the target was healthy) and the slots skipped by reason. Not a test: it prints its figures.
 */
public final class SaturationBench {
    private static final long FIRST_BLACKHOLED_ID = 100_000;

    private SaturationBench() {}

    public static void main(String[] args) throws Exception {
        var p = new LinkedHashMap<>(Map.of(
                "blackholed", "2000",
                "healthy", "20",
                "interval", "10",
                "timeout", "9000",
                "delay", "3000",
                "window", "60",
                "concurrency", "512"));
        for (String a : args) {
            int eq = a.indexOf('=');
            if (eq < 0 || !p.containsKey(a.substring(0, eq))) {
                throw new IllegalArgumentException("unknown argument " + a + "; keys: " + p.keySet());
            }
            p.put(a.substring(0, eq), a.substring(eq + 1));
        }
        ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
                .setLevel(Level.WARN);
        int blackholed = Integer.parseInt(p.get("blackholed"));
        int healthy = Integer.parseInt(p.get("healthy"));
        int interval = Integer.parseInt(p.get("interval"));
        int timeout = Integer.parseInt(p.get("timeout"));
        long delay = Long.parseLong(p.get("delay"));
        int window = Integer.parseInt(p.get("window"));
        int concurrency = Integer.parseInt(p.get("concurrency"));

        try (var hole = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            HttpServer target = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1024);
            target.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
            target.createContext("/", exchange -> {
                try {
                    Thread.sleep(delay);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                byte[] body = "ok".getBytes(StandardCharsets.US_ASCII);
                exchange.sendResponseHeaders(200, body.length);
                exchange.getResponseBody().write(body);
                exchange.close();
            });
            target.start();
            String healthyUrl = "http://127.0.0.1:" + target.getAddress().getPort() + "/";
            String holeUrl = "http://127.0.0.1:" + hole.getLocalPort() + "/";

            var rows = new ArrayList<MonitorRow>();
            for (int i = 1; i <= healthy; i++) {
                rows.add(row(i, healthyUrl, interval, timeout));
            }
            for (int i = 0; i < blackholed; i++) {
                rows.add(row(FIRST_BLACKHOLED_ID + i, holeUrl, interval, timeout));
            }
            var written = new ConcurrentLinkedQueue<Heartbeat>();
            var meters = new SimpleMeterRegistry();
            var scheduler =
                    new Scheduler(Clock.systemUTC(), written::add, 1, null, Leadership.unleased(), concurrency, meters);
            scheduler.apply(ConfigSnapshot.build(rows, MonitorRegistry.load()));
            Instant from = Instant.now();
            Instant to = from.plusSeconds(window);
            scheduler.start();
            Thread.sleep(Duration.between(Instant.now(), to).plusMillis(timeout + 1_000L));
            scheduler.stop(Duration.ofSeconds(1));
            target.stop(0);

            report(p, written, meters, healthy, from, to);
        }
    }

    private static void report(
            Map<String, String> p,
            ConcurrentLinkedQueue<Heartbeat> written,
            SimpleMeterRegistry meters,
            int healthy,
            Instant from,
            Instant to) {
        var lateMillis = new ArrayList<Long>();
        var failures = new TreeMap<String, Integer>();
        int healthySlots = 0;
        int holeBeats = 0;
        for (Heartbeat h : written) {
            if (h.scheduledAt().isBefore(from) || !h.scheduledAt().isBefore(to)) {
                continue;
            }
            if (h.monitorId() >= FIRST_BLACKHOLED_ID) {
                holeBeats++;
                continue;
            }
            healthySlots++;
            lateMillis.add(
                    Duration.between(h.scheduledAt(), h.result().startedAt()).toMillis());
            if (!h.result().success()) {
                failures.merge(String.valueOf(h.result().errorType()), 1, Integer::sum);
            }
        }
        lateMillis.sort(null);
        var skipped = new TreeMap<String, Double>();
        for (Counter c : meters.find(Meters.SLOTS_SKIPPED).counters()) {
            skipped.put(c.getId().getTag("reason"), c.count());
        }
        System.out.println("settings: " + p);
        System.out.printf(
                "healthy heartbeats in window: %d (%d monitors, %d s window)%n",
                healthySlots, healthy, Duration.between(from, to).toSeconds());
        System.out.printf(
                "healthy start lateness ms: p50 %d, p99 %d, max %d%n",
                percentile(lateMillis, 0.50), percentile(lateMillis, 0.99), percentile(lateMillis, 1.0));
        System.out.println("healthy heartbeats that failed (false DOWN): "
                + failures.values().stream().mapToInt(Integer::intValue).sum() + " " + failures);
        System.out.println("black-holed heartbeats in window: " + holeBeats);
        System.out.println("slots skipped (all monitors, whole run): " + skipped);
    }

    private static long percentile(List<Long> sorted, double q) {
        if (sorted.isEmpty()) {
            return -1;
        }
        int i = (int) Math.ceil(q * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i)));
    }

    private static MonitorRow row(long id, String url, int intervalSeconds, int timeoutMs) {
        return new MonitorRow(
                id,
                "m" + id,
                "http",
                "GET",
                url,
                null,
                null,
                null,
                true,
                timeoutMs,
                1,
                intervalSeconds,
                false,
                null,
                null);
    }
}
