package dev.vantage.monitor;

import dev.vantage.evaluate.Changes;
import dev.vantage.evaluate.Evaluator;
import dev.vantage.evaluate.Incident;
import dev.vantage.evaluate.IncidentKey;
import dev.vantage.evaluate.IncidentRef;
import dev.vantage.evaluate.NoticeRequest;
import dev.vantage.notify.Notice;
import dev.vantage.notify.OutboxPayload;
import dev.vantage.store.Columns;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;
import org.jdbi.v3.core.Handle;

/**
 * The {@code incidents} rows and the outbox rows of their notices, written from the evaluator's {@link Changes} in
 * the transaction that moves the heartbeat cursor: a notification is enqueued exactly when its state change commits.
 */
public final class IncidentStore {
    /** What a notice says about its subject besides the incident: the monitor's name and target, datacenter codes. */
    public interface Names {
        String monitorName(int monitorId);

        /** The monitor's URL without user info or query string (they may hold credentials), or null. */
        String target(int monitorId);

        String datacenterCode(int datacenterId);
    }

    private record Row(long id, Instant openedAt) {}

    private IncidentStore() {}

    /** The open incidents, to restore an evaluator. */
    public static List<Incident> listOpen(Handle h) {
        return h.createQuery(
                        """
                        SELECT i.kind, i.monitor_id, i.datacenter_id, i.scope, i.opened_at, i.error_type,
                               i.error_message, i.datacenters, i.notified, i.cert_not_after,
                               s.kind, s.monitor_id, s.datacenter_id, s.opened_at
                        FROM incidents i LEFT JOIN incidents s ON s.id = i.suppressed_by
                        WHERE i.resolved_at IS NULL ORDER BY i.id
                        """)
                .map((rs, ctx) -> {
                    var key = IncidentKey.of(rs.getString(1), rs.getInt(2), rs.getInt(3));
                    var suppressedBy = rs.getString(11) == null
                            ? null
                            : new IncidentRef(
                                    IncidentKey.of(rs.getString(11), rs.getInt(12), rs.getInt(13)),
                                    Columns.instant(rs, 14));
                    return new Incident(
                            key,
                            rs.getString(4),
                            Columns.instant(rs, 5),
                            null,
                            rs.getString(6),
                            rs.getString(7),
                            Columns.integers(rs.getArray(8)),
                            rs.getBoolean(9),
                            Columns.instant(rs, 10),
                            suppressedBy);
                })
                .list();
    }

    /**
     * Writes the incidents of {@code changes} (insert when no open row of the key exists, else update it) and one
     * {@code notifications} row per notice and channel.
     *
     * @return the notification rows written
     */
    public static int persist(Handle h, Changes changes, Names names) throws SQLException {
        if (changes.incidents().isEmpty() && changes.notices().isEmpty()) {
            return 0;
        }
        Map<IncidentKey, Row> open = openRows(h);
        Map<IncidentKey, List<Row>> touched = new HashMap<>();
        for (Incident i : changes.incidents()) {
            Row row = open.get(i.key());
            if (row == null) {
                row = insert(h, i);
            } else {
                update(h, row.id(), i);
            }
            if (i.isOpen()) {
                open.put(i.key(), row);
            } else {
                open.remove(i.key());
            }
            touched.computeIfAbsent(i.key(), k -> new ArrayList<>()).add(row);
        }
        linkSuppressed(h, changes.incidents(), touched, open);
        int written = 0;
        for (NoticeRequest n : changes.notices()) {
            Row row = find(touched.get(n.key()), n.incident().openedAt());
            if (row == null) {
                row = open.get(n.key());
            }
            if (row == null) {
                throw new IllegalStateException("a " + n.event() + " notice for " + n.key() + " names no incident");
            }
            written += enqueue(h, row.id(), n, names);
        }
        return written;
    }

    /**
     * Sets {@code suppressed_by} of the incidents suppressed in this drain, once every row exists: a dependent's
     * incident may come before its dependency's in the list.
     */
    private static void linkSuppressed(
            Handle h, List<Incident> incidents, Map<IncidentKey, List<Row>> touched, Map<IncidentKey, Row> open)
            throws SQLException {
        try (var s = h.getConnection()
                .prepareStatement("UPDATE incidents SET suppressed_by = ? WHERE id = ? AND suppressed_by IS NULL")) {
            int linked = 0;
            for (Incident i : incidents) {
                IncidentRef by = i.suppressedBy();
                if (by == null) {
                    continue;
                }
                Row row = find(touched.get(i.key()), i.openedAt());
                Row notifying = find(touched.get(by.key()), by.openedAt());
                if (notifying == null) {
                    Row candidate = open.get(by.key());
                    notifying = candidate != null && candidate.openedAt().equals(by.openedAt())
                            ? candidate
                            : findRow(h, by);
                }
                if (notifying == null) {
                    continue; // the notifying incident's row is gone (its monitor was deleted): nothing to link
                }
                s.setLong(1, notifying.id());
                s.setLong(2, row.id());
                s.addBatch();
                linked++;
            }
            if (linked > 0) {
                s.executeBatch();
            }
        }
    }

    private static Row findRow(Handle h, IncidentRef ref) {
        return h.createQuery(
                        """
                        SELECT id FROM incidents
                        WHERE kind = :kind AND coalesce(monitor_id, datacenter_id) = :subject AND opened_at = :openedAt
                        ORDER BY id DESC LIMIT 1
                        """)
                .bind("kind", ref.key().kind().wireName())
                .bind("subject", ref.key().subjectId())
                .bind("openedAt", Columns.timestamp(ref.openedAt()))
                .mapTo(Long.class)
                .findOne()
                .map(id -> new Row(id, ref.openedAt()))
                .orElse(null);
    }

    private static Row find(List<Row> rows, Instant openedAt) {
        if (rows == null) {
            return null;
        }
        for (Row r : rows) {
            if (r.openedAt().equals(openedAt)) {
                return r;
            }
        }
        return null;
    }

    private static Map<IncidentKey, Row> openRows(Handle h) {
        var rows = new HashMap<IncidentKey, Row>();
        h.createQuery("SELECT id, kind, monitor_id, datacenter_id, opened_at FROM incidents WHERE resolved_at IS NULL")
                .map((rs, ctx) -> {
                    var key = IncidentKey.of(rs.getString(2), rs.getInt(3), rs.getInt(4));
                    return Map.entry(key, new Row(rs.getLong(1), Columns.instant(rs, 5)));
                })
                .forEach(e -> rows.put(e.getKey(), e.getValue()));
        return rows;
    }

    private static Row insert(Handle h, Incident i) throws SQLException {
        var c = h.getConnection();
        try (var s = c.prepareStatement(
                """
                INSERT INTO incidents (kind, monitor_id, datacenter_id, scope, opened_at, resolved_at, error_type,
                    error_message, datacenters, notified, cert_not_after)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id
                """)) {
            boolean monitor = i.key().kind().aboutMonitor();
            s.setString(1, i.key().kind().wireName());
            setInteger(s, 2, monitor ? i.key().subjectId() : null);
            setInteger(s, 3, monitor ? null : i.key().subjectId());
            s.setString(4, i.scope());
            s.setTimestamp(5, Columns.timestamp(i.openedAt()));
            s.setTimestamp(6, Columns.timestamp(i.resolvedAt()));
            s.setString(7, i.errorType());
            s.setString(8, i.errorMessage());
            s.setArray(9, c.createArrayOf("integer", i.datacenters().toArray()));
            s.setBoolean(10, i.notified());
            s.setTimestamp(11, Columns.timestamp(i.certNotAfter()));
            try (var rs = s.executeQuery()) {
                rs.next();
                return new Row(rs.getLong(1), i.openedAt());
            }
        }
    }

    private static void update(Handle h, long id, Incident i) throws SQLException {
        var c = h.getConnection();
        try (var s = c.prepareStatement(
                "UPDATE incidents SET scope = ?, resolved_at = ?, datacenters = ?, notified = ? WHERE id = ?")) {
            s.setString(1, i.scope());
            s.setTimestamp(2, Columns.timestamp(i.resolvedAt()));
            s.setArray(3, c.createArrayOf("integer", i.datacenters().toArray()));
            s.setBoolean(4, i.notified());
            s.setLong(5, id);
            s.executeUpdate();
        }
    }

    private static int enqueue(Handle h, long incidentId, NoticeRequest n, Names names) throws SQLException {
        if (n.channels().isEmpty()) {
            return 0;
        }
        String dedupKey = n.incident().dedupKey(incidentId);
        String payload = OutboxPayload.write(notice(incidentId, dedupKey, n, names));
        try (var s = h.getConnection()
                .prepareStatement("INSERT INTO notifications (incident_id, channel_id, event, dedup_key, payload)"
                        + " VALUES (?, ?, ?, ?, ?::jsonb)")) {
            for (int channel : n.channels()) {
                s.setLong(1, incidentId);
                s.setInt(2, channel);
                s.setString(3, n.event().wireName());
                s.setString(4, dedupKey);
                s.setString(5, payload);
                s.addBatch();
            }
            s.executeBatch();
        }
        return n.channels().size();
    }

    static Notice notice(long incidentId, String dedupKey, NoticeRequest n, Names names) {
        Incident i = n.incident();
        boolean monitor = i.key().kind().aboutMonitor();
        IntFunction<String> code = names::datacenterCode;
        // A push monitor's incident lists its pseudo-datacenter 0, which is no place to name.
        List<String> codes = i.datacenters().stream()
                .filter(id -> id != Evaluator.PUSH_DATACENTER)
                .map(code::apply)
                .sorted()
                .toList();
        return new Notice(
                n.event(),
                dedupKey,
                incidentId,
                i.key().kind().wireName(),
                i.scope(),
                monitor ? i.key().subjectId() : null,
                monitor ? names.monitorName(i.key().subjectId()) : null,
                monitor ? names.target(i.key().subjectId()) : null,
                codes,
                stateOf(n),
                i.errorType(),
                i.errorMessage(),
                i.openedAt(),
                i.resolvedAt(),
                n.at(),
                n.summary());
    }

    private static String stateOf(NoticeRequest n) {
        return switch (n.event()) {
            case FIRING, REMINDER -> "DOWN";
            case RESOLVED -> "UP";
            case FLAPPING -> "FLAPPING";
            case LOST -> "LOST";
            case FOUND -> "FOUND";
            case CERTIFICATE, DEGRADED -> "DEGRADED";
            case RENEWED, RECOVERED -> "UP";
        };
    }

    private static void setInteger(java.sql.PreparedStatement s, int index, Integer value) throws SQLException {
        if (value == null) {
            s.setNull(index, Types.INTEGER);
        } else {
            s.setInt(index, value);
        }
    }
}
