package dev.vantage.bench;

import ch.qos.logback.classic.Level;
import dev.vantage.db.Database;
import dev.vantage.heartbeat.Heartbeat;
import dev.vantage.heartbeat.HeartbeatMeters;
import dev.vantage.heartbeat.HeartbeatWriter;
import dev.vantage.heartbeat.HeartbeatWriterSettings;
import dev.vantage.heartbeat.PartitionMaintainer;
import dev.vantage.probe.ErrorType;
import dev.vantage.probe.PhaseTimings;
import dev.vantage.probe.ProbeResult;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntFunction;
import java.util.function.IntPredicate;
import org.slf4j.LoggerFactory;

/**
 * Sustained throughput of {@link HeartbeatWriter} against a real PostgreSQL: {@code java -cp target/vantage.jar
 * dev.vantage.bench.WriterBench [rows] [batchSize] [setting=value ...]}. Starts an embedded PostgreSQL on loopback in
 * a temporary directory (default durability settings: fsync and synchronous_commit on; further server settings may
 * follow the batch size), migrates it, and pushes realistic HTTP heartbeats of 10,000 monitors, one slot a minute
 * each, through the writer. Not a test: it prints its figures.
 *
 * <p>{@code as=agent} among the settings writes as a LOGIN member of vantage_agent bound to the heartbeats' datacenter
 * (V10), rather than as the superuser: the agent check on api_heartbeats then runs in full. Slots then end 5 minutes
 * before the start, since the database refuses an agent's slots more than 5 minutes ahead.
 *
 * <p>{@code compare=psql} writes the same heartbeats through the writer and through psql's {@code \copy} in
 * interleaved rounds and prints the ratio: see {@link WriterComparison}. {@code producers=N} sets the number of
 * offering threads (16); {@code rate=N} offers N heartbeats a second instead of as fast as the writer takes them.
 * Every run prints PostgreSQL's CPU per row.
 */
public final class WriterBench {
    private static final int MONITORS = 10_000;
    /** Probe threads offering heartbeats; {@code producers=1} offers them in key order (16 interleave them). */
    private static int producers = 16;

    private WriterBench() {}

    public static void main(String[] args) throws Exception {
        int rows = args.length > 0 ? Integer.parseInt(args[0]) : 500_000;
        int batchSize = args.length > 1 ? Integer.parseInt(args[1]) : HeartbeatWriterSettings.DEFAULTS.batchSize();
        quietLogs();
        var serverConfig = new LinkedHashMap<String, String>();
        boolean asAgent = false;
        boolean compare = false;
        int rounds = 3;
        int psqlRowsPerCopy = 0;
        boolean encodeBefore = false;
        int rate = 0;
        Path psql = Path.of("/usr/bin/psql");
        for (int i = 2; i < args.length; i++) {
            String[] setting = args[i].split("=", 2);
            if (setting.length != 2) {
                throw new IllegalArgumentException("argument " + args[i] + " is not setting=value");
            }
            switch (setting[0]) {
                case "as" -> {
                    asAgent = setting[1].equals("agent");
                    System.out.printf("writing as %s%n", asAgent ? "a bound vantage_agent login" : "the superuser");
                }
                case "compare" -> {
                    if (!setting[1].equals("psql")) {
                        throw new IllegalArgumentException("compare=" + setting[1] + ": only compare=psql exists");
                    }
                    compare = true;
                }
                case "rounds" -> rounds = Integer.parseInt(setting[1]);
                case "psql" -> psql = Path.of(setting[1]);
                case "producers" -> producers = Integer.parseInt(setting[1]);
                case "psqlBatch" -> psqlRowsPerCopy = Integer.parseInt(setting[1]);
                case "encode" -> encodeBefore = setting[1].equals("before");
                case "rate" -> rate = Integer.parseInt(setting[1]);
                default -> {
                    serverConfig.put(setting[0], setting[1]);
                    System.out.printf("server setting %s = %s%n", setting[0], setting[1]);
                }
            }
        }
        try (var pg = BenchPostgres.start(serverConfig)) {
            var as = asAgent ? agentLogin(pg.connection()) : pg.connection();
            Instant base = asAgent
                    ? Instant.now().truncatedTo(ChronoUnit.MINUTES).minus(Duration.ofMinutes(rows / MONITORS + 6L))
                    : Instant.now().truncatedTo(ChronoUnit.HOURS);
            if (compare) {
                WriterComparison.run(
                        pg,
                        as,
                        rows,
                        batchSize,
                        rounds,
                        psql,
                        psqlRowsPerCopy,
                        encodeBefore,
                        new Generator(base)::heartbeat);
                return;
            }
            try (var pool = Database.pool(as, "bench", 4)) {
                run(pg, pool, rows, batchSize, base, rate);
            }
        }
    }

    /** A LOGIN member of vantage_agent bound to datacenter 1, the heartbeats' datacenter. */
    private static dev.vantage.config.DbConnection agentLogin(dev.vantage.config.DbConnection superuser)
            throws java.sql.SQLException {
        try (var c = Database.dedicated(superuser, "bench-setup");
                var s = c.createStatement()) {
            s.execute("INSERT INTO datacenters (id, code) VALUES (1, 'BENCH')");
            s.execute("CREATE ROLE bench_agent LOGIN PASSWORD 'bench' IN ROLE vantage_agent");
            s.execute("INSERT INTO agent_logins (login, datacenter_id) VALUES ('bench_agent', 1)");
        }
        return new dev.vantage.config.DbConnection(superuser.jdbcUrl(), "bench_agent", "bench");
    }

    /** Writes the rows as fast as the writer takes them, or at {@code rate} rows/s when it is positive. */
    private static void run(
            BenchPostgres pg, javax.sql.DataSource pool, int rows, int batchSize, Instant base, int rate)
            throws Exception {
        var registry = new SimpleMeterRegistry();
        try (var partitions = PartitionMaintainer.start(pool, Clock.systemUTC(), Duration.ofHours(1), registry)) {
            partitions.ensureNow();
        }
        var settings =
                HeartbeatWriterSettings.DEFAULTS.withBatchSize(batchSize).withShutdownDeadline(Duration.ofMinutes(5));
        System.out.printf(
                "%,d heartbeats of %,d monitors, batch size %,d, linger %d ms, %d producers, %d cores, %s%n",
                rows,
                MONITORS,
                batchSize,
                settings.linger().toMillis(),
                producers,
                Runtime.getRuntime().availableProcessors(),
                rate > 0 ? "offered at %,d rows/s".formatted(rate) : "offered as fast as the writer takes them");
        var written = registry.counter(HeartbeatMeters.WRITTEN);
        var generator = new Generator(base);
        long start;
        long end;
        long pgBefore;
        long pgAfter;
        double loadAverage;
        try (var writer = HeartbeatWriter.start(pool, settings, registry)) {
            var depth = registry.get(HeartbeatMeters.QUEUE_DEPTH).gauge();
            loadAverage = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
            pgBefore = pg.cpuTicks();
            start = System.nanoTime();
            long first = start;
            offerConcurrently(
                    i -> {
                        if (rate > 0) { // row i is due i / rate seconds after the start
                            long due = first + i * 1_000_000_000L / rate;
                            for (long wait; (wait = due - System.nanoTime()) > 0; ) {
                                LockSupport.parkNanos(wait);
                            }
                        }
                        return writer.offer(generator.heartbeat(i));
                    },
                    rows,
                    () -> depth.value() > 4.0 * batchSize);
            end = waitFor(() -> written.count() >= rows);
            pgAfter = pg.cpuTicks();
        }
        double seconds = (end - start) / 1e9;
        double pgCores = (pgAfter - pgBefore) / 100.0 / seconds;
        System.out.printf(
                "PostgreSQL CPU (all its processes): %.2f cores, %.1f µs/row, so %,.0f rows/s per PostgreSQL core"
                        + " (load average %.2f at the start)%n",
                pgCores,
                (pgAfter - pgBefore) * 10_000.0 / written.count(),
                written.count() / seconds / pgCores,
                loadAverage);
        Timer batch = registry.get(HeartbeatMeters.BATCH_DURATION).timer();
        System.out.printf(
                "rows written %,.0f in %.2f s from the first offer: %,.0f rows/s sustained%n",
                written.count(), seconds, written.count() / seconds);
        System.out.printf(
                "batches %,d, mean %.1f ms, max %.1f ms",
                batch.count(), batch.mean(TimeUnit.MILLISECONDS), batch.max(TimeUnit.MILLISECONDS));
        for (ValueAtPercentile p : batch.takeSnapshot().percentileValues()) {
            System.out.printf(", p%.0f %.1f ms", p.percentile() * 100, p.value(TimeUnit.MILLISECONDS));
        }
        System.out.printf(
                "%ndropped %,.0f, retries %,.0f%n",
                sum(registry, HeartbeatMeters.DROPPED), sum(registry, HeartbeatMeters.RETRIES));
    }

    /**
     * Offers from 16 virtual threads, as probes do (each probe encodes its own row in offer);
     * producer p makes heartbeats p, p + producers, ... so the queue stays roughly in time order. Probes are paced by
     * their schedules; here a producer pauses while the queue holds more than a few batches, so that the queue stays
     * shallow as in production instead of holding the whole run in memory.
     */
    static void offerConcurrently(
            HeartbeatWriter writer,
            IntFunction<Heartbeat> heartbeat,
            int rows,
            java.util.function.BooleanSupplier queueDeep)
            throws InterruptedException {
        offerConcurrently(i -> writer.offer(heartbeat.apply(i)), rows, queueDeep);
    }

    /** {@link #offerConcurrently(HeartbeatWriter, IntFunction, int, java.util.function.BooleanSupplier)} of offers. */
    static void offerConcurrently(IntPredicate offer, int rows, java.util.function.BooleanSupplier queueDeep)
            throws InterruptedException {
        try (var threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int p = 0; p < producers; p++) {
                int first = p;
                threads.submit(() -> {
                    for (int i = first; i < rows; i += producers) {
                        while (queueDeep.getAsBoolean()) {
                            // 4 batches take the writer ~150 ms: a 5 ms nap never lets the queue run dry, and
                            // 16 threads polling every 0.5 ms cost the bench JVM CPU the database lacked.
                            TimeUnit.MILLISECONDS.sleep(5);
                        }
                        if (!offer.test(i)) {
                            throw new IllegalStateException("the queue refused a heartbeat");
                        }
                    }
                    return null;
                });
            }
        }
    }

    /** Heartbeat i of the run: one slot a minute per monitor, monitors phase-shifted over the minute. */
    private static final class Generator {
        private final Instant base;
        private final List<Map<String, String>> responseHeaders =
                List.of(headers("nginx/1.27", "HIT"), headers("cloudflare", "DYNAMIC"));
        private final List<String> requestHeaders = List.of("User-Agent", "Accept", "Authorization");
        private final String body =
                "{\"status\":\"ok\",\"version\":\"4.2.1\",\"checks\":{\"db\":\"up\",\"cache\":\"up\"}}";

        Generator(Instant base) {
            this.base = base;
        }

        Heartbeat heartbeat(int i) {
            var random = new SplittableRandom(i);
            int monitor = 1 + i % MONITORS;
            int minute = i / MONITORS;
            Instant slot = base.plusSeconds(minute * 60L + monitor % 60);
            Instant started = slot.plus(random.nextLong(2_000), ChronoUnit.MICROS);
            double dns = ms(random, 0.5, 20);
            double connect = ms(random, 0.3, 40);
            double tls = ms(random, 2, 60);
            double server = ms(random, 5, 300);
            double transfer = ms(random, 0.01, 5);
            double ttfb = dns + connect + tls + server + 0.05;
            double total = ttfb + transfer;
            boolean failed = random.nextInt(100) < 3;
            var timings = new PhaseTimings(
                    round(dns),
                    round(connect),
                    round(tls),
                    round(server),
                    round(transfer),
                    round(ttfb),
                    round(total),
                    null);
            var result = ProbeResult.at(started)
                    .timings(timings)
                    .statusCode(failed ? 503 : 200)
                    .responseSizeBytes((long) body.length())
                    .remoteAddress("203.0.113." + (monitor % 250) + ":443")
                    .responseHeaders(responseHeaders.get(monitor % 2))
                    .body(monitor % 10 == 0 ? body : null)
                    .outcome(failed ? ErrorType.HTTP_STATUS : null, failed ? "status 503, expected 200-299" : null);
            return new Heartbeat(monitor, 1, 1, 1L, slot, result, 500, 2_000, requestHeaders);
        }
    }

    private static Map<String, String> headers(String server, String cache) {
        var h = new LinkedHashMap<String, String>();
        h.put("Content-Type", "application/json; charset=utf-8");
        h.put("Content-Length", "74");
        h.put("Server", server);
        h.put("Date", "Sun, 23 Nov 2025 09:40:00 GMT");
        h.put("Cache-Control", "no-cache, no-store, must-revalidate");
        h.put("X-Cache", cache);
        h.put("Strict-Transport-Security", "max-age=63072000; includeSubDomains");
        h.put("X-Request-Id", "7f3c2a9e-1b4d-4e8a-9c6f-2d1e0b5a4c3f");
        return Map.copyOf(h);
    }

    private static double ms(SplittableRandom random, double min, double max) {
        return min + random.nextDouble() * (max - min);
    }

    private static double round(double ms) {
        return Math.round(ms * 1_000) / 1_000.0;
    }

    static long waitFor(java.util.function.BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("rows not written within 10 minutes");
            }
            TimeUnit.MILLISECONDS.sleep(1); // a poll with a deadline, measuring to the millisecond
        }
        return System.nanoTime();
    }

    static double sum(SimpleMeterRegistry registry, String counter) {
        return registry.find(counter).counters().stream()
                .mapToDouble(c -> c.count())
                .sum();
    }

    private static void quietLogs() {
        var root = (ch.qos.logback.classic.Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.WARN);
        ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger("dev.vantage")).setLevel(Level.INFO);
    }
}
