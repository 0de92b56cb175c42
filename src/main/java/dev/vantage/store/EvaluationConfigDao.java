package dev.vantage.store;

import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jdbi.v3.core.Handle;

/** Reads what {@code vantage monitor} needs of the configuration: monitors with their policy, channels, datacenters. */
public final class EvaluationConfigDao {
    private EvaluationConfigDao() {}

    public static List<MonitorPolicyRow> listEnabledMonitors(Handle h) {
        return h.createQuery(
                        """
                        SELECT m.id, m.name, m.url, lower(m.type) = 'push', s.interval, m.down_after, m.up_after, m.degraded_after,
                               m.grace_seconds, m.quorum, m.flap_changes, m.flap_window_minutes,
                               array(SELECT dm.datacenter_id FROM datacenter_monitors dm
                                     WHERE dm.monitor_id = m.id ORDER BY 1) AS datacenters,
                               array(SELECT mc.channel_id FROM monitor_channels mc
                                     WHERE mc.monitor_id = m.id ORDER BY 1) AS channels,
                               m.notify_degraded_after,
                               array(SELECT md.depends_on FROM monitor_dependencies md
                                     WHERE md.monitor_id = m.id ORDER BY 1) AS depends_on
                        FROM api_monitors m JOIN schedules s ON s.id = m.schedule_id
                        WHERE m.enabled
                        ORDER BY m.id
                        """)
                .map((rs, ctx) -> new MonitorPolicyRow(
                        rs.getInt(1),
                        rs.getString(2),
                        rs.getString(3),
                        rs.getBoolean(4),
                        rs.getInt(5),
                        (Integer) rs.getObject(6),
                        (Integer) rs.getObject(7),
                        (Integer) rs.getObject(8),
                        (Integer) rs.getObject(9),
                        (Integer) rs.getObject(10),
                        (Integer) rs.getObject(11),
                        (Integer) rs.getObject(12),
                        Columns.integers(rs.getArray(13)),
                        Columns.integers(rs.getArray(14)),
                        (Integer) rs.getObject(15),
                        Columns.integers(rs.getArray(16))))
                .list();
    }

    /** Every {@code phase_thresholds} row of an enabled monitor, by monitor, phase and datacenter (all first). */
    public static List<PhaseThresholdRow> listPhaseThresholds(Handle h) {
        return h.createQuery(
                        """
                        SELECT t.monitor_id, t.datacenter_id, t.phase, t.warning_ms
                        FROM phase_thresholds t JOIN api_monitors m ON m.id = t.monitor_id
                        WHERE m.enabled
                        ORDER BY t.monitor_id, t.phase, t.datacenter_id NULLS FIRST
                        """)
                .map((rs, ctx) -> new PhaseThresholdRow(
                        rs.getInt(1), (Integer) rs.getObject(2), rs.getString(3), rs.getDouble(4)))
                .list();
    }

    public static List<ChannelRow> listChannels(Handle h) {
        return h.createQuery(
                        """
                        SELECT id, name, type, settings::text, enabled, is_default,
                               extract(epoch FROM repeat_every)::bigint
                        FROM notification_channels ORDER BY id
                        """)
                .map((rs, ctx) -> {
                    Object repeat = rs.getObject(7);
                    return new ChannelRow(
                            rs.getInt(1),
                            rs.getString(2),
                            rs.getString(3),
                            rs.getString(4),
                            rs.getBoolean(5),
                            rs.getBoolean(6),
                            repeat == null ? null : Duration.ofSeconds(((Number) repeat).longValue()));
                })
                .list();
    }

    /** Datacenter codes by id. */
    public static Map<Integer, String> datacenterCodes(Handle h) {
        var codes = new TreeMap<Integer, String>();
        h.createQuery("SELECT id, code FROM datacenters")
                .map((rs, ctx) -> Map.entry(rs.getInt(1), rs.getString(2)))
                .forEach(e -> codes.put(e.getKey(), e.getValue()));
        return codes;
    }

    /**
     * A watched datacenter (one that ever had an agent), as {@link dev.vantage.evaluate.DatacenterLiveness} describes.
     */
    public record Liveness(int datacenterId, Instant watchedSince, Instant lastLeaderSeenAt, Instant stoppedAt) {}

    /**
     * The datacenters that ever registered an agent: since when their running (or vanished) agents have been
     * registered, when a leader was last seen (a running leader's last refresh, or the graceful stop of the agent that
     * took the latest lease epoch, which unlocked as it stopped), and, when every agent stopped gracefully, when the
     * last one did.
     */
    public static List<Liveness> liveness(Handle h) throws SQLException {
        return h.createQuery(
                        """
                        SELECT a.datacenter_id,
                               min(a.started_at) FILTER (WHERE a.stopped_at IS NULL),
                               greatest(max(a.last_seen_at) FILTER (WHERE a.role = 'leader' AND a.stopped_at IS NULL),
                                        max(a.stopped_at) FILTER (WHERE a.id = l.holder_agent_id)),
                               CASE WHEN bool_and(a.stopped_at IS NOT NULL) THEN max(a.stopped_at) END
                        FROM agents a LEFT JOIN datacenter_leases l ON l.datacenter_id = a.datacenter_id
                        GROUP BY a.datacenter_id ORDER BY a.datacenter_id
                        """)
                .map((rs, ctx) -> new Liveness(
                        rs.getInt(1), Columns.instant(rs, 2), Columns.instant(rs, 3), Columns.instant(rs, 4)))
                .list();
    }
}
