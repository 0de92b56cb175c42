package dev.vantage.bench;

import ch.qos.logback.classic.Level;
import dev.vantage.Meters;
import dev.vantage.agent.Agent;
import dev.vantage.agent.AgentSettings;
import dev.vantage.db.Database;
import dev.vantage.heartbeat.HeartbeatWriterSettings;
import dev.vantage.lease.LeaseSettings;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.LoggerFactory;

/**
 * An agent against targets that each stream a 1 GiB body, on loopback only: {@code java -Xmx128m -cp
 * target/vantage.jar dev.vantage.bench.BodyBench [monitors=100 interval=30 warmup=10 window=90
 * max_body_bytes=67108864 include_body=true]}. The targets run in their own JVM ({@link Targets}), PostgreSQL is
 * embedded (its own processes), the agent runs in this JVM, so that this JVM's memory is the agent's. Prints the
 * agent's RSS (VmRSS sampled every second, VmHWM at the end), the heap after a full GC, and whether every slot of every
 * monitor in the window has a heartbeat, failed or not. Not a test: it prints its figures.
 */
public final class BodyBench {
    private static final long GIB = 1L << 30;

    private BodyBench() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> p = new HashMap<>(Map.of(
                "monitors", "100",
                "interval", "30",
                "warmup", "10",
                "window", "90",
                "max_body_bytes", Integer.toString(64 << 20),
                "include_body", "true"));
        for (String arg : args) {
            String[] kv = arg.split("=", 2);
            p.put(kv[0], kv[1]);
        }
        quietLogs();
        System.out.printf(
                "%s, %d cores, JVM %s, max heap %d MiB, flags %s%n",
                p,
                Runtime.getRuntime().availableProcessors(),
                Runtime.version(),
                Runtime.getRuntime().maxMemory() >> 20,
                ManagementFactory.getRuntimeMXBean().getInputArguments());
        Process targets = startTargets();
        try (var pg = BenchPostgres.start(Map.of())) {
            try (var pool = Database.pool(pg.connection(), "bench", 2)) {
                String url = new BufferedReader(new InputStreamReader(targets.getInputStream(), StandardCharsets.UTF_8))
                        .readLine();
                if (url == null || !url.startsWith("http://127.0.0.1:")) {
                    throw new IllegalStateException("the targets process gave no loopback URL: " + url);
                }
                Jdbi jdbi = Database.jdbi(pool);
                int monitors = Integer.parseInt(p.get("monitors"));
                int interval = Integer.parseInt(p.get("interval"));
                seed(
                        jdbi,
                        url,
                        monitors,
                        interval,
                        p.get("max_body_bytes"),
                        Boolean.parseBoolean(p.get("include_body")));
                run(pg, jdbi, monitors, interval, Integer.parseInt(p.get("warmup")), Integer.parseInt(p.get("window")));
            }
        } finally {
            targets.destroy();
            targets.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static void run(BenchPostgres pg, Jdbi jdbi, int monitors, int interval, int warmup, int window)
            throws Exception {
        var meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        var settings = new AgentSettings(
                pg.connection(),
                "BENCH",
                "bench",
                512,
                Duration.ofSeconds(30),
                Duration.ofSeconds(10),
                Duration.ofSeconds(10),
                HeartbeatWriterSettings.DEFAULTS,
                LeaseSettings.DEFAULTS);
        try (var agent = Agent.start(settings, meters, Clock.systemUTC())) {
            TimeUnit.SECONDS.sleep(warmup);
            Instant from = Instant.now();
            double skippedBefore = skipped(meters);
            List<Long> rss = new ArrayList<>();
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(window);
            while (System.nanoTime() < end) {
                rss.add(status("VmRSS:"));
                TimeUnit.SECONDS.sleep(1);
            }
            Instant to = Instant.now();
            double skipped = skipped(meters) - skippedBefore;
            // Slots at the end of the window finish (their timeout) and their batch commits.
            TimeUnit.SECONDS.sleep(Math.min(interval, 30) + 5);
            System.gc();
            long heapAfterGc =
                    ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
            report(jdbi, agent.datacenter().id(), from, to, monitors, interval, rss, skipped, heapAfterGc);
        }
    }

    private static void report(
            Jdbi jdbi,
            int dc,
            Instant from,
            Instant to,
            int monitors,
            int interval,
            List<Long> rss,
            double skipped,
            long heapAfterGc)
            throws IOException {
        var rows = jdbi.withHandle(h -> h.createQuery(
                        """
                        SELECT count(*) AS n, count(DISTINCT monitor_id) AS monitors,
                               count(*) FILTER (WHERE success) AS ok,
                               coalesce(string_agg(DISTINCT error_type || ': ' || left(error_message, 80), ' | '), '-')
                                   AS errors,
                               coalesce(max(length(raw_response_body)), 0) AS body_chars,
                               coalesce(max(response_size_bytes), 0) AS size
                        FROM api_heartbeats
                        WHERE datacenter_id = :dc AND scheduled_at >= :from AND scheduled_at < :to
                        """)
                .bind("dc", dc)
                .bind("from", Timestamp.from(from))
                .bind("to", Timestamp.from(to))
                .mapToMap()
                .one());
        long seconds = Duration.between(from, to).toSeconds();
        long expected = (long) monitors * (seconds / interval);
        long[] sorted = rss.stream().mapToLong(Long::longValue).sorted().toArray();
        long[] secondHalf = rss.subList(rss.size() / 2, rss.size()).stream()
                .mapToLong(Long::longValue)
                .sorted()
                .toArray();
        System.out.printf(
                "window %d s: %d slots expected (about: %d monitors x %d s / %d s)%n",
                seconds, expected, monitors, seconds, interval);
        System.out.printf(
                "heartbeats for slots in the window: %s from %s monitors (%s successful); slots skipped: %.0f%n",
                rows.get("n"), rows.get("monitors"), rows.get("ok"), skipped);
        System.out.printf("errors: %s%n", rows.get("errors"));
        System.out.printf(
                "largest response_size_bytes %s, largest raw_response_body %s chars%n",
                rows.get("size"), rows.get("body_chars"));
        System.out.printf(
                "RSS: peak (VmHWM) %d MiB; in the window min %d / median %d / max %d MiB; steady (median of the second"
                        + " half) %d MiB%n",
                status("VmHWM:") >> 10,
                sorted[0] >> 10,
                sorted[sorted.length / 2] >> 10,
                sorted[sorted.length - 1] >> 10,
                secondHalf[secondHalf.length / 2] >> 10);
        System.out.printf("heap used after a full GC: %d MiB%n", heapAfterGc >> 20);
    }

    private static double skipped(PrometheusMeterRegistry meters) {
        return meters.find(Meters.SLOTS_SKIPPED).counters().stream()
                .mapToDouble(c -> c.count())
                .sum();
    }

    /** A line of /proc/self/status in KiB. */
    private static long status(String key) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith(key)) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }

    private static void seed(Jdbi jdbi, String url, int monitors, int interval, String maxBody, boolean includeBody) {
        String settings = "{\"max_body_bytes\": " + maxBody + ", \"body_contains\": \"not in the body\"}";
        jdbi.useTransaction(h -> {
            h.execute("INSERT INTO datacenters (code, name) VALUES ('BENCH', 'Benchmark')");
            h.createUpdate("INSERT INTO schedules (name, interval, include_response_body) VALUES ('bench', :i, :b)")
                    .bind("i", interval)
                    .bind("b", includeBody)
                    .execute();
            h.createUpdate(
                            """
                            INSERT INTO api_monitors (name, type, method, url, schedule_id, settings)
                            SELECT 'gib ' || g, 'http', 'GET', :url || g, (SELECT id FROM schedules WHERE name = 'bench'),
                                   CAST(:settings AS jsonb)
                            FROM generate_series(1, :n) g
                            """)
                    .bind("url", url + "/")
                    .bind("settings", settings)
                    .bind("n", monitors)
                    .execute();
            h.execute("INSERT INTO datacenter_monitors (datacenter_id, monitor_id)"
                    + " SELECT d.id, m.id FROM datacenters d CROSS JOIN api_monitors m");
        });
        System.out.printf("%d monitors every %d s on %s/N, settings %s%n", monitors, interval, url, settings);
    }

    private static Process startTargets() throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), Targets.class.getName())
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
    }

    private static void quietLogs() {
        var root = (ch.qos.logback.classic.Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.WARN);
        ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger("dev.vantage")).setLevel(Level.ERROR);
    }

    /**
     * The targets: one loopback port where every request is answered with a 1 GiB body ({@code Content-Length:
     * 1073741824}), streamed until done or until the probe hangs up. Prints its URL on the first line of stdout.
     */
    public static final class Targets {
        private Targets() {}

        public static void main(String[] args) throws IOException {
            var server = new ServerSocket();
            server.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 1024);
            System.out.println("http://127.0.0.1:" + server.getLocalPort());
            System.out.flush();
            var executor = Executors.newVirtualThreadPerTaskExecutor();
            byte[] chunk = new byte[64 * 1024];
            Arrays.fill(chunk, (byte) 'x');
            while (true) {
                Socket s = server.accept();
                executor.execute(() -> serve(s, chunk));
            }
        }

        private static void serve(Socket s, byte[] chunk) {
            try (s) {
                InputStream in = s.getInputStream();
                int matched = 0;
                while (matched < 4) {
                    int b = in.read();
                    if (b < 0) {
                        return;
                    }
                    matched = b == "\r\n\r\n".charAt(matched) ? matched + 1 : (b == '\r' ? 1 : 0);
                }
                OutputStream out = s.getOutputStream();
                out.write(("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " + GIB + "\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                for (long sent = 0; sent < GIB; sent += chunk.length) {
                    out.write(chunk);
                }
            } catch (IOException e) {
                // the probe stopped reading: the point of the exercise
            }
        }
    }
}
