package dev.vantage.status;

import static dev.vantage.status.StatusQuery.ageSeconds;
import static dev.vantage.status.StatusQuery.utc;

import dev.vantage.evaluate.Policy;
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
import java.util.function.UnaryOperator;
import org.jdbi.v3.core.Handle;

/**
 * The monitors part of a report: every {@code api_monitors} row joined with its states ({@code monitor_states}, as
 * the monitor module wrote them) and with aggregates of {@code api_heartbeats}, each computed for all monitors in one
 * query: probes and the newest slot per datacenter over 24 h, p50/p95 over the last hour, hourly medians over 24 h,
 * the last results per datacenter ({@link RecentResults}).
 *
 * <p>A push monitor has no datacenter: its beats and its one evaluated state are stored under the pseudo-datacenter
 * 0, which is counted in its aggregates (its percentiles are run durations) and never shown as a datacenter. Its
 * newest beat and message come from {@link PushBeats}.
 */
final class MonitorStatuses {
    static final Duration PERCENTILE_WINDOW = Duration.ofHours(1);
    static final Duration DAY = Duration.ofHours(24);
    static final int SPARKLINE_BUCKETS = 24;

    /** The datacenter id of a push monitor's beats and state (Evaluator.PUSH_DATACENTER): never a datacenter. */
    static final int PUSH_DATACENTER = 0;
    /** {@code monitor_states.first_error_type} of a push monitor DOWN for silence. */
    static final String MISSED = "MISSED";

    /**
     * @param type canonical type name (see {@link StatusReport.Monitor#type()})
     * @param graceSeconds push monitors: the effective grace; else null
     */
    private record MonitorBase(
            int id,
            String name,
            String type,
            boolean enabled,
            List<Integer> datacenters,
            int intervalSeconds,
            Integer graceSeconds) {
        boolean push() {
            return StatusReport.Monitor.PUSH.equals(type);
        }
    }

    /** A {@code monitor_states} row; {@code datacenterId} null for the global row. */
    private record StateRow(
            int monitorId,
            Integer datacenterId,
            String state,
            Instant since,
            boolean flapping,
            String details,
            Instant lastScheduledAt,
            String firstErrorType) {}

    /** Probes of one monitor in one datacenter over the last 24 h. */
    private record Probes(long probes, long successes, Instant last) {}

    private record Percentiles(Double p50, Double p95) {}

    private final Instant now;
    private final Map<Integer, String> codes;
    private final UnaryOperator<String> canonicalType;
    /** Per monitor: its global state. */
    private final Map<Integer, StateRow> globals = new HashMap<>();
    /** Per monitor: its states by datacenter id (a push monitor's under {@link #PUSH_DATACENTER}). */
    private final Map<Integer, Map<Integer, StateRow>> states = new HashMap<>();

    private final Map<Integer, Map<Integer, Probes>> probes = new HashMap<>();
    private final Map<Integer, Percentiles> percentiles = new HashMap<>();
    private final Map<Integer, Double[]> sparklines = new HashMap<>();
    private Map<Integer, PushBeats.Beats> pushBeats = Map.of();
    private Map<Integer, Map<Integer, List<StatusReport.Result>>> recent = Map.of();

    private MonitorStatuses(Instant now, Map<Integer, String> codes, UnaryOperator<String> canonicalType) {
        this.now = now;
        this.codes = codes;
        this.canonicalType = canonicalType;
    }

    /** @param canonicalType the canonical name of a monitor type as written in a row ({@code HTTPS}: {@code http}) */
    static List<Monitor> read(Handle h, Instant now, Map<Integer, String> codes, UnaryOperator<String> canonicalType) {
        var m = new MonitorStatuses(now, codes, canonicalType);
        m.readStates(h);
        var window = m.window(h);
        m.readProbes(h, window);
        m.readPercentiles(h);
        m.readSparklines(h, window);
        m.pushBeats = PushBeats.read(h, now);
        m.recent = RecentResults.read(h, now);
        return m.readMonitors(h).stream().map(m::monitor).toList();
    }

    private List<MonitorBase> readMonitors(Handle h) {
        return h.createQuery(
                        """
                        SELECT m.id, m.name, m.type, m.enabled,
                               array(SELECT dm.datacenter_id FROM datacenter_monitors dm
                                     WHERE dm.monitor_id = m.id ORDER BY 1),
                               s.interval, m.grace_seconds
                        FROM api_monitors m JOIN schedules s ON s.id = m.schedule_id
                        ORDER BY m.id
                        """)
                .map((rs, ctx) -> {
                    String type = canonicalType.apply(rs.getString(3));
                    int interval = rs.getInt(6);
                    Integer grace = (Integer) rs.getObject(7);
                    return new MonitorBase(
                            rs.getInt(1),
                            rs.getString(2),
                            type,
                            rs.getBoolean(4),
                            Columns.integers(rs.getArray(5)),
                            interval,
                            StatusReport.Monitor.PUSH.equals(type) ? pushGrace(interval, grace) : null);
                })
                .list();
    }

    /** The grace the monitor module gives a push monitor: the column, else the period, at most an hour. */
    static int pushGrace(int intervalSeconds, Integer graceSeconds) {
        return (int) Policy.push(intervalSeconds, null, null, graceSeconds, null, null)
                .grace()
                .toSeconds();
    }

    private void readStates(Handle h) {
        h.createQuery(
                        """
                        SELECT monitor_id, datacenter_id, state, since, flapping, details, last_scheduled_at,
                               first_error_type
                        FROM monitor_states
                        """)
                .map((rs, ctx) -> new StateRow(
                        rs.getInt(1),
                        (Integer) rs.getObject(2),
                        rs.getString(3),
                        Columns.instant(rs, 4),
                        rs.getBoolean(5),
                        rs.getString(6),
                        Columns.instant(rs, 7),
                        rs.getString(8)))
                .forEach(s -> {
                    if (s.datacenterId() == null) {
                        globals.put(s.monitorId(), s);
                    } else {
                        states.computeIfAbsent(s.monitorId(), k -> new HashMap<>())
                                .put(s.datacenterId(), s);
                    }
                });
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
                SELECT monitor_id, datacenter_id, count(*) FILTER (WHERE NOT in_maintenance) AS n,
                       count(*) FILTER (WHERE success AND NOT in_maintenance) AS ok,
                       max(scheduled_at) AS last
                FROM api_heartbeats
                WHERE scheduled_at > :from AND (scheduled_at < :head_end OR scheduled_at >= :tail)
                  AND (beat_kind IS NULL OR beat_kind IN ('success', 'fail'))
                GROUP BY monitor_id, datacenter_id
                """;
        String rolled =
                """
                SELECT monitor_id, datacenter_id, sum(probes - maintenance_probes), sum(successes - maintenance_successes),
                       NULL::timestamptz
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
        // A push monitor is watched from no datacenter, whatever datacenter_monitors may still say.
        for (int dc : m.push() ? List.<Integer>of() : m.datacenters()) {
            Probes p = ownProbes.get(dc);
            StateRow s = ownStates.get(dc);
            Instant dcLast = latest(p == null ? null : p.last(), s == null ? null : s.lastScheduledAt());
            last = latest(last, dcLast);
            var results = recent.getOrDefault(m.id(), Map.of()).getOrDefault(dc, List.of());
            dcs.add(datacenterState(m, codes.getOrDefault(dc, "#" + dc), s, dcLast, results));
        }
        StateRow global = globals.get(m.id());
        PushBeats.Beats beats = m.push() ? pushBeats.getOrDefault(m.id(), NO_BEATS) : null;
        if (beats != null) {
            // Start and log beats are rows too, but only a success or a fail says the job ran.
            last = beats.lastBeatAt();
        } else if (global != null) {
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
                m.push()
                        ? pushDetails(m, global, ownStates.get(PUSH_DATACENTER), last)
                        : globalDetails(m, global, last),
                last,
                last == null ? null : ageSeconds(last, now),
                pc == null ? null : pc.p50(),
                pc == null ? null : pc.p95(),
                total == 0 ? null : 100.0 * ok / total,
                total,
                dcs,
                sparkline(m.id()),
                beats == null ? null : beats.lastBeatAt(),
                m.push() ? m.intervalSeconds() : null,
                m.graceSeconds(),
                beats == null ? null : beats.lastMessage(),
                m.push() ? recent.getOrDefault(m.id(), Map.of()).getOrDefault(0, List.of()) : List.of());
    }

    private static final PushBeats.Beats NO_BEATS = new PushBeats.Beats(null, null);

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

    /**
     * The monitor module's text, except for a silence: that text says how long the monitor had been silent when it
     * turned DOWN, and a reader needs how long it is now: {@code DOWN: MISSED no heartbeat for 3 min (expected every
     * 15 s, grace 30 s)}.
     */
    private String pushDetails(MonitorBase m, StateRow global, StateRow beats, Instant lastBeat) {
        if (!m.enabled()) {
            return "disabled";
        }
        if (global == null) {
            return "not evaluated yet";
        }
        if (State.DOWN.equals(global.state()) && beats != null && MISSED.equals(beats.firstErrorType())) {
            return "DOWN: " + MISSED + " "
                    + (lastBeat == null
                            ? "no heartbeat yet"
                            : "no heartbeat for " + Ages.words(ageSeconds(lastBeat, now)))
                    + " (expected every " + Ages.words(m.intervalSeconds()) + ", grace " + Ages.words(m.graceSeconds())
                    + ")";
        }
        return global.details();
    }

    private DatacenterState datacenterState(
            MonitorBase m, String code, StateRow s, Instant last, List<StatusReport.Result> results) {
        if (!m.enabled()) {
            return new DatacenterState(code, State.DISABLED, null, null, last, results);
        }
        if (s == null) {
            return new DatacenterState(code, State.PENDING, null, "not evaluated yet", last, results);
        }
        String details = State.UNKNOWN.equals(s.state()) ? noData(last, now) : s.details();
        return new DatacenterState(code, s.state(), s.since(), details, last, results);
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
