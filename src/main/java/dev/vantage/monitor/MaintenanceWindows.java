package dev.vantage.monitor;

import dev.vantage.evaluate.Maintenance;
import dev.vantage.evaluate.MaintenanceWindow;
import dev.vantage.evaluate.Observation;
import dev.vantage.store.Columns;
import dev.vantage.store.MaintenanceDao;
import dev.vantage.store.MaintenanceRow;
import java.sql.SQLException;
import java.time.DateTimeException;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import org.jdbi.v3.core.Handle;

/**
 * Maintenance windows between the rows and the evaluator: turns {@code maintenance_windows} rows into
 * {@link Maintenance}, and marks the heartbeats evaluated inside a window ({@code api_heartbeats.in_maintenance}).
 *
 * <p>The agents do not know about windows: the monitor module marks the rows in its evaluation transaction, by id and
 * {@code scheduled_at} so that each update finds its partition by the key. Windows are rare, so this costs nothing the
 * rest of the time.
 */
public final class MaintenanceWindows {
    private static final Map<String, DayOfWeek> DAYS = Map.of(
            "mon", DayOfWeek.MONDAY,
            "tue", DayOfWeek.TUESDAY,
            "wed", DayOfWeek.WEDNESDAY,
            "thu", DayOfWeek.THURSDAY,
            "fri", DayOfWeek.FRIDAY,
            "sat", DayOfWeek.SATURDAY,
            "sun", DayOfWeek.SUNDAY);

    private MaintenanceWindows() {}

    /**
     * The windows that have not ended at {@code now} (null: the database's now()); a row Java cannot use is reported
     * and left out.
     */
    public static Maintenance load(Handle h, Instant now, BiConsumer<MaintenanceRow, String> invalid) {
        List<MaintenanceWindow> windows = new ArrayList<>();
        for (MaintenanceRow row : MaintenanceDao.listCurrent(h, now)) {
            try {
                windows.add(window(row));
            } catch (IllegalArgumentException | DateTimeException e) {
                invalid.accept(row, e.getMessage());
            }
        }
        return new Maintenance(windows);
    }

    public static MaintenanceWindow window(MaintenanceRow row) {
        var monitors = row.monitorIds() == null ? null : new HashSet<>(row.monitorIds());
        var datacenters = row.datacenterIds() == null ? null : new HashSet<>(row.datacenterIds());
        if (!row.weekly()) {
            return MaintenanceWindow.oneOff(
                    row.id(), row.reason(), monitors, datacenters, row.startsAt(), row.endsAt());
        }
        var days = EnumSet.noneOf(DayOfWeek.class);
        for (String d : row.weekdays()) {
            DayOfWeek day = DAYS.get(d);
            if (day == null) {
                throw new IllegalArgumentException("maintenance window " + row.id() + ": unknown weekday " + d);
            }
            days.add(day);
        }
        ZoneId zone;
        try {
            zone = ZoneId.of(row.timeZone());
        } catch (DateTimeException e) {
            throw new IllegalArgumentException(
                    "maintenance window " + row.id() + ": time zone " + row.timeZone() + " is unknown to Java");
        }
        return MaintenanceWindow.weekly(
                row.id(), row.reason(), monitors, datacenters, days, row.startTime(), row.duration(), zone);
    }

    /**
     * Marks the heartbeats of the batch whose slot a window covers, in one JDBC batch; returns how many. Only pairs the
     * evaluator has in maintenance are checked against the windows, so a batch without any costs one lookup per row.
     */
    static int mark(Handle h, List<Observation> batch, Maintenance maintenance, InMaintenance evaluator)
            throws SQLException {
        if (maintenance.isEmpty()) {
            return 0;
        }
        int marked = 0;
        try (var s = h.getConnection()
                .prepareStatement(
                        "UPDATE api_heartbeats SET in_maintenance = true WHERE id = ? AND scheduled_at = ?")) {
            for (Observation o : batch) {
                if (evaluator.inMaintenance(o.monitorId(), o.datacenterId())
                        && maintenance.covers(o.monitorId(), o.datacenterId(), o.scheduledAt())) {
                    s.setLong(1, o.heartbeatId());
                    s.setTimestamp(2, Columns.timestamp(o.scheduledAt()));
                    s.addBatch();
                    marked++;
                }
            }
            if (marked > 0) {
                s.executeBatch();
            }
        }
        return marked;
    }

    /** Whether the evaluator has a pair in maintenance. */
    interface InMaintenance {
        boolean inMaintenance(int monitorId, int datacenterId);
    }
}
