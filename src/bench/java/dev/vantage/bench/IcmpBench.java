package dev.vantage.bench;

import ch.qos.logback.classic.Level;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vantage.Meters;
import dev.vantage.agent.Agent;
import dev.vantage.agent.AgentSettings;
import dev.vantage.db.Database;
import dev.vantage.heartbeat.HeartbeatWriterSettings;
import dev.vantage.lease.LeaseSettings;
import dev.vantage.probe.MonitorRegistry;
import dev.vantage.probe.MonitorSpec;
import dev.vantage.probe.ProbeContext;
import dev.vantage.probe.icmp.IcmpMonitor;
import dev.vantage.probe.icmp.IcmpSettings;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.LoggerFactory;

/**
 * The icmp probe, on loopback only: {@code java -jar target/vantage.jar}'s class path, two modes.
 *
 * <pre>
 * java -cp target/vantage.jar dev.vantage.bench.IcmpBench rtt [count=20] [address=127.0.0.1] [rounds=5]
 * java -cp target/vantage.jar dev.vantage.bench.IcmpBench scale [monitors=1000] [interval=1] [warmup=20] [window=60]
 * </pre>
 *
 * <p><b>rtt</b>: round trips to {@code address} as {@code ping -c count -i 0.2} reports them ({@code time=} of each
 * reply) and as the icmp probe measures them ({@code count} requests 200 ms apart, after one warm-up probe), {@code
 * rounds} times each, alternating; prints both medians and their difference.
 *
 * <p><b>scale</b>: an embedded PostgreSQL and one {@link Agent} in this JVM with {@code monitors} icmp monitors on
 * 127.0.0.1 every {@code interval} s (3 requests 200 ms apart each); after {@code warmup} s, the heartbeats persisted
 * for the slots of a {@code window} of seconds against the slots due, slots skipped, agent CPU. Not a test: it prints
 * its figures.
 */
public final class IcmpBench {
    private static final Pattern PING_TIME = Pattern.compile("time=([0-9.]+) ms");

    private IcmpBench() {}

    public static void main(String[] args) throws Exception {
        if (args.length == 0 || !List.of("rtt", "scale").contains(args[0])) {
            System.err.println("usage: IcmpBench <rtt|scale> [key=value ...]");
            System.exit(2);
        }
        Map<String, String> p = new HashMap<>(
                args[0].equals("rtt")
                        ? Map.of("count", "20", "address", "127.0.0.1", "rounds", "5")
                        : Map.of("monitors", "1000", "interval", "1", "warmup", "20", "window", "60"));
        for (int i = 1; i < args.length; i++) {
            String[] kv = args[i].split("=", 2);
            if (kv.length != 2 || !p.containsKey(kv[0])) {
                throw new IllegalArgumentException("unknown argument " + args[i] + "; keys: " + p.keySet());
            }
            p.put(kv[0], kv[1]);
        }
        quietLogs();
        System.out.printf(
                "%s, %s, %d cores, JVM %s%n",
                args[0], p, Runtime.getRuntime().availableProcessors(), Runtime.version());
        if (args[0].equals("rtt")) {
            rtt(p.get("address"), Integer.parseInt(p.get("count")), Integer.parseInt(p.get("rounds")));
        } else {
            scale(
                    Integer.parseInt(p.get("monitors")),
                    Integer.parseInt(p.get("interval")),
                    Integer.parseInt(p.get("warmup")),
                    Integer.parseInt(p.get("window")));
        }
    }

    private static void rtt(String address, int count, int rounds) throws Exception {
        var monitor = new IcmpMonitor();
        String url = "icmp://" + (address.contains(":") ? "[" + address + "]" : address);
        var spec = new MonitorSpec(
                1,
                "bench",
                "icmp",
                null,
                url,
                Map.of(),
                null,
                (count + 5) * 200,
                new ObjectMapper().createObjectNode().put("count", count).put("interval_ms", 200),
                Duration.ofSeconds(60),
                false);
        IcmpSettings settings = monitor.configure(spec);
        var context = new ProbeContext(Duration.ofMillis((count + 5) * 200L), false);
        String socket = monitor.ping(settings, context).stats().socket(); // warm-up: class loading, JNA, JIT
        List<Double> ours = new ArrayList<>();
        List<Double> theirs = new ArrayList<>();
        for (int r = 0; r < rounds; r++) {
            theirs.addAll(ping(address, count));
            IcmpMonitor.Ping run = monitor.ping(settings, context);
            if (!run.result().success()) {
                throw new IllegalStateException("probe failed: " + run.result());
            }
            for (double rtt : rttsOf(run)) {
                ours.add(rtt);
            }
        }
        double a = median(ours);
        double b = median(theirs);
        System.out.printf(
                "ping -c %d -i 0.2 %s: median %.3f ms over %d replies (min %.3f, max %.3f)%n",
                count, address, b, theirs.size(), min(theirs), max(theirs));
        System.out.printf(
                "icmp probe (%s socket): median %.3f ms over %d replies (min %.3f, max %.3f)%n",
                socket, a, ours.size(), min(ours), max(ours));
        System.out.printf("difference of the medians: %+.3f ms%n", a - b);
    }

    private static double[] rttsOf(IcmpMonitor.Ping run) {
        return run.stats().rttsMs();
    }

    private static List<Double> ping(String address, int count) throws Exception {
        Process ping = new ProcessBuilder("ping", "-n", "-c", Integer.toString(count), "-i", "0.2", address)
                .redirectErrorStream(true)
                .start();
        List<Double> times = new ArrayList<>();
        try (var in = new BufferedReader(new InputStreamReader(ping.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                Matcher m = PING_TIME.matcher(line);
                if (m.find()) {
                    times.add(Double.parseDouble(m.group(1)));
                }
            }
        }
        if (!ping.waitFor(60, TimeUnit.SECONDS) || ping.exitValue() != 0 || times.isEmpty()) {
            throw new IllegalStateException("ping " + address + " failed (exit " + ping.exitValue() + ")");
        }
        return times;
    }

    private static void scale(int monitors, int interval, int warmup, int window) throws Exception {
        try (var pg = BenchPostgres.start(Map.of())) {
            var db = pg.connection();
            try (var pool = Database.pool(db, "bench", 2)) {
                Jdbi jdbi = Database.jdbi(pool);
                seed(jdbi, monitors, interval);
                var meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
                var settings = new AgentSettings(
                        db,
                        "BENCH",
                        "bench",
                        512,
                        Duration.ofSeconds(30),
                        Duration.ofSeconds(10),
                        Duration.ofSeconds(10),
                        HeartbeatWriterSettings.DEFAULTS,
                        LeaseSettings.DEFAULTS);
                var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
                try (var agent = Agent.start(settings, meters, Clock.systemUTC())) {
                    TimeUnit.SECONDS.sleep(warmup);
                    Instant from = Instant.now();
                    long cpu0 = os.getProcessCpuTime();
                    Map<String, Double> skipped0 = skipped(meters);
                    TimeUnit.SECONDS.sleep(window);
                    Instant to = Instant.now();
                    long cpu1 = os.getProcessCpuTime();
                    Map<String, Double> skipped1 = skipped(meters);
                    TimeUnit.SECONDS.sleep(5); // the window's last slots finish and their batch commits
                    report(jdbi, agent.datacenter().id(), from, to, monitors, interval, cpu1 - cpu0);
                    Map<String, Double> skippedInWindow = new LinkedHashMap<>();
                    skipped1.forEach((k, v) -> skippedInWindow.put(k, v - skipped0.getOrDefault(k, 0.0)));
                    System.out.printf("slots skipped in the window: %s%n", skippedInWindow);
                }
            }
        }
    }

    private static void report(Jdbi jdbi, int dc, Instant from, Instant to, int monitors, int interval, long cpuNanos) {
        var row = jdbi.withHandle(h -> h.createQuery(
                        """
                        WITH per_monitor AS (
                            SELECT m.id, count(h.*) AS n
                            FROM api_monitors m
                            LEFT JOIN api_heartbeats h ON h.monitor_id = m.id AND h.datacenter_id = :dc
                                 AND h.scheduled_at >= :from AND h.scheduled_at < :to
                            GROUP BY m.id)
                        SELECT (SELECT sum(n) FROM per_monitor) AS n,
                               (SELECT min(n) FROM per_monitor) AS min_n, (SELECT max(n) FROM per_monitor) AS max_n,
                               count(*) FILTER (WHERE success) AS ok,
                               sum((details->>'packets_sent')::int) AS sent,
                               sum((details->>'packets_received')::int) AS received,
                               percentile_cont(0.5) WITHIN GROUP (ORDER BY response_time_ms) AS rt50,
                               string_agg(DISTINCT error_type || ': ' || left(error_message, 80), ' | ') AS errors
                        FROM api_heartbeats
                        WHERE datacenter_id = :dc AND scheduled_at >= :from AND scheduled_at < :to
                        """)
                .bind("dc", dc)
                .bind("from", Timestamp.from(from))
                .bind("to", Timestamp.from(to))
                .mapToMap()
                .one());
        double seconds = Duration.between(from, to).toNanos() / 1e9;
        long persisted = ((Number) row.get("n")).longValue();
        long due = Math.round(seconds / interval) * monitors;
        System.out.printf(
                "window %.1f s; heartbeats persisted for its slots: %,d, due about %,d (%d monitors x %.0f slots, each"
                        + " monitor's grid has its own offset); per monitor %s to %s; %,d successful; median"
                        + " response_time_ms %.3f; errors: %s%n",
                seconds,
                persisted,
                due,
                monitors,
                seconds / interval,
                row.get("min_n"),
                row.get("max_n"),
                ((Number) row.get("ok")).longValue(),
                row.get("rt50") == null ? Double.NaN : ((Number) row.get("rt50")).doubleValue(),
                row.get("errors"));
        System.out.printf("echo requests (from details): %s sent, %s answered%n", row.get("sent"), row.get("received"));
        System.out.printf(
                "agent JVM CPU: %.2f cores, %.3f ms per probe (interval %d s)%n",
                cpuNanos / 1e9 / seconds, cpuNanos / 1e6 / Math.max(1, persisted), interval);
    }

    private static Map<String, Double> skipped(PrometheusMeterRegistry meters) {
        Map<String, Double> out = new LinkedHashMap<>();
        meters.find(Meters.SLOTS_SKIPPED)
                .counters()
                .forEach(c -> out.put(c.getId().getTag("reason"), c.count()));
        return out;
    }

    private static void seed(Jdbi jdbi, int monitors, int intervalSeconds) {
        if (MonitorRegistry.load().find("icmp").isEmpty()) {
            throw new IllegalStateException("the icmp type is not registered");
        }
        jdbi.useTransaction(h -> {
            h.execute("INSERT INTO datacenters (code, name) VALUES ('BENCH', 'Benchmark')");
            h.createUpdate("INSERT INTO schedules (name, interval) VALUES ('bench', :interval)")
                    .bind("interval", intervalSeconds)
                    .execute();
            h.createUpdate(
                            """
                            INSERT INTO api_monitors (name, type, url, schedule_id)
                            SELECT 'ping ' || g, 'icmp', 'icmp://127.0.0.1', (SELECT id FROM schedules WHERE name = 'bench')
                            FROM generate_series(1, :n) g
                            """)
                    .bind("n", monitors)
                    .execute();
            h.execute("INSERT INTO datacenter_monitors (datacenter_id, monitor_id)"
                    + " SELECT d.id, m.id FROM datacenters d CROSS JOIN api_monitors m");
        });
        System.out.printf("%,d icmp monitors every %d s on icmp://127.0.0.1%n", monitors, intervalSeconds);
    }

    private static double median(List<Double> xs) {
        double[] s = xs.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    private static double min(List<Double> xs) {
        return xs.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
    }

    private static double max(List<Double> xs) {
        return Arrays.stream(xs.stream().mapToDouble(Double::doubleValue).toArray())
                .max()
                .orElse(Double.NaN);
    }

    private static void quietLogs() {
        var root = (ch.qos.logback.classic.Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.WARN);
        ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger("dev.vantage")).setLevel(Level.WARN);
    }
}
