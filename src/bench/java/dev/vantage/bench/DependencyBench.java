package dev.vantage.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.vantage.Meters;
import dev.vantage.db.Database;
import dev.vantage.monitor.HeartbeatCursor;
import dev.vantage.monitor.MonitorModule;
import dev.vantage.monitor.MonitorSettings;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Jdbi;

/**
 * A dependency that takes thousands of monitors down at once, against a real PostgreSQL 17 (embedded, on loopback).
 * Not a test: it prints its figures.
 *
 * <pre>
 * java -cp target/vantage.jar dev.vantage.bench.DependencyBench [monitors] [dependents] [okSlots] [linked]
 * </pre>
 *
 * <p>{@code monitors} monitors in 3 datacenters, down and up after 1 probe, two default webhook channels on loopback;
 * monitor 1 ("database") is depended on by monitors 2 .. {@code dependents} + 1. Heartbeats are committed slot by
 * slot, one transaction per datacenter and slot as agents write them, while a {@link MonitorModule} evaluates them
 * live. After {@code okSlots} passing slots the database and its dependents fail in every datacenter in one slot. The
 * figures: seconds from that slot's last commit to each channel's receipt of the database's firing, how many
 * notices each channel got and how many dependents the firing lists, the DOWN and suppressed rows in SQL, and the
 * evaluation time of the failing slot beside the passing slots' (the rate kept or not). With {@code linked} false
 * the same monitors fail without {@code monitor_dependencies} rows: every one of them fires, the baseline to compare
 * the failing slot's evaluation with.
 */
public final class DependencyBench {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int DATACENTERS = 3;

    private DependencyBench() {}

    /** A loopback webhook that keeps every body it gets, with its arrival. */
    private record Receiver(HttpServer server, List<Map.Entry<Long, JsonNode>> bodies) implements AutoCloseable {
        static Receiver start() throws IOException {
            var server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
            var receiver = new Receiver(server, new CopyOnWriteArrayList<>());
            server.createContext("/", exchange -> {
                long at = System.nanoTime();
                try (exchange) {
                    receiver.bodies.add(Map.entry(at, JSON.readTree(exchange.getRequestBody())));
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

        @Override
        public void close() {
            server.stop(0);
        }
    }

    public static void main(String[] args) throws Exception {
        int monitors = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int dependents = args.length > 1 ? Integer.parseInt(args[1]) : 2_000;
        int okSlots = args.length > 2 ? Integer.parseInt(args[2]) : 4;
        boolean linked = args.length <= 3 || Boolean.parseBoolean(args[3]);
        MonitorBench.quietLogs();
        try (var pg = BenchPostgres.start(Map.of());
                var pool = Database.pool(pg.connection(), "bench", 4);
                var first = Receiver.start();
                var second = Receiver.start();
                var agents = MonitorBench.AgentRows.keepAlive(Database.jdbi(pool))) {
            Jdbi jdbi = Database.jdbi(pool);
            MonitorBench.seed(jdbi, monitors, 60, 3_600, first.url());
            jdbi.useTransaction(h -> {
                h.execute(
                        """
                        INSERT INTO notification_channels (name, type, settings, is_default, group_seconds)
                        VALUES ('second webhook', 'webhook', jsonb_build_object('url', CAST(? AS text)), true, 0)
                        """,
                        second.url());
                h.execute("UPDATE api_monitors SET down_after = 1, up_after = 1");
                h.execute("UPDATE api_monitors SET name = 'database' WHERE id = 1");
                h.execute(
                        "INSERT INTO monitor_dependencies (monitor_id, depends_on)"
                                + " SELECT g, 1 FROM generate_series(2, ?) g",
                        linked ? dependents + 1 : 1);
            });
            System.out.printf(
                    "%,d monitors x %d datacenters, %,d %s on 'database'; 2 webhook channels; %d cores%n",
                    monitors,
                    DATACENTERS,
                    dependents,
                    linked ? "depend" : "fail with it but do not depend",
                    Runtime.getRuntime().availableProcessors());
            // The cursor exists before the first slot commits: created later, it would start past that slot.
            jdbi.useTransaction(h -> new HeartbeatCursor().load(h));
            var meters = new SimpleMeterRegistry();
            Instant base = Instant.now().truncatedTo(ChronoUnit.MINUTES).minus(okSlots + 5, ChronoUnit.MINUTES);
            long perSlot = (long) monitors * DATACENTERS;
            try (var module = MonitorModule.start(
                    MonitorSettings.defaults(pg.connection(), "bench"), meters, Clock.systemUTC())) {
                MonitorBench.waitFor(module::leading, "the monitor lease");
                double[] okSeconds = new double[okSlots];
                for (int s = 0; s < okSlots; s++) {
                    long t0 = System.nanoTime();
                    commitSlot(jdbi, monitors, dependents, s, base, false);
                    long target = perSlot * (s + 1);
                    MonitorBench.waitFor(() -> MonitorBench.evaluated(meters) >= target, "slot " + s + " evaluated");
                    okSeconds[s] = (System.nanoTime() - t0) / 1e9;
                }
                long t0 = System.nanoTime();
                commitSlot(jdbi, monitors, dependents, okSlots, base, true);
                long committed = System.nanoTime();
                MonitorBench.waitFor(
                        () -> MonitorBench.evaluated(meters) >= perSlot * (okSlots + 1), "the failing slot evaluated");
                double failSeconds = (System.nanoTime() - t0) / 1e9;
                MonitorBench.waitFor(
                        () -> !first.bodies().isEmpty() && !second.bodies().isEmpty(), "the database's firing");
                TimeUnit.SECONDS.sleep(5); // anything else would have come by now
                System.out.printf(
                        "passing slots (%,d heartbeats each): %s s from first insert to evaluated%n",
                        perSlot, format(okSeconds));
                System.out.printf(
                        "failing slot (%,d DOWN in %d datacenters): %.2f s from first insert to evaluated; rounds"
                                + " mean %.0f ms, max %.0f ms%n",
                        dependents + 1,
                        DATACENTERS,
                        failSeconds,
                        meters.get(Meters.EVALUATION_ROUNDS).timer().mean(TimeUnit.MILLISECONDS),
                        meters.get(Meters.EVALUATION_ROUNDS).timer().max(TimeUnit.MILLISECONDS));
                for (var r : List.of(first, second)) {
                    var firstBody = r.bodies().getFirst();
                    JsonNode data = firstBody.getValue().path("data");
                    System.out.printf(
                            "channel %s: %d notice(s); the first (%s of %s) %.2f s after the slot's last commit,"
                                    + " listing %,d suppressed dependents%n",
                            r.url(),
                            r.bodies().size(),
                            data.path("event").asText(),
                            data.path("monitor_name").asText(),
                            (firstBody.getKey() - committed) / 1e9,
                            data.path("suppressed").size());
                }
            }
            var sql = jdbi.withHandle(h -> h.createQuery(
                            """
                            SELECT (SELECT count(*) FROM monitor_states WHERE datacenter_id IS NULL AND state = 'DOWN'),
                                   (SELECT count(*) FROM monitor_states WHERE datacenter_id IS NOT NULL AND state = 'DOWN'),
                                   (SELECT count(*) FROM incidents i JOIN incidents d ON d.id = i.suppressed_by
                                    WHERE d.monitor_id = 1 AND NOT i.notified),
                                   (SELECT count(*) FROM notifications),
                                   (SELECT count(*) FROM notifications WHERE status = 'delivered')
                            """)
                    .map((rs, ctx) ->
                            new long[] {rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5)})
                    .one());
            System.out.printf(
                    "SQL: %,d monitors DOWN globally, %,d datacenter states DOWN, %,d incidents suppressed by the"
                            + " database's, %d notifications (%d delivered)%n",
                    sql[0], sql[1], sql[2], sql[3], sql[4]);
        }
    }

    /** One slot in every datacenter, one transaction each; when {@code failing}, monitors 1 .. dependents + 1 fail. */
    private static void commitSlot(Jdbi jdbi, int monitors, int dependents, int slot, Instant base, boolean failing) {
        Instant at = base.plus(slot, ChronoUnit.MINUTES);
        for (int dc = 1; dc <= DATACENTERS; dc++) {
            int datacenter = dc;
            jdbi.useHandle(h -> h.createUpdate(
                            """
                            INSERT INTO api_heartbeats (monitor_id, datacenter_id, agent_id, lease_epoch, scheduled_at,
                                executed_at, success, response_time_ms, response_status_code, warning_threshold_ms,
                                critical_threshold_ms, error_type, error_message)
                            SELECT m, :dc, :dc, 1, :at, :at, NOT f.failed, 40, CASE WHEN f.failed THEN 503 ELSE 200 END,
                                   500, 2000, CASE WHEN f.failed THEN 'HTTP_STATUS' END,
                                   CASE WHEN f.failed THEN 'status 503, expected 200-299' END
                            FROM generate_series(1, :monitors) m,
                            LATERAL (SELECT :failing AND m <= :dependents + 1 AS failed) f
                            """)
                    .bind("dc", datacenter)
                    .bind("at", at.atOffset(java.time.ZoneOffset.UTC))
                    .bind("monitors", monitors)
                    .bind("dependents", dependents)
                    .bind("failing", failing)
                    .execute());
        }
    }

    private static String format(double[] seconds) {
        var out = new StringBuilder();
        for (double s : seconds) {
            out.append(out.isEmpty() ? "" : ", ").append(String.format("%.2f", s));
        }
        return out.toString();
    }
}
