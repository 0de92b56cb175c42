package dev.vantage.status;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vantage.monitor.EvaluationProgress;
import dev.vantage.notify.InvalidChannelException;
import dev.vantage.notify.NotifierContext;
import dev.vantage.notify.NotifierRegistry;
import dev.vantage.probe.MonitorRegistry;
import dev.vantage.schedule.ConfigSnapshot;
import dev.vantage.schedule.ScheduledMonitor;
import dev.vantage.status.StatusReport.Agent;
import dev.vantage.status.StatusReport.Incident;
import dev.vantage.status.StatusReport.InvalidRow;
import dev.vantage.store.ChannelRow;
import dev.vantage.store.Columns;
import dev.vantage.store.ConfigDao;
import dev.vantage.store.EvaluationConfigDao;
import dev.vantage.store.MonitorRow;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.mapper.reflect.ConstructorMapper;
import org.jdbi.v3.core.transaction.TransactionIsolationLevel;

/**
 * Builds a {@link StatusReport} from the database, read-only, in one repeatable-read transaction so that every part
 * describes the same moment. Windows (last hour, last 24 h) are counted back from the clock's instant. The monitor
 * and channel rows are validated with the same code the agent and the monitor module use, so the status calls a row
 * invalid exactly when they do. Thread-safe; build one per process and call {@link #load()} per request.
 */
public final class StatusQuery {
    static final Duration DAY = Duration.ofHours(24);
    /** Stopped or silent agents stay listed this long, so that a crash is seen, then drop out. */
    static final Duration AGENT_HORIZON = Duration.ofHours(1);

    private static final int MAX_RECENT_INCIDENTS = 100;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Jdbi jdbi;
    private final Clock clock;
    private final MonitorRegistry monitorTypes;
    private final NotifierRegistry notifierTypes;
    private final Duration stallAfter;

    public StatusQuery(Jdbi jdbi, Clock clock) {
        this(jdbi, clock, EvaluationProgress.STALL_AFTER);
    }

    /** @param stallAfter how long without an evaluation round the report calls evaluation stalled */
    public StatusQuery(Jdbi jdbi, Clock clock, Duration stallAfter) {
        this.jdbi = Objects.requireNonNull(jdbi, "jdbi");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.stallAfter = Objects.requireNonNull(stallAfter, "stallAfter");
        this.monitorTypes = MonitorRegistry.load();
        // Validation only: channels are configured (a pure step) and never sent to, so no database is needed.
        this.notifierTypes = NotifierRegistry.standard(NotifierContext.of(null, clock));
    }

    /** The report as of {@code clock.instant()}. */
    public static StatusReport load(Jdbi jdbi, Clock clock) {
        return new StatusQuery(jdbi, clock).load();
    }

    public static StatusReport load(Jdbi jdbi, Clock clock, Duration stallAfter) {
        return new StatusQuery(jdbi, clock, stallAfter).load();
    }

    public StatusReport load() {
        // Milliseconds are plenty for ages in seconds, and keep the JSON's times readable.
        Instant now = clock.instant().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
        return jdbi.inTransaction(TransactionIsolationLevel.REPEATABLE_READ, h -> {
            h.execute("SET TRANSACTION READ ONLY");
            return read(h, now);
        });
    }

    private StatusReport read(Handle h, Instant now) {
        Map<Integer, String> codes = new LinkedHashMap<>();
        h.createQuery("SELECT id, code FROM datacenters ORDER BY id")
                .map((rs, ctx) -> Map.entry(rs.getInt(1), rs.getString(2)))
                .forEach(e -> codes.put(e.getKey(), e.getValue()));
        var monitors = MonitorStatuses.read(h, now, codes, this::canonicalType);
        return new StatusReport(
                now,
                List.copyOf(codes.values()),
                monitors,
                agents(h, now),
                invalidRows(h, now),
                incidents(h, now, codes, true),
                incidents(h, now, codes, false),
                evaluation(h),
                maintenance(h, now, codes, monitors));
    }

    /** Windows active at {@code now} or starting within 7 days; a row Java cannot read is left out. */
    private static List<StatusReport.Window> maintenance(
            Handle h, Instant now, Map<Integer, String> codes, List<StatusReport.Monitor> monitors) {
        Map<Integer, String> names = new java.util.HashMap<>();
        monitors.forEach(m -> names.put(m.id(), m.name()));
        var windows = dev.vantage.monitor.MaintenanceWindows.load(h, now, (row, why) -> {});
        return windows.listed(now, now.plus(Duration.ofDays(7))).stream()
                .map(l -> {
                    var w = l.window();
                    String scope = w.monitorIds() == null
                            ? "every monitor"
                            : String.join(
                                    ", ",
                                    w.monitorIds().stream()
                                            .sorted()
                                            .map(id -> names.getOrDefault(id, "#" + id))
                                            .toList());
                    if (w.datacenterIds() != null) {
                        scope += " in "
                                + String.join(
                                        ", ",
                                        w.datacenterIds().stream()
                                                .sorted()
                                                .map(id -> codes.getOrDefault(id, "#" + id))
                                                .toList());
                    }
                    return new StatusReport.Window(
                            w.id(),
                            w.reason(),
                            scope,
                            l.occurrence().start(),
                            l.occurrence().end(),
                            l.active(),
                            w.weekly());
                })
                .toList();
    }

    private StatusReport.Evaluation evaluation(Handle h) {
        var p = EvaluationProgress.read(h);
        return new StatusReport.Evaluation(
                p.lastRoundAt(),
                p.ageSeconds() == null ? null : (long) Math.floor(p.ageSeconds()),
                stallAfter.toSeconds(),
                p.stalled(stallAfter),
                p.lockHolder(),
                p.describe(stallAfter));
    }

    /** {@code http} for {@code HTTPS}, {@code push} for {@code Push}; an unknown type trimmed and in lower case. */
    String canonicalType(String type) {
        String t = type.strip().toLowerCase(Locale.ROOT);
        return t.equals(StatusReport.Monitor.PUSH)
                ? t
                : monitorTypes.find(t).map(dev.vantage.probe.Monitor::type).orElse(t);
    }

    static long ageSeconds(Instant then, Instant now) {
        return Math.max(0, Duration.between(then, now).toSeconds());
    }

    static OffsetDateTime utc(Instant i) {
        return OffsetDateTime.ofInstant(i, ZoneOffset.UTC);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Agents
    // ---------------------------------------------------------------------------------------------------------

    private static List<Agent> agents(Handle h, Instant now) {
        return h.createQuery(
                        """
                        SELECT a.id, d.code, a.name, a.hostname, a.version, a.role,
                               (SELECT l.epoch FROM datacenter_leases l
                                WHERE l.datacenter_id = a.datacenter_id AND l.holder_agent_id = a.id
                                  AND l.released_at IS NULL AND d.shards = 1),
                               a.last_seen_at, a.stopped_at,
                               CASE WHEN d.shards > 1 AND a.stopped_at IS NULL THEN a.shards END
                        FROM agents a
                        JOIN datacenters d ON d.id = a.datacenter_id
                        WHERE a.last_seen_at > :horizon OR a.stopped_at > :horizon
                        ORDER BY d.id, a.name, a.id
                        """)
                .bind("horizon", utc(now.minus(AGENT_HORIZON)))
                .map((rs, ctx) -> {
                    Instant seen = Columns.instant(rs, 8);
                    return new Agent(
                            rs.getInt(1),
                            rs.getString(2),
                            rs.getString(3),
                            rs.getString(4),
                            rs.getString(5),
                            rs.getString(6),
                            (Long) rs.getObject(7),
                            rs.getString(10),
                            seen,
                            ageSeconds(seen, now),
                            Columns.instant(rs, 9));
                })
                .list();
    }

    // ---------------------------------------------------------------------------------------------------------
    // Invalid configuration
    // ---------------------------------------------------------------------------------------------------------

    private List<InvalidRow> invalidRows(Handle h, Instant now) {
        // The roles vantage_monitor and vantage_reader may not read the columns that hold secrets (monitors' headers
        // and body, channels' settings): the status page runs in the monitor, `vantage status` may run as a reader.
        // Without them a monitor row's verdict comes from its agent (its latest INVALID_CONFIG heartbeat, whose
        // message never quotes a secret), and channels are not checked.
        var readable = h.createQuery(
                        """
                        SELECT has_column_privilege('api_monitors', 'headers', 'SELECT')
                                   AND has_column_privilege('api_monitors', 'body', 'SELECT'),
                               has_column_privilege('notification_channels', 'settings', 'SELECT')
                        """)
                .map((rs, ctx) -> new boolean[] {rs.getBoolean(1), rs.getBoolean(2)})
                .one();
        var out = new ArrayList<InvalidRow>(readable[0] ? invalidMonitors(h) : invalidMonitorsSeenByAgents(h, now));
        if (readable[1]) {
            out.addAll(invalidChannels(h));
        }
        return out;
    }

    private static List<InvalidRow> invalidMonitorsSeenByAgents(Handle h, Instant now) {
        return h.createQuery(
                        """
                        SELECT m.id, m.name, last.error_message
                        FROM api_monitors m
                        CROSS JOIN LATERAL (
                            SELECT hb.error_type, hb.error_message FROM api_heartbeats hb
                            WHERE hb.monitor_id = m.id AND hb.scheduled_at > :from
                            ORDER BY hb.scheduled_at DESC LIMIT 1) last
                        WHERE m.enabled AND last.error_type = 'INVALID_CONFIG'
                        ORDER BY m.id
                        """)
                .bind("from", utc(now.minus(AGENT_HORIZON)))
                .map((rs, ctx) -> new InvalidRow("monitor", rs.getInt(1), rs.getString(2), rs.getString(3)))
                .list();
    }

    private List<InvalidRow> invalidMonitors(Handle h) {
        var out = new ArrayList<InvalidRow>();
        // Enabled monitors only, as the agent validates: a disabled row is never run, so it cannot fail. Nor is a push
        // monitor, which nothing probes (ConfigDao.listMonitors leaves it out too).
        List<MonitorRow> rows = h.createQuery(
                        "SELECT " + ConfigDao.MONITOR_COLUMNS
                                + """
                        FROM api_monitors m JOIN schedules s ON s.id = m.schedule_id
                        WHERE m.enabled AND lower(btrim(m.type)) <> 'push'
                        ORDER BY m.id
                        """)
                .map(ConstructorMapper.of(MonitorRow.class))
                .list();
        var byId = new HashMap<Long, MonitorRow>();
        rows.forEach(r -> byId.put(r.id(), r));
        for (ScheduledMonitor m : ConfigSnapshot.build(rows, monitorTypes).invalid()) {
            MonitorRow row = byId.get(m.id());
            out.add(new InvalidRow(
                    "monitor",
                    (int) m.id(),
                    row.name(),
                    Redaction.monitorReason(m.invalidReason(), row.url(), row.headersJson(), row.body())));
        }
        out.sort(java.util.Comparator.comparingInt(InvalidRow::id));
        return out;
    }

    private List<InvalidRow> invalidChannels(Handle h) {
        var out = new ArrayList<InvalidRow>();
        for (ChannelRow c : EvaluationConfigDao.listChannels(h)) {
            if (!c.enabled()) {
                continue;
            }
            String reason;
            try {
                notifierTypes.configure(c.id(), c.name(), c.type(), JSON.readTree(c.settingsJson()));
                continue;
            } catch (InvalidChannelException e) {
                reason = e.getMessage();
            } catch (java.io.IOException e) {
                reason = "settings: not valid JSON";
            }
            out.add(new InvalidRow("channel", c.id(), c.name(), Redaction.channelReason(reason, c.settingsJson())));
        }
        return out;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Incidents
    // ---------------------------------------------------------------------------------------------------------

    private static List<Incident> incidents(Handle h, Instant now, Map<Integer, String> codes, boolean open) {
        String where = open ? "i.resolved_at IS NULL" : "i.resolved_at > :from";
        var query = h.createQuery(
                """
                        SELECT i.id, i.kind, i.scope, i.monitor_id, m.name, i.datacenter_id, i.datacenters,
                               i.opened_at, i.resolved_at, i.error_type, i.error_message
                        FROM incidents i LEFT JOIN api_monitors m ON m.id = i.monitor_id
                        WHERE %s
                        ORDER BY i.opened_at DESC, i.id DESC
                        LIMIT %d
                        """
                        .formatted(where, MAX_RECENT_INCIDENTS));
        if (!open) {
            query.bind("from", utc(now.minus(DAY)));
        }
        return query.map((rs, ctx) -> {
                    var ids = new ArrayList<>(Columns.integers(rs.getArray(7)));
                    Integer dc = (Integer) rs.getObject(6);
                    if (dc != null && !ids.contains(dc)) {
                        ids.add(0, dc);
                    }
                    // A push monitor's incident lists the pseudo-datacenter of its beats, which is no place to name.
                    ids.removeIf(id -> id == MonitorStatuses.PUSH_DATACENTER);
                    Instant opened = Columns.instant(rs, 8);
                    Instant resolved = Columns.instant(rs, 9);
                    Integer monitorId = (Integer) rs.getObject(4);
                    String name = rs.getString(5);
                    return new Incident(
                            rs.getLong(1),
                            rs.getString(2),
                            rs.getString(3),
                            monitorId,
                            name == null && monitorId != null ? "monitor #" + monitorId : name,
                            ids.stream()
                                    .map(id -> codes.getOrDefault(id, "#" + id))
                                    .toList(),
                            opened,
                            resolved,
                            ageSeconds(opened, resolved == null ? now : resolved),
                            rs.getString(10),
                            rs.getString(11));
                })
                .list();
    }
}
