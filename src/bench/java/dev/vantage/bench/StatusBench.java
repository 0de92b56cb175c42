package dev.vantage.bench;

import ch.qos.logback.classic.Level;
import dev.vantage.db.Database;
import dev.vantage.status.StatusJson;
import dev.vantage.status.StatusPage;
import dev.vantage.status.StatusQuery;
import dev.vantage.status.StatusReport;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.Map;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.LoggerFactory;

/**
 * How long one status report takes to read (what {@code vantage status}, {@code /api/status} and the status page cost
 * the database) over a day of heartbeats, against a real PostgreSQL 17 (embedded, on loopback). Not a test: it prints
 * its figures.
 *
 * <pre>
 * java -cp target/vantage.jar dev.vantage.bench.StatusBench [monitors] [intervalSeconds] [runs]
 * </pre>
 *
 * <p>{@code monitors} monitors in 3 datacenters, one heartbeat every {@code intervalSeconds} each for the last 24 h
 * (1% failing), their states and agents; then {@code runs} reports read one after the other, the first one cold,
 * from the raw heartbeats alone, and again once the complete hours are rolled up (as the monitor module keeps them).
 */
public final class StatusBench {
    private static final int DATACENTERS = 3;

    private StatusBench() {}

    public static void main(String[] args) throws Exception {
        ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
                .setLevel(Level.WARN);
        int monitors = args.length > 0 ? Integer.parseInt(args[0]) : 1_000;
        int interval = args.length > 1 ? Integer.parseInt(args[1]) : 60;
        int runs = args.length > 2 ? Integer.parseInt(args[2]) : 6;
        try (var pg = BenchPostgres.start(Map.of());
                var pool = Database.pool(pg.connection(), "bench", 2)) {
            Jdbi jdbi = Database.jdbi(pool);
            long start = System.nanoTime();
            long rows = seed(jdbi, monitors, interval);
            System.out.printf(
                    "%,d monitors x %d datacenters, one heartbeat every %d s for 24 h: %,d heartbeats written in"
                            + " %.1f s; %d cores%n",
                    monitors,
                    DATACENTERS,
                    interval,
                    rows,
                    (System.nanoTime() - start) / 1e9,
                    Runtime.getRuntime().availableProcessors());
            StatusReport report = measure(jdbi, runs, "raw heartbeats only (no rollups yet)");
            long t = System.nanoTime();
            jdbi.useHandle(
                    h -> h.execute("SELECT vantage_rollup_heartbeats(date_trunc('hour', now()) - interval '25 hours',"
                            + " date_trunc('hour', now()))"));
            System.out.printf(
                    "rolled up the complete hours (what the monitor's data lifecycle does) in %.1f s%n",
                    (System.nanoTime() - t) / 1e9);
            measure(jdbi, runs, "with hourly rollups");
            String page = StatusPage.render(report);
            System.out.printf(
                    "report: %,d monitors, JSON %,d bytes, page %,d bytes (%,d gzip-compressed, as the page handler"
                            + " sends it to a browser)%n",
                    report.monitors().size(),
                    StatusJson.render(report).length(),
                    page.length(),
                    gzipped(page.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        }
    }

    /** Bytes of {@code body} gzip-compressed at the JDK's default level, as {@code StatusHandlers} sends it. */
    private static long gzipped(byte[] body) throws java.io.IOException {
        var out = new java.io.ByteArrayOutputStream();
        try (var z = new java.util.zip.GZIPOutputStream(out)) {
            z.write(body);
        }
        return out.size();
    }

    private static StatusReport measure(Jdbi jdbi, int runs, String what) {
        double[] ms = new double[runs];
        StatusReport report = null;
        for (int i = 0; i < runs; i++) {
            long t = System.nanoTime();
            report = StatusQuery.load(jdbi, Clock.systemUTC());
            ms[i] = (System.nanoTime() - t) / 1e6;
        }
        double[] warm = Arrays.copyOfRange(ms, 1, ms.length);
        Arrays.sort(warm);
        System.out.printf(
                "status report, %s: first %.0f ms; then %d runs: median %.0f ms, max %.0f ms%n",
                what, ms[0], warm.length, warm[warm.length / 2], warm[warm.length - 1]);
        return report;
    }

    /** Datacenters, monitors, a day of heartbeats (one statement per datacenter and hour), states, agents. */
    private static long seed(Jdbi jdbi, int monitors, int interval) {
        jdbi.useTransaction(h -> {
            h.execute("INSERT INTO datacenters (code, name) VALUES ('VA', 'VA'), ('NY', 'NY'), ('LON', 'LON')");
            h.execute("INSERT INTO schedules (name, interval) VALUES ('bench', ?)", interval);
            h.createUpdate(
                            """
                            INSERT INTO api_monitors (name, type, method, url, schedule_id)
                            SELECT 'bench ' || g, 'http', 'GET', 'http://127.0.0.1:9/' || g,
                                   (SELECT id FROM schedules) FROM generate_series(1, :n) g
                            """)
                    .bind("n", monitors)
                    .execute();
            h.execute("INSERT INTO datacenter_monitors (datacenter_id, monitor_id)"
                    + " SELECT d.id, m.id FROM datacenters d CROSS JOIN api_monitors m");
            h.execute("INSERT INTO agents (name, datacenter_id, role) SELECT 'bench-' || code, id, 'leader'"
                    + " FROM datacenters");
            h.execute("INSERT INTO monitor_states (monitor_id, datacenter_id, state, since)"
                    + " SELECT m.id, NULL, 'UP', now() FROM api_monitors m");
            h.execute("INSERT INTO monitor_states (monitor_id, datacenter_id, state, since)"
                    + " SELECT monitor_id, datacenter_id, 'UP', now() FROM datacenter_monitors");
        });
        Instant end = Instant.now().truncatedTo(ChronoUnit.MINUTES);
        long rows = 0;
        for (int hour = 24; hour >= 1; hour--) {
            Instant from = end.minus(hour, ChronoUnit.HOURS);
            for (int dc = 1; dc <= DATACENTERS; dc++) {
                int d = dc;
                rows += jdbi.withHandle(h -> h.createUpdate(
                                """
                                INSERT INTO api_heartbeats (monitor_id, datacenter_id, agent_id, lease_epoch,
                                    scheduled_at, executed_at, success, response_time_ms, response_status_code,
                                    dns_lookup_ms, tcp_connect_ms, server_processing_ms, content_transfer_ms,
                                    time_to_first_byte_ms, error_type, error_message)
                                SELECT m, :dc, :dc, 1, t, t, NOT f, 40 + (m * 7 + extract(epoch FROM t)::int) % 90,
                                       CASE WHEN f THEN 503 ELSE 200 END, 1.2, 0.8, 30.1, 0.4, 32.5,
                                       CASE WHEN f THEN 'HTTP_STATUS' END,
                                       CASE WHEN f THEN 'status 503, expected 200-299' END
                                FROM generate_series(1, :monitors) m,
                                     generate_series(:from, :from + interval '1 hour' - interval '1 second',
                                                     :interval * interval '1 second') t,
                                     LATERAL (SELECT (m * 31 + extract(epoch FROM t)::int / :interval * 17
                                                      + :dc * 7) % 100 = 0 AS f) failing(f)
                                """)
                        .bind("dc", d)
                        .bind("monitors", monitors)
                        .bind("from", from.atOffset(ZoneOffset.UTC))
                        .bind("interval", interval)
                        .execute());
            }
        }
        jdbi.useHandle(h -> h.execute("VACUUM ANALYZE"));
        return rows;
    }
}
