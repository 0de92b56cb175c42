package dev.vantage.bench;

import ch.qos.logback.classic.Level;
import dev.vantage.Meters;
import dev.vantage.agent.Agent;
import dev.vantage.agent.AgentSettings;
import dev.vantage.config.DbConnection;
import dev.vantage.db.Database;
import dev.vantage.heartbeat.HeartbeatMeters;
import dev.vantage.heartbeat.HeartbeatWriterSettings;
import dev.vantage.lease.LeaseSettings;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.CountAtBucket;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.LoggerFactory;

/**
 * A whole agent under load, on loopback only: {@code java -cp target/vantage.jar dev.vantage.bench.AgentBench
 * <http|https|lateness|rss> [key=value ...]}. Starts an embedded PostgreSQL (its own processes) and the demo targets in
 * a separate JVM ({@code dev.vantage.demo.DemoTargets}), inserts {@code monitors} monitors on {@code /fast} in one
 * datacenter, runs one {@link Agent} in this JVM for {@code warmup} seconds, then measures a {@code window} of seconds:
 * heartbeats persisted for slots in the window, slots skipped, this JVM's CPU time (the agent's, as targets and
 * PostgreSQL run elsewhere), start lateness and RSS. Stops by itself. Not a test: it prints its figures.
 *
 * <p>Keys: {@code monitors}, {@code interval} (s), {@code warmup} (s), {@code window} (s), {@code concurrency};
 * {@code target}: a demo target ({@code https/fast}) or a loopback URL ({@code https://127.0.0.1:18443/}, then no demo
 * targets are started and {@code targetPid} names the target's process for its CPU); {@code verify}: the monitors'
 * {@code verify_tls} (default false). Side by side with Prometheus blackbox_exporter: {@code blackbox} is its probe URL
 * and {@code blackboxPid} its process; a {@link ProbeDriver} in its own JVM then asks it for the same probes/s as the
 * monitors' and the exporter's CPU per probe is printed beside the agent's, both from {@code /proc/<pid>/stat} over the
 * same window.
 */
public final class AgentBench {
    private static final Map<String, Map<String, String>> SCENARIOS = Map.of(
            "http", Map.of("monitors", "3000", "interval", "1", "warmup", "20", "window", "60", "target", "http/fast"),
            "https", Map.of("monitors", "500", "interval", "1", "warmup", "20", "window", "60", "target", "https/fast"),
            "lateness",
                    Map.of(
                            "monitors",
                            "10000",
                            "interval",
                            "30",
                            "warmup",
                            "40",
                            "window",
                            "90",
                            "target",
                            "http/fast"),
            "rss",
                    Map.of(
                            "monitors",
                            "10000",
                            "interval",
                            "30",
                            "warmup",
                            "60",
                            "window",
                            "60",
                            "target",
                            "http/fast"));

    private AgentBench() {}

    public static void main(String[] args) throws Exception {
        if (args.length == 0 || !SCENARIOS.containsKey(args[0])) {
            System.err.println("usage: AgentBench <http|https|lateness|rss> [monitors=N interval=S warmup=S window=S"
                    + " concurrency=N]");
            System.exit(2);
        }
        Map<String, String> p = new HashMap<>(SCENARIOS.get(args[0]));
        p.put("concurrency", "512");
        for (int i = 1; i < args.length; i++) {
            String[] kv = args[i].split("=", 2);
            p.put(kv[0], kv[1]);
        }
        quietLogs();
        printTlsProvider();
        System.out.printf(
                "scenario %s, %s, %d cores, JVM %s, flags %s%n",
                args[0],
                p,
                Runtime.getRuntime().availableProcessors(),
                Runtime.version(),
                ManagementFactory.getRuntimeMXBean().getInputArguments());
        boolean external = isLoopbackUrl(p.get("target"));
        Process targets = external ? null : startTargets();
        try (var pg = BenchPostgres.start(Map.of())) {
            var db = pg.connection();
            try (var pool = Database.pool(db, "bench", 2)) {
                String url = external ? p.get("target") : readUrls(targets).get(p.get("target"));
                if (!isLoopbackUrl(url)) {
                    throw new IllegalStateException("no loopback URL for " + p.get("target") + ": " + url);
                }
                seed(
                        Database.jdbi(pool),
                        url,
                        Integer.parseInt(p.get("monitors")),
                        Integer.parseInt(p.get("interval")),
                        Boolean.parseBoolean(p.getOrDefault("verify", "false")));
                long targetsPid = external ? Long.parseLong(p.getOrDefault("targetPid", "0")) : targets.pid();
                run(db, pool, p, targetsPid, postmasterPid(pg.dataDirectory()));
            }
        } finally {
            if (targets != null) {
                targets.destroy();
                targets.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    private static boolean isLoopbackUrl(String url) {
        return url != null && (url.startsWith("http://127.0.0.1:") || url.startsWith("https://127.0.0.1:"));
    }

    private static void run(DbConnection db, DataSource pool, Map<String, String> p, long targetsPid, long postmaster)
            throws Exception {
        var meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT); // as the agent command runs
        var settings = new AgentSettings(
                db,
                "BENCH",
                "bench",
                Integer.parseInt(p.get("concurrency")),
                Duration.ofSeconds(30),
                Duration.ofSeconds(10),
                Duration.ofSeconds(10),
                HeartbeatWriterSettings.DEFAULTS,
                LeaseSettings.DEFAULTS);
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        int warmup = Integer.parseInt(p.get("warmup"));
        int window = Integer.parseInt(p.get("window"));
        double rate = Double.parseDouble(p.get("monitors")) / Integer.parseInt(p.get("interval"));
        try (var agent = Agent.start(settings, meters, Clock.systemUTC());
                var blackbox = p.containsKey("blackbox")
                        ? Blackbox.start(p.get("blackbox"), Long.parseLong(p.get("blackboxPid")), rate)
                        : null) {
            TimeUnit.SECONDS.sleep(warmup);
            var peerBefore = blackbox == null ? null : blackbox.sample();
            var before = Sample.take(meters, os, targetsPid, postmaster);
            TimeUnit.SECONDS.sleep(window);
            var after = Sample.take(meters, os, targetsPid, postmaster);
            var peerAfter = blackbox == null ? null : blackbox.sample();
            double queued = meters.get(HeartbeatMeters.QUEUE_DEPTH).gauge().value();
            long rssSteady = vmRssKib();
            TimeUnit.SECONDS.sleep(3); // slots at the end of the window finish and their batch commits
            if (targetsPid != 0
                    && ProcessHandle.of(targetsPid).map(h -> !h.isAlive()).orElse(true)) {
                throw new IllegalStateException("the targets process " + targetsPid + " died during the run");
            }
            report(Database.jdbi(pool), agent.datacenter().id(), before, after, queued, rssSteady);
            if (blackbox != null) {
                Blackbox.report(before, after, peerBefore, peerAfter);
            }
        }
    }

    /** blackbox_exporter driven by a {@link ProbeDriver} in its own JVM; its CPU read from {@code /proc}. */
    private record Blackbox(Process driver, long pid, BufferedReader out, java.io.PrintStream in)
            implements AutoCloseable {

        static Blackbox start(String probeUrl, long pid, double rate) throws Exception {
            if (!probeUrl.startsWith("http://127.0.0.1:")) {
                throw new IllegalArgumentException("blackbox must be a probe URL on 127.0.0.1: " + probeUrl);
            }
            String java =
                    Path.of(System.getProperty("java.home"), "bin", "java").toString();
            Process driver = new ProcessBuilder(
                            java,
                            "-Xmx128m",
                            "-cp",
                            System.getProperty("java.class.path"),
                            ProbeDriver.class.getName(),
                            probeUrl,
                            Double.toString(rate))
                    .redirectError(ProcessBuilder.Redirect.INHERIT)
                    .start();
            return new Blackbox(
                    driver,
                    pid,
                    new BufferedReader(new InputStreamReader(driver.getInputStream(), StandardCharsets.UTF_8)),
                    new java.io.PrintStream(driver.getOutputStream(), true, StandardCharsets.UTF_8));
        }

        /** {ticks of the exporter, probes succeeded, probes failed} now. */
        long[] sample() throws Exception {
            long ticks = cpuTicks(pid);
            in.println("sample");
            String[] counts = out.readLine().split(" ");
            return new long[] {ticks, Long.parseLong(counts[0]), Long.parseLong(counts[1])};
        }

        static void report(Sample a, Sample b, long[] before, long[] after) {
            double seconds = Duration.between(a.at(), b.at()).toNanos() / 1e9;
            double agentProbes = b.probes() - a.probes();
            double agentMs = (b.agentTicks() - a.agentTicks()) * 10.0;
            long ok = after[1] - before[1];
            long failed = after[2] - before[2];
            double blackboxMs = (after[0] - before[0]) * 10.0;
            double agentPer = agentMs / agentProbes;
            double blackboxPer = blackboxMs / (ok + failed);
            System.out.printf(
                    "side by side over %.1f s (CPU from /proc/<pid>/stat): agent %,.0f probes, %.3f ms CPU per probe;"
                            + " blackbox_exporter %,d probes (%,d failed), %.3f ms CPU per probe; ratio agent/blackbox"
                            + " %.2f%n",
                    seconds, agentProbes, agentPer, ok + failed, failed, blackboxPer, agentPer / blackboxPer);
        }

        @Override
        public void close() throws Exception {
            in.close();
            if (!driver.waitFor(10, TimeUnit.SECONDS)) {
                driver.destroy();
            }
        }
    }

    /** Counters and CPU clocks at one instant. */
    private record Sample(
            Instant at,
            long agentCpuNanos,
            long agentTicks,
            long targetsCpuTicks,
            long postgresCpuTicks,
            double probes,
            Map<String, Double> skipped,
            double written,
            long gcMillis,
            List<CountAtBucket> lateness) {

        static Sample take(
                MeterRegistry meters, com.sun.management.OperatingSystemMXBean os, long targetsPid, long postmaster) {
            Map<String, Double> skipped = new LinkedHashMap<>();
            meters.find(Meters.SLOTS_SKIPPED)
                    .counters()
                    .forEach(c -> skipped.put(c.getId().getTag("reason"), c.count()));
            long gc = ManagementFactory.getGarbageCollectorMXBeans().stream()
                    .mapToLong(b -> Math.max(0, b.getCollectionTime()))
                    .sum();
            long pg = cpuTicks(postmaster)
                    + ProcessHandle.of(postmaster).stream()
                            .flatMap(ProcessHandle::descendants)
                            .mapToLong(h -> cpuTicks(h.pid()))
                            .sum();
            Timer lateness = meters.get(Meters.SCHEDULE_LATENESS).timer();
            return new Sample(
                    Instant.now(),
                    os.getProcessCpuTime(),
                    cpuTicks(ProcessHandle.current().pid()),
                    cpuTicks(targetsPid),
                    pg,
                    meters.find(Meters.PROBES).counters().stream()
                            .mapToDouble(c -> c.count())
                            .sum(),
                    skipped,
                    meters.counter(HeartbeatMeters.WRITTEN).count(),
                    gc,
                    List.of(lateness.takeSnapshot().histogramCounts()));
        }
    }

    private static void report(Jdbi jdbi, int dc, Sample a, Sample b, double queued, long rssKib) {
        double seconds = Duration.between(a.at(), b.at()).toNanos() / 1e9;
        var rows = jdbi.withHandle(h -> h.createQuery(
                        """
                        SELECT count(*) AS n, count(*) FILTER (WHERE success) AS ok,
                               percentile_cont(ARRAY[0.5, 0.99, 0.999]) WITHIN GROUP (ORDER BY
                                   extract(epoch FROM executed_at - scheduled_at) * 1000) AS late,
                               max(extract(epoch FROM executed_at - scheduled_at) * 1000) AS late_max,
                               percentile_cont(0.5) WITHIN GROUP (ORDER BY response_time_ms) AS rt50,
                               string_agg(DISTINCT error_type, ',') AS errors
                        FROM api_heartbeats
                        WHERE datacenter_id = :dc AND scheduled_at >= :from AND scheduled_at < :to
                        """)
                .bind("dc", dc)
                .bind("from", Timestamp.from(a.at()))
                .bind("to", Timestamp.from(b.at()))
                .mapToMap()
                .one());
        long persisted = ((Number) rows.get("n")).longValue();
        double probes = b.probes() - a.probes();
        double cpuMs = (b.agentCpuNanos() - a.agentCpuNanos()) / 1e6;
        System.out.printf("window %.1f s%n", seconds);
        System.out.printf(
                "heartbeats persisted for slots in the window: %,d (%,d successful) = %,.0f/s; errors: %s%n",
                persisted, ((Number) rows.get("ok")).longValue(), persisted / seconds, rows.get("errors"));
        System.out.printf(
                "probes finished in the window: %,.0f = %,.0f/s; written by the writer: %,.0f; queue at the end: %.0f%n",
                probes, probes / seconds, b.written() - a.written(), queued);
        Map<String, Double> skipped = new LinkedHashMap<>();
        b.skipped().forEach((k, v) -> skipped.put(k, v - a.skipped().getOrDefault(k, 0.0)));
        System.out.printf("slots skipped in the window: %s%n", skipped);
        System.out.printf(
                "agent JVM CPU: %,.0f ms = %.2f cores, %.3f ms per probe; GC time %d ms%n",
                cpuMs, cpuMs / 1000 / seconds, cpuMs / probes, b.gcMillis() - a.gcMillis());
        System.out.printf(
                "targets JVM CPU: %.2f cores; PostgreSQL CPU: %.2f cores%n",
                (b.targetsCpuTicks() - a.targetsCpuTicks()) / 100.0 / seconds,
                (b.postgresCpuTicks() - a.postgresCpuTicks()) / 100.0 / seconds);
        Object late = rows.get("late");
        System.out.printf(
                "start lateness (executed_at - scheduled_at), ms: p50/p99/p99.9 %s, max %.3f; median response %.3f ms%n",
                late instanceof java.sql.Array arr ? arrayText(arr) : late,
                toDouble(rows.get("late_max")),
                toDouble(rows.get("rt50")));
        System.out.printf("lateness timer (dispatch, bucket upper bounds): %s%n", timerPercentiles(a, b));
        System.out.printf(
                "RSS %,d KiB (%.0f MiB) at the end of the window; heap used %,d MiB of committed %,d MiB%n",
                rssKib,
                rssKib / 1024.0,
                (Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory()) >> 20,
                Runtime.getRuntime().totalMemory() >> 20);
    }

    private static String timerPercentiles(Sample a, Sample b) {
        double total = b.lateness().getLast().count() - a.lateness().getLast().count();
        StringBuilder out = new StringBuilder();
        double[] quantiles = {0.5, 0.99, 0.999};
        String[] names = {"p50", "p99", "p99.9"};
        for (int k = 0; k < quantiles.length; k++) {
            for (int i = 0; i < b.lateness().size(); i++) {
                double n = b.lateness().get(i).count() - a.lateness().get(i).count();
                if (n >= quantiles[k] * total) {
                    out.append(String.format(
                            "%s <= %.3f ms  ", names[k], b.lateness().get(i).bucket(TimeUnit.MILLISECONDS)));
                    break;
                }
            }
        }
        return out.append(String.format("(%,.0f dispatches)", total)).toString();
    }

    private static String arrayText(java.sql.Array arr) {
        try {
            StringBuilder out = new StringBuilder();
            for (Object o : (Object[]) arr.getArray()) {
                out.append(out.isEmpty() ? "" : " / ").append(String.format("%.3f", toDouble(o)));
            }
            return out.toString();
        } catch (java.sql.SQLException e) {
            return e.toString();
        }
    }

    private static double toDouble(Object o) {
        return o == null ? Double.NaN : ((Number) o).doubleValue();
    }

    /** Monitors like a user would insert them, all on one loopback URL, all in datacenter BENCH. */
    private static void seed(Jdbi jdbi, String url, int monitors, int intervalSeconds, boolean verify) {
        String settings = url.startsWith("https:") && !verify ? "{\"verify_tls\": false}" : "{}";
        jdbi.useTransaction(h -> {
            h.execute("INSERT INTO datacenters (code, name) VALUES ('BENCH', 'Benchmark')");
            h.createUpdate("INSERT INTO schedules (name, interval) VALUES ('bench', :interval)")
                    .bind("interval", intervalSeconds)
                    .execute();
            h.createUpdate(
                            """
                            INSERT INTO api_monitors (name, type, method, url, schedule_id, settings)
                            SELECT 'bench ' || g, 'http', 'GET', :url, (SELECT id FROM schedules WHERE name = 'bench'),
                                   CAST(:settings AS jsonb)
                            FROM generate_series(1, :n) g
                            """)
                    .bind("url", url)
                    .bind("settings", settings)
                    .bind("n", monitors)
                    .execute();
            h.execute("INSERT INTO datacenter_monitors (datacenter_id, monitor_id)"
                    + " SELECT d.id, m.id FROM datacenters d CROSS JOIN api_monitors m");
        });
        System.out.printf("%,d monitors every %d s on %s (%s)%n", monitors, intervalSeconds, url, settings);
    }

    /** The demo targets in their own JVM, so that this JVM's CPU time is the agent's alone. */
    private static Process startTargets() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String classPath = System.getProperty("java.class.path");
        return new ProcessBuilder(java, "-cp", classPath, "dev.vantage.demo.DemoTargets")
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
    }

    private static Map<String, String> readUrls(Process targets) throws Exception {
        var in = new BufferedReader(new InputStreamReader(targets.getInputStream(), StandardCharsets.UTF_8));
        Map<String, String> urls = new LinkedHashMap<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!urls.containsKey("tcp") && System.nanoTime() < deadline) {
            String line = in.readLine();
            if (line == null) {
                throw new IllegalStateException("the targets process ended: " + targets.waitFor());
            }
            String[] parts = line.split(" ", 2);
            if (parts.length == 2) {
                urls.put(parts[0], parts[1]);
            }
        }
        return urls;
    }

    /** pg_ctl daemonizes the server, so PostgreSQL's processes are found from its postmaster.pid. */
    private static long postmasterPid(Path dataDirectory) throws Exception {
        return Long.parseLong(Files.readAllLines(dataDirectory.resolve("postmaster.pid"))
                .getFirst()
                .strip());
    }

    /** user + system time of a process in clock ticks (USER_HZ, 100 on Linux); 0 when it is gone. */
    private static long cpuTicks(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[11]) + Long.parseLong(f[12]);
        } catch (Exception e) {
            return 0;
        }
    }

    private static long vmRssKib() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }

    /** The probes' TLS provider: {@code -Dvantage.tls.provider=auto|jsse|native} (the agent's VANTAGE_TLS_PROVIDER). */
    private static void printTlsProvider() {
        System.out.printf(
                "TLS provider of probes: %s%n",
                dev.vantage.probe.tls.ProbeTls.shared().provider());
    }

    private static void quietLogs() {
        var root = (ch.qos.logback.classic.Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.WARN);
        ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger("dev.vantage")).setLevel(Level.WARN);
    }
}
