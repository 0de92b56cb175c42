package dev.vantage.bench;

import ch.qos.logback.classic.Level;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vantage.db.Database;
import dev.vantage.heartbeat.BeatKind;
import dev.vantage.heartbeat.HeartbeatRow;
import dev.vantage.heartbeat.HeartbeatWriter;
import dev.vantage.heartbeat.HeartbeatWriterSettings;
import dev.vantage.heartbeat.PushedBeat;
import dev.vantage.heartbeat.Receipt;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.LoggerFactory;

/**
 * Many push monitors against one {@code vantage monitor} process:
 *
 * <pre>
 * java -cp target/vantage.jar dev.vantage.bench.PushScaleBench [monitors] [period s] [grace s] [stopped]
 * </pre>
 *
 * <p>{@code monitors} push monitors (default 100,000) expect a beat every {@code period} seconds (default 60) with
 * {@code grace} (default 30). This JVM sends every monitor's beat once a period, spread evenly, through a heartbeat
 * writer as the ping endpoints do (each beat committed; the HTTP side is measured by {@link PushBench}). A real
 * {@code vantage monitor} runs as a process of its own on the same embedded PostgreSQL 17 and notifies a loopback
 * webhook. After one period and a half, {@code stopped} monitors (default 100) stop beating, one after the other over
 * 10 s. Figures: beats sent and rows written (every beat persisted), for each stopped monitor how long after its
 * deadline (last beat + period + grace) its state turned DOWN and its firing webhook arrived (p50, p99, max), that no
 * monitor still beating went DOWN, and the monitor process's CPU time and resident memory. Not a test.
 */
public final class PushScaleBench {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long CLOCK_TICKS_PER_SECOND = 100; // USER_HZ on Linux

    private PushScaleBench() {}

    public static void main(String[] args) throws Exception {
        int monitors = intArg(args, 0, 100_000);
        int period = intArg(args, 1, 60);
        int grace = intArg(args, 2, 30);
        int stopped = intArg(args, 3, 100);
        quietLogs();
        System.out.printf(
                "%,d push monitors, period %d s, grace %d s, %d stop beating; %d cores, JVM %s%n",
                monitors, period, grace, stopped, Runtime.getRuntime().availableProcessors(), Runtime.version());
        try (var pg = BenchPostgres.start(Map.of("shared_buffers", "512MB", "max_wal_size", "4GB"));
                var receiver = BenchWebhook.start();
                var pool = Database.pool(pg.connection(), "bench-beats", 4)) {
            Jdbi jdbi = Database.jdbi(pool);
            seed(jdbi, monitors, period, grace, receiver.url());
            Process monitor = startMonitor(pg.url());
            try {
                run(jdbi, pool, monitor, receiver, monitors, period, grace, stopped);
            } finally {
                monitor.destroy();
                monitor.waitFor(20, TimeUnit.SECONDS);
                monitor.destroyForcibly();
            }
        }
    }

    private static void run(
            Jdbi jdbi,
            javax.sql.DataSource pool,
            Process monitor,
            BenchWebhook receiver,
            int monitors,
            int period,
            int grace,
            int stopped)
            throws Exception {
        var writerSettings = HeartbeatWriterSettings.DEFAULTS
                .withLinger(Duration.ofMillis(5))
                .withShutdownDeadline(Duration.ofSeconds(10));
        var sent = new AtomicLong();
        var safe = new AtomicLong();
        var lost = new AtomicLong();
        Receipt receipt = outcome -> {
            if (outcome.safe()) {
                safe.incrementAndGet();
            } else {
                lost.incrementAndGet();
            }
        };
        // Monitor ids are 1..monitors; the stopped ones are spread over the id range.
        var random = new SplittableRandom(42);
        int[] stoppedIds =
                random.ints(1, monitors + 1).distinct().limit(stopped).sorted().toArray();
        Instant start = Instant.now().truncatedTo(ChronoUnit.SECONDS).plusSeconds(1);
        Instant stopFrom = start.plusMillis(period * 1500L);
        var stopsAt = new ConcurrentHashMap<Integer, Instant>();
        for (int i = 0; i < stoppedIds.length; i++) {
            stopsAt.put(stoppedIds[i], stopFrom.plusMillis(10_000L * i / Math.max(1, stoppedIds.length)));
        }
        var lastBeat = new ConcurrentHashMap<Integer, Instant>();
        long cpuBefore = -1;
        Instant measureFrom = null;
        Instant end = stopFrom.plusSeconds(10 + period + grace + 30);
        System.out.printf("beating from %s; stops from %s; ends by %s%n", start, stopFrom, end);
        try (var writer = HeartbeatWriter.start(pool, writerSettings, new SimpleMeterRegistry())) {
            long periodMicros = period * 1_000_000L;
            // Monitor m beats at start + (m * period / monitors) + k * period: an even spread.
            long tick = 0;
            int next = 1;
            long round = 0;
            while (Instant.now().isBefore(end)) {
                Instant now = Instant.now();
                long elapsedMicros = ChronoUnit.MICROS.between(start, now);
                // Send every beat that is due: monitor `next` of round `round`.
                while (true) {
                    long dueMicros = round * periodMicros + (long) (next - 1) * periodMicros / monitors;
                    if (dueMicros > elapsedMicros) {
                        break;
                    }
                    Instant due = start.plus(dueMicros, ChronoUnit.MICROS);
                    Instant stopAt = stopsAt.get(next);
                    if (stopAt == null || due.isBefore(stopAt)) {
                        var beat = new PushedBeat(
                                next, due, due, BeatKind.SUCCESS, null, null, null, null, "{\"source\":\"bench\"}");
                        if (writer.offer(HeartbeatRow.of(beat, receipt))) {
                            sent.incrementAndGet();
                            lastBeat.put(next, due);
                        } else {
                            lost.incrementAndGet();
                        }
                    }
                    if (++next > monitors) {
                        next = 1;
                        round++;
                    }
                }
                if (measureFrom == null && now.isAfter(start.plusSeconds(period))) {
                    // After the first period: the monitor module has configured and met every monitor.
                    measureFrom = now;
                    cpuBefore = cpuTicks(monitor.pid());
                }
                if (++tick % 500 == 0 && receiver.count("firing") >= stopped && now.isAfter(stopFrom.plusSeconds(10))) {
                    break;
                }
                TimeUnit.MILLISECONDS.sleep(2); // pacing the generator, not waiting for a condition
            }
        }
        Instant measureTo = Instant.now();
        long cpu = cpuTicks(monitor.pid()) - cpuBefore;
        long[] rss = rssKiB(monitor.pid());
        long rows = jdbi.withHandle(h -> h.createQuery("SELECT count(*) FROM api_heartbeats")
                .mapTo(Long.class)
                .one());
        System.out.printf(
                "beats sent %,d, acknowledged safe %,d, lost %,d; rows in api_heartbeats %,d%n",
                sent.get(), safe.get(), lost.get(), rows);

        List<Double> downLate = new ArrayList<>();
        List<Double> firingLate = new ArrayList<>();
        var downAt = jdbi.withHandle(h -> h.createQuery(
                        "SELECT monitor_id, updated_at FROM monitor_states WHERE datacenter_id IS NULL AND state = 'DOWN'")
                .map((rs, ctx) -> Map.entry(rs.getInt(1), rs.getTimestamp(2).toInstant()))
                .list());
        int falseDown = 0;
        for (var e : downAt) {
            Instant last = lastBeat.get(e.getKey());
            if (!stopsAt.containsKey(e.getKey()) || last == null) {
                falseDown++;
                continue;
            }
            Instant deadline = last.plusSeconds(period + grace);
            downLate.add(Duration.between(deadline, e.getValue()).toNanos() / 1e9);
        }
        for (int id : stoppedIds) {
            var arrival = receiver.received("firing").get(id);
            Instant received = arrival == null ? null : arrival.at();
            Instant last = lastBeat.get(id);
            if (received != null && last != null) {
                firingLate.add(Duration.between(last.plusSeconds(period + grace), received)
                                .toNanos()
                        / 1e9);
            }
        }
        System.out.printf(
                "DOWN states %d of %d stopped (%d of monitors still beating); firing webhooks %d%n",
                downLate.size(), stopped, falseDown, receiver.count("firing"));
        System.out.printf("deadline -> state DOWN:       %s%n", percentiles(downLate));
        System.out.printf("deadline -> firing received: %s%n", percentiles(firingLate));
        double seconds = Duration.between(measureFrom, measureTo).toNanos() / 1e9;
        System.out.printf(
                "monitor process over the last %.0f s: CPU %.1f s (%.1f%% of one core), RSS %,d MiB now, peak %,d MiB%n",
                seconds,
                cpu / (double) CLOCK_TICKS_PER_SECOND,
                100.0 * cpu / CLOCK_TICKS_PER_SECOND / seconds,
                rss[0] / 1024,
                rss[1] / 1024);
    }

    private static String percentiles(List<Double> values) {
        if (values.isEmpty()) {
            return "none";
        }
        double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return String.format(
                "p50 %.2f s, p99 %.2f s, max %.2f s (n=%d)",
                v[(int) Math.floor(0.50 * (v.length - 1))],
                v[(int) Math.floor(0.99 * (v.length - 1))],
                v[v.length - 1],
                v.length);
    }

    private static void seed(Jdbi jdbi, int monitors, int period, int grace, String webhook) {
        jdbi.useHandle(h -> {
            h.execute("INSERT INTO schedules (id, name, interval) VALUES (1, 'bench', ?)", period);
            h.execute(
                    "INSERT INTO api_monitors (id, name, type, schedule_id, grace_seconds)"
                            + " SELECT g, 'job-' || g, 'push', 1, ? FROM generate_series(1, ?) g",
                    grace,
                    monitors);
            h.execute("SELECT setval('api_monitors_id_seq', ?)", monitors);
            h.execute(
                    "INSERT INTO notification_channels (name, type, settings, is_default, group_seconds)"
                            + " VALUES ('bench webhook', 'webhook', jsonb_build_object('url', CAST(? AS text)), true,"
                            + " 0)",
                    webhook);
        });
    }

    /** {@code vantage monitor} from the jar this bench runs from, with its defaults and no HTTP server. */
    private static Process startMonitor(String dbUrl) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        String jar = System.getProperty("java.class.path");
        var builder = new ProcessBuilder(java, "-Xmx1g", "-cp", jar, "dev.vantage.Main", "monitor", "--no-http");
        builder.environment().put("DB_CONN_STRING", dbUrl);
        builder.environment().put("VANTAGE_MONITOR_NAME", "bench-monitor");
        Path log = Files.createTempFile("vantage-push-scale-monitor", ".log");
        builder.redirectErrorStream(true).redirectOutput(log.toFile());
        System.out.println("monitor process log: " + log);
        return builder.start();
    }

    private static long cpuTicks(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime
    }

    /** VmRSS and VmHWM in KiB. */
    private static long[] rssKiB(long pid) throws IOException {
        long rss = 0;
        long hwm = 0;
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("VmRSS:")) {
                rss = Long.parseLong(line.replaceAll("\\D", ""));
            } else if (line.startsWith("VmHWM:")) {
                hwm = Long.parseLong(line.replaceAll("\\D", ""));
            }
        }
        return new long[] {rss, hwm};
    }

    private static int intArg(String[] args, int index, int fallback) {
        return args.length > index ? Integer.parseInt(args[index]) : fallback;
    }

    private static void quietLogs() {
        var root = (ch.qos.logback.classic.Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.WARN);
    }
}
