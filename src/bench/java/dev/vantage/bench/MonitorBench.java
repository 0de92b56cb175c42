package dev.vantage.bench;

import ch.qos.logback.classic.Level;
import dev.vantage.Meters;
import dev.vantage.db.Database;
import dev.vantage.heartbeat.Heartbeat;
import dev.vantage.heartbeat.HeartbeatWriter;
import dev.vantage.heartbeat.HeartbeatWriterSettings;
import dev.vantage.monitor.HeartbeatCursor;
import dev.vantage.monitor.MonitorModule;
import dev.vantage.monitor.MonitorSettings;
import dev.vantage.probe.ErrorType;
import dev.vantage.probe.PhaseTimings;
import dev.vantage.probe.ProbeResult;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.LoggerFactory;

/**
 * The monitor module against a real PostgreSQL 17 (embedded, on loopback), in two modes. Not a test: it prints its
 * figures.
 *
 * <pre>
 * java -cp target/vantage.jar dev.vantage.bench.MonitorBench throughput [monitors] [slots] [batchSize ...]
 * java -cp target/vantage.jar dev.vantage.bench.MonitorBench latency [monitors] [incidents]
 * </pre>
 *
 * <p><b>throughput</b>: heartbeats evaluated per second. A backlog of {@code monitors × 3 datacenters × slots}
 * heartbeats (one slot a minute, one transaction per datacenter and slot, as agents write them) is committed after the
 * heartbeat cursor was created, then a {@link MonitorModule} evaluates it once per batch size, from the same cursor
 * position on emptied state tables. 2% of the monitors have a 5-minute outage in two datacenters (a global incident
 * each), 1% of heartbeats fail alone and 1% are slow. Figures: rows per second of wall time from the moment the
 * module holds the lease until the last heartbeat is evaluated, and per second of round time (the transactions
 * alone).
 *
 * <p><b>latency</b>: time from the heartbeat that crosses the threshold to the webhook receipt. {@code monitors}
 * monitors every second in 3 datacenters are written through three real {@link HeartbeatWriter}s (one per datacenter,
 * as three agents, default batching); every 3 s another monitor fails in two datacenters for 4 slots. The third
 * failure in the second datacenter makes it DOWN globally: the time from its {@code offer} to the writer until a
 * loopback webhook receiver reads the firing notification is measured, and likewise from the second success to the
 * resolved notification.
 */
public final class MonitorBench {
    private static final String[] DATACENTERS = {"VA", "NY", "LON"};

    private MonitorBench() {}

    public static void main(String[] args) throws Exception {
        String mode = args.length > 0 ? args[0] : "throughput";
        quietLogs();
        switch (mode) {
            case "throughput" ->
                throughput(
                        intArg(args, 1, 1_000),
                        intArg(args, 2, 200),
                        args.length > 3
                                ? Arrays.stream(args, 3, args.length)
                                        .mapToInt(Integer::parseInt)
                                        .toArray()
                                : new int[] {5_000, 10_000, 20_000});
            case "latency" -> latency(intArg(args, 1, 1_000), intArg(args, 2, 20));
            default -> {
                System.err.println("usage: MonitorBench throughput [monitors] [slots] [batchSize ...]"
                        + " | latency [monitors] [incidents]; unknown mode: " + mode);
                System.exit(2);
            }
        }
    }

    private static void throughput(int monitors, int slots, int[] batchSizes) throws Exception {
        long rows = (long) monitors * DATACENTERS.length * slots;
        try (var pg = BenchPostgres.start(Map.of());
                var pool = Database.pool(pg.connection(), "bench", 4);
                var receiver = BenchWebhook.start();
                var agents = AgentRows.keepAlive(Database.jdbi(pool))) {
            Jdbi jdbi = Database.jdbi(pool);
            // Grace of an hour: the backlog's slots are up to `slots` minutes old, and a run must not expire them.
            seed(jdbi, monitors, 60, 3_600, receiver.url());
            var start = jdbi.inTransaction(h -> new HeartbeatCursor().load(h));
            Instant base = Instant.now().truncatedTo(ChronoUnit.MINUTES).minus(slots, ChronoUnit.MINUTES);
            long writeStart = System.nanoTime();
            for (int s = 0; s < slots; s++) {
                for (int dc = 1; dc <= DATACENTERS.length; dc++) {
                    insertSlot(jdbi, monitors, slots, dc, s, base.plus(s, ChronoUnit.MINUTES));
                }
            }
            double writeSeconds = (System.nanoTime() - writeStart) / 1e9;
            jdbi.useHandle(h -> h.execute("VACUUM ANALYZE api_heartbeats"));
            System.out.printf(
                    "%,d heartbeats (%,d monitors x %d datacenters x %d slots) written in %.1f s; %d cores%n",
                    rows,
                    monitors,
                    DATACENTERS.length,
                    slots,
                    writeSeconds,
                    Runtime.getRuntime().availableProcessors());
            int expectedIncidents = (int) java.util.stream.IntStream.rangeClosed(1, monitors)
                    .filter(MonitorBench::hasOutage)
                    .count();
            for (int batchSize : batchSizes) {
                reset(jdbi, start);
                var meters = new SimpleMeterRegistry();
                var settings =
                        MonitorSettings.defaults(pg.connection(), "bench").withBatchSize(batchSize);
                long leading;
                long done;
                try (var module = MonitorModule.start(settings, meters, Clock.systemUTC())) {
                    waitFor(module::leading, "the monitor lease");
                    leading = System.nanoTime();
                    waitFor(() -> evaluated(meters) >= rows, "the backlog evaluated");
                    done = System.nanoTime();
                }
                double wall = (done - leading) / 1e9;
                var rounds = meters.get(Meters.EVALUATION_ROUNDS).timer();
                double busy = rounds.totalTime(TimeUnit.NANOSECONDS) / 1e9;
                var outcome = jdbi.withHandle(h -> h.createQuery(
                                """
                                SELECT (SELECT count(*) FROM incidents WHERE kind = 'monitor' AND scope = 'global'),
                                       (SELECT count(*) FROM incidents WHERE kind = 'monitor'),
                                       (SELECT count(*) FROM monitor_states WHERE state = 'UNKNOWN'),
                                       (SELECT count(*) FROM notifications)
                                """)
                        .map((rs, ctx) -> new long[] {rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4)})
                        .one());
                System.out.printf(
                        "batch %,6d: %,.0f heartbeats in %.2f s from lease = %,.0f/s; %d rounds, %.2f s in rounds ="
                                + " %,.0f/s, round mean %.0f ms, max %.0f ms%n",
                        batchSize,
                        evaluated(meters),
                        wall,
                        rows / wall,
                        rounds.count(),
                        busy,
                        rows / busy,
                        rounds.mean(TimeUnit.MILLISECONDS),
                        rounds.max(TimeUnit.MILLISECONDS));
                System.out.printf(
                        "             incidents %d global (expected %d), %d in all; UNKNOWN states %d; notifications"
                                + " %d%n",
                        outcome[0], expectedIncidents, outcome[1], outcome[2], outcome[3]);
            }
        }
    }

    /** 2% of the monitors have one outage in VA and NY. */
    private static boolean hasOutage(int monitor) {
        return monitor % 50 == 0;
    }

    /**
     * One datacenter's heartbeats of one slot, one transaction, as an agent's writer commits them. Monitor m's outage
     * (when it has one) covers slots [o, o + 5) in datacenters 1 and 2; apart from it, 1% of heartbeats fail alone and
     * 1% are slower than the warning threshold.
     */
    private static void insertSlot(Jdbi jdbi, int monitors, int slots, int dc, int slot, Instant at) {
        jdbi.useHandle(h -> h.createUpdate(
                        """
                        INSERT INTO api_heartbeats (monitor_id, datacenter_id, agent_id, lease_epoch, scheduled_at,
                            executed_at, success, response_time_ms, response_status_code, dns_lookup_ms,
                            tcp_connect_ms, tls_handshake_ms, server_processing_ms, content_transfer_ms,
                            time_to_first_byte_ms, remote_address, warning_threshold_ms, critical_threshold_ms,
                            error_type, error_message, raw_request_headers, raw_response_headers)
                        SELECT m, :dc, :dc, 1, :at, :at + interval '1 millisecond' * (m % 997), NOT f.failed,
                               CASE WHEN f.slow THEN 750 ELSE 40 + (m * 7 + :slot) % 90 END,
                               CASE WHEN f.failed THEN 503 ELSE 200 END, 1.2, 0.8, 6.5, 30.1, 0.4, 38.9,
                               '127.0.0.1:443', 500, 2000,
                               CASE WHEN f.failed THEN 'HTTP_STATUS' END,
                               CASE WHEN f.failed THEN 'status 503, expected 200-299' END,
                               '["User-Agent"]'::jsonb,
                               '{"Content-Type": "application/json", "Server": "nginx"}'::jsonb
                        FROM generate_series(1, :monitors) m,
                        LATERAL (SELECT
                            (m % 50 = 0 AND :dc <= 2 AND :slot - (m * 7) % (:slots - 10) BETWEEN 0 AND 4)
                                OR (m * 31 + :slot * 17 + :dc * 7) % 100 = 0 AS failed,
                            (m * 13 + :slot * 11 + :dc) % 100 = 0 AS slow) f
                        """)
                .bind("dc", dc)
                .bind("at", at.atOffset(java.time.ZoneOffset.UTC))
                .bind("slot", slot)
                .bind("slots", slots)
                .bind("monitors", monitors)
                .execute());
    }

    /** Empties what the module writes and puts the cursor back where the backlog starts. */
    private static void reset(Jdbi jdbi, HeartbeatCursor.Position start) {
        jdbi.useTransaction(h -> {
            h.execute("TRUNCATE monitor_states, notification_attempts, notifications, incidents");
            h.execute(
                    "UPDATE monitor_cursor SET commit_xid = CAST(? AS text)::xid8, heartbeat_id = ?",
                    start.commitXid(),
                    start.heartbeatId());
        });
    }

    static double evaluated(MeterRegistry meters) {
        return meters.find(Meters.EVALUATED).counters().stream()
                .mapToDouble(c -> c.count())
                .sum();
    }

    private static void latency(int monitors, int incidents) throws Exception {
        try (var pg = BenchPostgres.start(Map.of());
                var pool = Database.pool(pg.connection(), "bench", 8);
                var receiver = BenchWebhook.start();
                var agents = AgentRows.keepAlive(Database.jdbi(pool))) {
            Jdbi jdbi = Database.jdbi(pool);
            seed(jdbi, monitors, 1, null, receiver.url());
            var writerMeters = new SimpleMeterRegistry();
            var writers = new ArrayList<HeartbeatWriter>();
            for (int dc = 1; dc <= DATACENTERS.length; dc++) {
                writers.add(HeartbeatWriter.start(pool, HeartbeatWriterSettings.DEFAULTS, writerMeters));
            }
            var settings = MonitorSettings.defaults(pg.connection(), "bench");
            System.out.printf(
                    "%,d monitors every 1 s in %d datacenters (%,d heartbeats/s) through 3 writers (batch %d, linger"
                            + " %d ms); monitor batch %d, poll %d ms; %d incidents; %d cores%n",
                    monitors,
                    DATACENTERS.length,
                    monitors * DATACENTERS.length,
                    HeartbeatWriterSettings.DEFAULTS.batchSize(),
                    HeartbeatWriterSettings.DEFAULTS.linger().toMillis(),
                    settings.batchSize(),
                    settings.poll().toMillis(),
                    incidents,
                    Runtime.getRuntime().availableProcessors());
            try (var module = MonitorModule.start(settings, new SimpleMeterRegistry(), Clock.systemUTC())) {
                waitFor(module::leading, "the monitor lease");
                // Incident k: monitor k + 1 fails in VA and NY at slots [first_k, first_k + 4), first_k = 10 + 3k.
                int lastSlot = 10 + 3 * incidents + 10;
                Map<Integer, Long> firingCrossed = new ConcurrentHashMap<>();
                Map<Integer, Long> resolvedCrossed = new ConcurrentHashMap<>();
                Instant origin = Instant.now().truncatedTo(ChronoUnit.SECONDS).plusSeconds(1);
                for (int slot = 0; slot <= lastSlot; slot++) {
                    Instant at = origin.plusSeconds(slot);
                    sleepUntil(at);
                    for (int dc = 1; dc <= DATACENTERS.length; dc++) {
                        for (int m = 1; m <= monitors; m++) {
                            int k = m - 1;
                            int offset = slot - (10 + 3 * k);
                            boolean failing = k < incidents && dc <= 2 && offset >= 0 && offset < 4;
                            writers.get(dc - 1).offer(heartbeat(m, dc, at, failing));
                            if (k < incidents && dc == 2 && offset == 2) {
                                firingCrossed.put(m, System.nanoTime()); // the third failure in the second datacenter
                            } else if (k < incidents && dc == 2 && offset == 5) {
                                resolvedCrossed.put(m, System.nanoTime()); // the second success there
                            }
                        }
                    }
                }
                try {
                    waitFor(() -> receiver.count("resolved") >= incidents, "every resolved notification");
                } catch (IllegalStateException e) {
                    diagnose(jdbi);
                    throw e;
                }
                report("firing", firingCrossed, receiver.received("firing"), incidents);
                report("resolved", resolvedCrossed, receiver.received("resolved"), incidents);
            } finally {
                writers.forEach(HeartbeatWriter::close);
            }
        }
    }

    /** What the database holds when the notifications did not all arrive: where the pipeline stopped. */
    private static void diagnose(Jdbi jdbi) {
        jdbi.useHandle(h -> {
            for (String q : List.of(
                    "SELECT count(*) || ' heartbeats, ' || count(*) FILTER (WHERE NOT success) || ' failed' FROM api_heartbeats",
                    "SELECT coalesce(string_agg(state || ' ' || n, ', '), 'no states') FROM (SELECT state, count(*) n FROM monitor_states GROUP BY state) s",
                    "SELECT count(*) || ' incidents, ' || count(*) FILTER (WHERE resolved_at IS NULL) || ' open' FROM incidents",
                    "SELECT coalesce(string_agg(event || '/' || status || ' ' || n, ', '), 'no notifications') FROM (SELECT event, status, count(*) n FROM notifications GROUP BY 1, 2) s",
                    "SELECT coalesce(string_agg(DISTINCT outcome || ': ' || coalesce(error, status_code::text, ''), '; '), 'no attempts') FROM notification_attempts")) {
                System.out.println(h.createQuery(q).mapTo(String.class).one());
            }
        });
    }

    private static void report(
            String event, Map<Integer, Long> crossed, Map<Integer, BenchWebhook.Arrival> received, int expected) {
        double[] ms = crossed.entrySet().stream()
                .filter(e -> received.containsKey(e.getKey()))
                .mapToDouble(e -> (received.get(e.getKey()).nanoTime() - e.getValue()) / 1e6)
                .sorted()
                .toArray();
        System.out.printf(
                "%-8s %d of %d received; heartbeat offered -> webhook received: p50 %.0f ms, p95 %.0f ms, max %.0f ms,"
                        + " min %.0f ms%n",
                event,
                ms.length,
                expected,
                percentile(ms, 0.50),
                percentile(ms, 0.95),
                ms.length == 0 ? Double.NaN : ms[ms.length - 1],
                ms.length == 0 ? Double.NaN : ms[0]);
    }

    /** Nearest-rank percentile of sorted values. */
    private static double percentile(double[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(p * sorted.length);
        return sorted[Math.max(0, rank - 1)];
    }

    private static Heartbeat heartbeat(int monitor, int dc, Instant slot, boolean failing) {
        var timings = new PhaseTimings(1.2, 0.8, 6.5, 30.1, 0.4, 38.9, 39.3, null);
        var result = ProbeResult.at(slot)
                .timings(timings)
                .statusCode(failing ? 503 : 200)
                .responseSizeBytes(74L)
                .remoteAddress("127.0.0.1:443")
                .responseHeaders(Map.of("Content-Type", "application/json"))
                .outcome(failing ? ErrorType.HTTP_STATUS : null, failing ? "status 503, expected 200-299" : null);
        return new Heartbeat(monitor, dc, null, null, slot, result, 500, 2_000, List.of("User-Agent"));
    }

    /** Datacenters, one schedule, monitors in every datacenter, and a default webhook channel to the receiver. */
    static void seed(Jdbi jdbi, int monitors, int intervalSeconds, Integer graceSeconds, String webhook) {
        jdbi.useTransaction(h -> {
            for (String code : DATACENTERS) {
                h.execute("INSERT INTO datacenters (code, name) VALUES (?, ?)", code, code);
            }
            h.execute(
                    "INSERT INTO schedules (name, interval, thresholds_warning, thresholds_critical)"
                            + " VALUES ('bench', ?, 500, 2000)",
                    intervalSeconds);
            h.createUpdate(
                            """
                            INSERT INTO api_monitors (name, type, method, url, schedule_id, grace_seconds)
                            SELECT 'bench ' || g, 'http', 'GET', 'http://127.0.0.1:9/' || g,
                                   (SELECT id FROM schedules WHERE name = 'bench'), :grace
                            FROM generate_series(1, :n) g
                            """)
                    .bind("n", monitors)
                    .bind("grace", graceSeconds)
                    .execute();
            h.execute("INSERT INTO datacenter_monitors (datacenter_id, monitor_id)"
                    + " SELECT d.id, m.id FROM datacenters d CROSS JOIN api_monitors m");
            // Slow-response alerts on every monitor, so that each heartbeat's phases are judged: thresholds its
            // phases stay below (DNS for every datacenter, first byte for VA only) and notices after 3 slots.
            h.execute("UPDATE api_monitors SET notify_degraded_after = 3");
            h.execute("INSERT INTO phase_thresholds (monitor_id, datacenter_id, phase, warning_ms)"
                    + " SELECT m.id, NULL, 'dns_lookup_ms', 100 FROM api_monitors m"
                    + " UNION ALL SELECT m.id, d.id, 'time_to_first_byte_ms', 1000 FROM api_monitors m, datacenters d"
                    + " WHERE d.code = 'VA'");
            h.createUpdate(
                            """
                            INSERT INTO notification_channels (name, type, settings, is_default, group_seconds)
                            VALUES ('bench webhook', 'webhook', jsonb_build_object('url', CAST(:url AS text)), true, 0)
                            """)
                    .bind("url", webhook)
                    .execute();
        });
    }

    /**
     * A leader agent row per datacenter, its {@code last_seen_at} refreshed every second: no agent runs here, and
     * without them every datacenter would be LOST.
     */
    record AgentRows(ScheduledExecutorService refresher) implements AutoCloseable {
        static AgentRows keepAlive(Jdbi jdbi) {
            jdbi.useHandle(h -> h.execute(
                    "INSERT INTO agents (name, datacenter_id, role) SELECT 'bench-' || code, id, 'leader' FROM"
                            + " datacenters"));
            var refresher = Executors.newSingleThreadScheduledExecutor();
            refresher.scheduleAtFixedRate(
                    () -> jdbi.useHandle(h -> h.execute("UPDATE agents SET last_seen_at = now()")),
                    0,
                    1,
                    TimeUnit.SECONDS);
            return new AgentRows(refresher);
        }

        @Override
        public void close() {
            refresher.shutdownNow();
        }
    }

    private static void sleepUntil(Instant at) throws InterruptedException {
        long ms = Duration.between(Instant.now(), at).toMillis();
        if (ms > 0) {
            Thread.sleep(ms);
        }
    }

    static void waitFor(BooleanSupplier done, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("not within 2 minutes: " + what);
            }
            TimeUnit.MILLISECONDS.sleep(1); // a poll with a deadline, measuring to the millisecond
        }
    }

    private static int intArg(String[] args, int index, int fallback) {
        return args.length > index ? Integer.parseInt(args[index]) : fallback;
    }

    static void quietLogs() {
        ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
                .setLevel(Level.WARN);
    }
}
