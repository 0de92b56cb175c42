package dev.vantage.monitor;

import dev.vantage.evaluate.DatacenterStatus;
import dev.vantage.evaluate.MonitorStatus;
import dev.vantage.evaluate.State;
import dev.vantage.store.Columns;
import java.sql.SQLException;
import java.util.Collection;
import java.util.List;
import org.jdbi.v3.core.Handle;

/**
 * The {@code monitor_states} rows: what the evaluator persists after every batch and restores at start. The rows hold
 * every field the evaluator needs to resume exactly where it stopped; the caller writes them in the transaction that
 * also moves the heartbeat cursor.
 */
public final class StateStore {
    private static final String UPSERT_DATACENTER =
            """
            INSERT INTO monitor_states AS s (monitor_id, datacenter_id, state, since, consecutive_failures,
                consecutive_successes, consecutive_slow, last_scheduled_at, last_success, last_response_time_ms,
                last_error_type, last_error_message, failing_since, first_error_type, first_error_message, details,
                underlying_state, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, now())
            ON CONFLICT (monitor_id, datacenter_id) WHERE datacenter_id IS NOT NULL DO UPDATE SET
                state = excluded.state, since = excluded.since, consecutive_failures = excluded.consecutive_failures,
                consecutive_successes = excluded.consecutive_successes, consecutive_slow = excluded.consecutive_slow,
                last_scheduled_at = excluded.last_scheduled_at, last_success = excluded.last_success,
                last_response_time_ms = excluded.last_response_time_ms, last_error_type = excluded.last_error_type,
                last_error_message = excluded.last_error_message, failing_since = excluded.failing_since,
                first_error_type = excluded.first_error_type, first_error_message = excluded.first_error_message,
                details = excluded.details, underlying_state = excluded.underlying_state, updated_at = now()
            """;

    private static final String UPSERT_GLOBAL =
            """
            INSERT INTO monitor_states AS s (monitor_id, datacenter_id, state, since, flapping, datacenters_down,
                state_changes, details, updated_at)
            VALUES (?, NULL, ?, ?, ?, ?, ?, ?, now())
            ON CONFLICT (monitor_id) WHERE datacenter_id IS NULL DO UPDATE SET
                state = excluded.state, since = excluded.since, flapping = excluded.flapping,
                datacenters_down = excluded.datacenters_down, state_changes = excluded.state_changes,
                details = excluded.details, updated_at = now()
            """;

    private StateStore() {}

    /** Writes the datacenter rows, in one JDBC batch. */
    public static void saveDatacenters(Handle h, Collection<DatacenterStatus> rows) throws SQLException {
        if (rows.isEmpty()) {
            return;
        }
        try (var s = h.getConnection().prepareStatement(UPSERT_DATACENTER)) {
            for (DatacenterStatus d : rows) {
                s.setInt(1, d.monitorId());
                s.setInt(2, d.datacenterId());
                s.setString(3, d.shownState().name());
                s.setTimestamp(4, Columns.timestamp(d.since()));
                s.setInt(5, d.consecutiveFailures());
                s.setInt(6, d.consecutiveSuccesses());
                s.setInt(7, d.consecutiveSlow());
                s.setTimestamp(8, Columns.timestamp(d.lastScheduledAt()));
                s.setObject(9, d.lastSuccess());
                s.setObject(10, d.lastResponseTimeMs());
                s.setString(11, d.lastErrorType());
                s.setString(12, d.lastErrorMessage());
                s.setTimestamp(13, Columns.timestamp(d.failingSince()));
                s.setString(14, d.firstErrorType());
                s.setString(15, d.firstErrorMessage());
                s.setString(16, d.details());
                s.setString(17, d.state().name());
                s.addBatch();
            }
            s.executeBatch();
        }
    }

    /** Writes the global rows, in one JDBC batch. */
    public static void saveMonitors(Handle h, Collection<MonitorStatus> rows) throws SQLException {
        if (rows.isEmpty()) {
            return;
        }
        var c = h.getConnection();
        try (var s = c.prepareStatement(UPSERT_GLOBAL)) {
            for (MonitorStatus m : rows) {
                s.setInt(1, m.monitorId());
                s.setString(2, m.state().name());
                s.setTimestamp(3, Columns.timestamp(m.since()));
                s.setBoolean(4, m.flapping());
                s.setArray(5, c.createArrayOf("integer", m.datacentersDown().toArray()));
                s.setArray(
                        6,
                        c.createArrayOf(
                                "timestamptz",
                                m.stateChanges().stream()
                                        .map(Columns::timestamp)
                                        .toArray()));
                s.setString(7, m.details());
                s.addBatch();
            }
            s.executeBatch();
        }
    }

    /** Deletes the state of a monitor in a datacenter that no longer runs it. */
    public static void deleteDatacenter(Handle h, int monitorId, int datacenterId) {
        h.execute("DELETE FROM monitor_states WHERE monitor_id = ? AND datacenter_id = ?", monitorId, datacenterId);
    }

    /** Deletes every state row of a monitor that was deleted or disabled. */
    public static void deleteMonitor(Handle h, int monitorId) {
        h.execute("DELETE FROM monitor_states WHERE monitor_id = ?", monitorId);
    }

    public static List<DatacenterStatus> listDatacenters(Handle h) {
        return h.createQuery(
                        """
                        SELECT monitor_id, datacenter_id, coalesce(underlying_state, state), since, consecutive_failures,
                               consecutive_successes, consecutive_slow, last_scheduled_at, last_success,
                               last_response_time_ms, last_error_type, last_error_message, failing_since,
                               first_error_type, first_error_message, details, state = 'MAINTENANCE'
                        FROM monitor_states WHERE datacenter_id IS NOT NULL
                        """)
                .map((rs, ctx) -> new DatacenterStatus(
                        rs.getInt(1),
                        rs.getInt(2),
                        State.valueOf(rs.getString(3)),
                        Columns.instant(rs, 4),
                        rs.getInt(5),
                        rs.getInt(6),
                        rs.getInt(7),
                        Columns.instant(rs, 8),
                        (Boolean) rs.getObject(9),
                        (Double) rs.getObject(10),
                        rs.getString(11),
                        rs.getString(12),
                        Columns.instant(rs, 13),
                        rs.getString(14),
                        rs.getString(15),
                        rs.getString(16),
                        rs.getBoolean(17)))
                .list();
    }

    public static List<MonitorStatus> listMonitors(Handle h) {
        return h.createQuery(
                        """
                        SELECT monitor_id, state, since, flapping, datacenters_down, state_changes, details
                        FROM monitor_states WHERE datacenter_id IS NULL
                        """)
                .map((rs, ctx) -> new MonitorStatus(
                        rs.getInt(1),
                        State.valueOf(rs.getString(2)),
                        Columns.instant(rs, 3),
                        rs.getBoolean(4),
                        Columns.integers(rs.getArray(5)),
                        Columns.instants(rs.getArray(6)),
                        rs.getString(7)))
                .list();
    }
}
