package dev.vantage.status;

import static dev.vantage.status.StatusQuery.ageSeconds;
import static dev.vantage.status.StatusQuery.utc;

import dev.vantage.status.StatusReport.DatacenterState;
import dev.vantage.status.StatusReport.LatencyBucket;
import dev.vantage.status.StatusReport.Monitor;
import dev.vantage.status.StatusReport.State;
import dev.vantage.store.Columns;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Handle;

/**
 * The monitors part of a report: every {@code api_monitors} row joined with its states ({@code monitor_states}, as
 * the monitor module wrote them) and with aggregates of {@code api_heartbeats}, each computed for all monitors in one
 * query: probes and the newest slot per datacenter over 24 h, p50/p95 over the last hour, hourly medians over 24 h.
 */
final class MonitorStatuses {
    static final Duration PERCENTILE_WINDOW = Duration.ofHours(1);
    static final Duration DAY = Duration.ofHours(24);
    static final int SPARKLINE_BUCKETS = 24;

    private record MonitorBase(int id, String name, String type, boolean enabled, List<Integer> datacenters) {}

    /** A {@code monitor_states} row; {@code datacenterId} null for the global row. */
    private record StateRow(
            int monitorId,
            Integer datacenterId,
            String state,
            Instant since,
            boolean flapping,
            String details,
            Instant lastScheduledAt) {}

    /** Probes of one monitor in one datacenter over the last 24 h. */
    private record Probes(long probes, long successes, Instant last) {}

    private record Percentiles(Double p50, Double p95) {}

    private final Instant now;
    private final Map<Integer, String> codes;
    /** Per monitor: the global state under key 0 (no datacenter has id 0: serial ids start at 1), else by dc id. */
    private final Map<Integer, Map<Integer, StateRow>> states = new HashMap<>();

    private final Map<Integer, Map<Integer, Probes>> probes = new HashMap<>();
    private final Map<Integer, Percentiles> percentiles = new HashMap<>();
    private final Map<Integer, Double[]> sparklines = new HashMap<>();

    private MonitorStatuses(Instant now, Map<Integer, String> codes) {
        this.now = now;
        this.codes = codes;
    }

    static List<Monitor> read(Handle h, Instant now, Map<Integer, String> codes) {
        var m = new MonitorStatuses(now, codes);
        m.readStates(h);
        var window = m.window(h);
        m.readProbes(h, window);
        m.readPercentiles(h);
        m.readSparklines(h, window);
        return m.readMonitors(h).stream().map(m::monitor).toList();
    }

    private List<MonitorBase> readMonitors(Handle h) {
        return h.createQuery(
                        """
                        SELECT m.id, m.name, m.type, m.enabled,
                               array(SELECT dm.datacenter_id FROM datacenter_monitors dm
                                     WHERE dm.monitor_id = m.id ORDER BY 1)
                        FROM api_monitors m ORDER BY m.id
                        """)
                .map((rs, ctx) -> new MonitorBase(
                        rs.getInt(1),
                        rs.getString(2),
                        rs.getString(3),
                        rs.getBoolean(4),
                        Columns.integers(rs.getArray(5))))
                .list();
    }

    private void readStates(Handle h) {
        h.createQuery(
                        """
                        SELECT monitor_id, datacenter_id, state, since, flapping, details, last_scheduled_at
                        FROM monitor_states
                        """)
                .map((rs, ctx) -> new StateRow(
                        rs.getInt(1),
                        (Integer) rs.getObject(2),
                        rs.getString(3),
                        Columns.instant(rs, 4),
                        rs.getBoolean(5),
                        rs.getString(6),
                        Columns.instant(rs, 7)))
                .forEach(s -> states.computeIfAbsent(s.monitorId(), k -> new HashMap<>())
                        .put(s.datacenterId() == null ? 0 : s.datacenterId(), s));
    }

    /**
     * The hours of the 24 h window the rollups may stand for: {@code [headEnd, tail)}, whole hours after the window's
     * first (partial) hour up to the first hour not rolled up yet (the current one at the latest). The rest of the
     * window, {@code (from, headEnd)} and {@code [tail, ...)}, is read from {@code api_heartbeats}. Without rollups (no
     * monitor module running its data lifecycle, or a role that may not read them) {@code tail == headEnd}: all raw.
     * A row that arrived after its hour was rolled up counts once the rollup is recomputed (within 6 h).
     */
    private record Window(Instant from, Instant headEnd, Instant tail) {
        boolean usesRollups() {
            return tail.isAfter(headEnd);
        }
    }

    private Window window(Handle h) {
        Instant from = now.minus(DAY);
        Instant headEnd = from.truncatedTo(ChronoUnit.HOURS).plus(Duration.ofHours(1));
        Instant current = now.truncatedTo(ChronoUnit.HOURS);
        boolean readable = h.createQuery("SELECT has_table_privilege('api_heartbeat_rollups', 'SELECT')")
                .mapTo(Boolean.class)
                .one();
        Instant rolledUntil = !readable
                ? null
                : h.createQuery("SELECT max(hour) + interval '1 hour' FROM api_heartbeat_rollups WHERE hour >= :from")
                        .bind("from", utc(headEnd))
                        .map((rs, ctx) -> Columns.instant(rs, 1))
                        .one();
        Instant tail = rolledUntil == null || !rolledUntil.isAfter(headEnd)
                ? headEnd
                : rolledUntil.isAfter(current) ? current : rolledUntil;
        return new Window(from, headEnd, tail);
    }

    private void readProbes(Handle h, Window w) {
        String raw =
                """
                SELECT monitor_id, datacenter_id, count(*) AS n, count(*) FILTER (WHERE success) AS ok,
                       max(scheduled_at) AS last
                FROM api_heartbeats
                WHERE scheduled_at > :from AND (scheduled_at < :head_end OR scheduled_at >= :tail)
                GROUP BY monitor_id, datacenter_id
                """;
        String rolled =
                """
                SELECT monitor_id, datacenter_id, sum(probes), sum(successes), NULL::timestamptz
                FROM api_heartbeat_rollups
                WHERE hour >= :head_end AND hour < :tail
                GROUP BY monitor_id, datacenter_id
                """;
        h.createQuery("SELECT monitor_id, datacenter_id, sum(n), sum(ok), max(last) FROM ("
                        + raw
                        + (w.usesRollups() ? " UNION ALL " + rolled : "")
                        + ") p GROUP BY monitor_id, datacenter_id")
                .bind("from", utc(w.from()))
                .bind("head_end", utc(w.headEnd()))
                .bind("tail", utc(w.tail()))
                .map((rs, ctx) -> {
                    probes.computeIfAbsent(rs.getInt(1), k -> new HashMap<>())
                            .put(rs.getInt(2), new Probes(rs.getLong(3), rs.getLong(4), Columns.instant(rs, 5)));
                    return 0;
                })
                .list();
        if (w.usesRollups()) {
            // A rolled hour does not say when its newest slot was: read that slot itself, one index probe per
            // (monitor, datacenter) whose newest heartbeat is in a rolled hour.
            h.createQuery(
                            """
                            SELECT r.monitor_id, r.datacenter_id,
                                   (SELECT max(hb.scheduled_at) FROM api_heartbeats hb
                                    WHERE hb.monitor_id = r.monitor_id AND hb.datacenter_id = r.datacenter_id
                                      AND hb.scheduled_at >= r.hour AND hb.scheduled_at < r.hour + interval '1 hour')
                            FROM (SELECT monitor_id, datacenter_id, max(hour) AS hour FROM api_heartbeat_rollups
                                  WHERE hour >= :head_end AND hour < :tail GROUP BY 1, 2) r
                            WHERE NOT EXISTS (SELECT 1 FROM api_heartbeats hb
                                              WHERE hb.monitor_id = r.monitor_id
                                                AND hb.datacenter_id = r.datacenter_id AND hb.scheduled_at >= :tail)
                            """)
                    .bind("head_end", utc(w.headEnd()))
                    .bind("tail", utc(w.tail()))
                    .map((rs, ctx) -> {
                        var own = probes.get(rs.getInt(1));
                        Probes p = own == null ? null : own.get(rs.getInt(2));
                        if (p != null) {
                            own.put(rs.getInt(2), new Probes(p.probes(), p.successes(), Columns.instant(rs, 3)));
                        }
                        return 0;
                    })
                    .list();
        }
    }

    private void readPercentiles(Handle h) {
        h.createQuery(
                        """
                        SELECT monitor_id,
                               percentile_cont(0.50) WITHIN GROUP (ORDER BY response_time_ms),
                               percentile_cont(0.95) WITHIN GROUP (ORDER BY response_time_ms)
                        FROM api_heartbeats
                        WHERE scheduled_at > :from AND success AND response_time_ms IS NOT NULL
                        GROUP BY monitor_id
                        """)
                .bind("from", utc(now.minus(PERCENTILE_WINDOW)))
                .map((rs, ctx) -> percentiles.put(rs.getInt(1), new Percentiles(rs.getDouble(2), rs.getDouble(3))))
                .list();
    }

    /**
     * Bucket i is the UTC hour {@code current - 23 h + i h}; the last one is the current hour, so far. Its value is the
     * median latency of the hour's successful probes in each datacenter, averaged over the datacenters weighted by
     * their successful probes (with one datacenter, the hour's median): from the rollups where they stand for the
     * hour, else computed the same way from the raw rows.
     */
    private void readSparklines(Handle h, Window w) {
        Instant first = sparklineStart();
        String raw =
                """
                SELECT monitor_id, datacenter_id, date_trunc('hour', scheduled_at) AS hour, count(*) AS n,
                       percentile_cont(0.50) WITHIN GROUP (ORDER BY response_time_ms) AS p50
                FROM api_heartbeats
                WHERE scheduled_at >= :first AND (scheduled_at < :head_end OR scheduled_at >= :tail)
                  AND scheduled_at < :to AND success AND response_time_ms IS NOT NULL
                GROUP BY 1, 2, 3
                """;
        String rolled =
                """
                SELECT monitor_id, datacenter_id, hour, successes, response_time_p50_ms
                FROM api_heartbeat_rollups
                WHERE hour >= :first AND hour >= :head_end AND hour < :tail AND response_time_p50_ms IS NOT NULL
                """;
        h.createQuery("SELECT monitor_id, floor(extract(epoch FROM hour - :first) / 3600)::int,"
                        + " sum(p50 * n) / sum(n) FROM ("
                        + raw
                        + (w.usesRollups() ? " UNION ALL " + rolled : "")
                        + ") b GROUP BY 1, 2")
                .bind("first", utc(first))
                .bind("head_end", utc(w.usesRollups() ? w.headEnd() : first))
                .bind("tail", utc(w.usesRollups() ? w.tail() : first))
                .bind("to", utc(now))
                .map((rs, ctx) -> {
                    int bucket = rs.getInt(2);
                    if (bucket >= 0 && bucket < SPARKLINE_BUCKETS) {
                        sparklines.computeIfAbsent(rs.getInt(1), k -> new Double[SPARKLINE_BUCKETS])[bucket] =
                                rs.getDouble(3);
                    }
                    return 0;
                })
                .list();
    }

    private Instant sparklineStart() {
        return now.truncatedTo(ChronoUnit.HOURS).minus(Duration.ofHours(SPARKLINE_BUCKETS - 1));
    }

    private Monitor monitor(MonitorBase m) {
        Map<Integer, StateRow> ownStates = states.getOrDefault(m.id(), Map.of());
        Map<Integer, Probes> ownProbes = probes.getOrDefault(m.id(), Map.of());
        // Heartbeats from datacenters no longer assigned still count towards uptime and LAST: they were probes.
        long total = 0;
        long ok = 0;
        Instant last = null;
        for (Probes p : ownProbes.values()) {
            total += p.probes();
            ok += p.successes();
            last = latest(last, p.last());
        }
        var dcs = new ArrayList<DatacenterState>();
        for (int dc : m.datacenters()) {
            Probes p = ownProbes.get(dc);
            StateRow s = ownStates.get(dc);
            Instant dcLast = latest(p == null ? null : p.last(), s == null ? null : s.lastScheduledAt());
            last = latest(last, dcLast);
            dcs.add(datacenterState(m, codes.getOrDefault(dc, "#" + dc), s, dcLast));
        }
        StateRow global = ownStates.get(0);
        if (global != null) {
            last = latest(last, global.lastScheduledAt());
        }
        Percentiles pc = percentiles.get(m.id());
        return new Monitor(
                m.id(),
                m.name(),
                m.type(),
                m.enabled(),
                !m.enabled() ? State.DISABLED : global == null ? State.PENDING : global.state(),
                m.enabled() && global != null ? global.since() : null,
                m.enabled() && global != null && global.flapping(),
                globalDetails(m, global, last),
                last,
                last == null ? null : ageSeconds(last, now),
                pc == null ? null : pc.p50(),
                pc == null ? null : pc.p95(),
                total == 0 ? null : 100.0 * ok / total,
                total,
                dcs,
                sparkline(m.id()));
    }

    private String globalDetails(MonitorBase m, StateRow global, Instant last) {
        if (!m.enabled()) {
            return "disabled";
        }
        if (global == null) {
            return m.datacenters().isEmpty() ? "no datacenter runs it" : "not evaluated yet";
        }
        // The stored text of UNKNOWN was written when the grace window ran out; the age is what a reader needs now.
        return State.UNKNOWN.equals(global.state()) && !m.datacenters().isEmpty()
                ? noData(last, now)
                : global.details();
    }

    private DatacenterState datacenterState(MonitorBase m, String code, StateRow s, Instant last) {
        if (!m.enabled()) {
            return new DatacenterState(code, State.DISABLED, null, null, last);
        }
        if (s == null) {
            return new DatacenterState(code, State.PENDING, null, "not evaluated yet", last);
        }
        String details = State.UNKNOWN.equals(s.state()) ? noData(last, now) : s.details();
        return new DatacenterState(code, s.state(), s.since(), details, last);
    }

    private List<LatencyBucket> sparkline(int monitorId) {
        Double[] values = sparklines.getOrDefault(monitorId, new Double[SPARKLINE_BUCKETS]);
        Instant from = sparklineStart();
        var buckets = new ArrayList<LatencyBucket>(SPARKLINE_BUCKETS);
        for (int i = 0; i < SPARKLINE_BUCKETS; i++) {
            buckets.add(new LatencyBucket(from.plus(Duration.ofHours(i)), values[i]));
        }
        return buckets;
    }

    /** "no data for 45 s", or "no data yet" when no heartbeat was ever seen. */
    static String noData(Instant last, Instant now) {
        return last == null ? "no data yet" : "no data for " + Ages.words(ageSeconds(last, now));
    }

    private static Instant latest(Instant a, Instant b) {
        if (a == null) {
            return b;
        }
        return b == null || a.isAfter(b) ? a : b;
    }
}
