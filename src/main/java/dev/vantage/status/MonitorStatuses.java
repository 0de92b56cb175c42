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
        m.readProbes(h);
        m.readPercentiles(h);
        m.readSparklines(h);
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

    private void readProbes(Handle h) {
        h.createQuery(
                        """
                        SELECT monitor_id, datacenter_id, count(*), count(*) FILTER (WHERE success), max(scheduled_at)
                        FROM api_heartbeats
                        WHERE scheduled_at > :from
                        GROUP BY monitor_id, datacenter_id
                        """)
                .bind("from", utc(now.minus(DAY)))
                .map((rs, ctx) -> {
                    probes.computeIfAbsent(rs.getInt(1), k -> new HashMap<>())
                            .put(rs.getInt(2), new Probes(rs.getLong(3), rs.getLong(4), Columns.instant(rs, 5)));
                    return 0;
                })
                .list();
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

    /** Bucket i covers {@code [now - 24 h + i h, now - 23 h + i h)}: the last one ends now. */
    private void readSparklines(Handle h) {
        h.createQuery(
                        """
                        SELECT monitor_id,
                               floor(extract(epoch FROM scheduled_at - :from) / 3600)::int AS bucket,
                               percentile_cont(0.50) WITHIN GROUP (ORDER BY response_time_ms)
                        FROM api_heartbeats
                        WHERE scheduled_at >= :from AND scheduled_at < :to AND success
                          AND response_time_ms IS NOT NULL
                        GROUP BY 1, 2
                        """)
                .bind("from", utc(now.minus(DAY)))
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
        Instant from = now.minus(DAY);
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
