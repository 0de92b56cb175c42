package dev.vantage.store;

import java.sql.Array;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/** The {@code maintenance_windows} rows: read by the monitor module and the status views, written by the CLI. */
public final class MaintenanceDao {
    private static final String COLUMNS =
            """
            id, reason, monitor_ids, datacenter_ids, starts_at, ends_at, weekdays, start_time,
            (extract(epoch FROM duration) * 1000000)::bigint, time_zone, created_by
            """;

    private MaintenanceDao() {}

    /**
     * Every weekly window and every one-off window that has not ended at {@code now} (null: the database's now()), by
     * id.
     */
    public static List<MaintenanceRow> listCurrent(Handle h, Instant now) {
        return h.createQuery("SELECT " + COLUMNS
                        + " FROM maintenance_windows WHERE ends_at IS NULL OR ends_at > coalesce(?, now()) ORDER BY id")
                .bind(0, Columns.timestamp(now))
                .map(MaintenanceDao::row)
                .list();
    }

    public static Optional<MaintenanceRow> find(Handle h, int id) {
        return h.createQuery("SELECT " + COLUMNS + " FROM maintenance_windows WHERE id = ?")
                .bind(0, id)
                .map(MaintenanceDao::row)
                .findOne();
    }

    /** A one-off window from the database's now() for {@code length}; returns its id. */
    public static int startNow(
            Handle h, String reason, List<Integer> monitorIds, List<Integer> datacenterIds, Duration length) {
        return h.createQuery(
                        """
                        INSERT INTO maintenance_windows (reason, monitor_ids, datacenter_ids, starts_at, ends_at, created_by)
                        VALUES (?, ?::integer[], ?::integer[], now(), now() + ? * interval '1 microsecond', 'cli')
                        RETURNING id
                        """)
                .bind(0, reason)
                .bind(1, arrayText(monitorIds))
                .bind(2, arrayText(datacenterIds))
                .bind(3, length.toNanos() / 1000)
                .mapTo(Integer.class)
                .one();
    }

    /** Ends an active one-off window at the database's now(); returns whether it was active. */
    public static boolean endNow(Handle h, int id) {
        return h.createUpdate("UPDATE maintenance_windows SET ends_at = now()"
                                + " WHERE id = ? AND starts_at < now() AND ends_at > now()")
                        .bind(0, id)
                        .execute()
                > 0;
    }

    /** Deletes a one-off window that has not started; returns whether there was one. */
    public static boolean cancelUpcoming(Handle h, int id) {
        return h.createUpdate("DELETE FROM maintenance_windows WHERE id = ? AND starts_at >= now()")
                        .bind(0, id)
                        .execute()
                > 0;
    }

    private static MaintenanceRow row(java.sql.ResultSet rs, org.jdbi.v3.core.statement.StatementContext ctx)
            throws SQLException {
        return new MaintenanceRow(
                rs.getInt(1),
                rs.getString(2),
                integersOrNull(rs.getArray(3)),
                integersOrNull(rs.getArray(4)),
                Columns.instant(rs, 5),
                Columns.instant(rs, 6),
                textsOrNull(rs.getArray(7)),
                rs.getObject(8, LocalTime.class),
                rs.getObject(9) == null ? null : Duration.ofNanos(rs.getLong(9) * 1000),
                rs.getString(10),
                rs.getString(11));
    }

    private static String arrayText(List<Integer> ids) {
        if (ids == null) {
            return null;
        }
        return "{" + String.join(",", ids.stream().map(String::valueOf).toList()) + "}";
    }

    private static List<Integer> integersOrNull(Array a) throws SQLException {
        return a == null ? null : Columns.integers(a);
    }

    private static List<String> textsOrNull(Array a) throws SQLException {
        return a == null ? null : Arrays.asList((String[]) a.getArray());
    }
}
