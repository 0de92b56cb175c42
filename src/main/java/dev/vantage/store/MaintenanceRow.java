package dev.vantage.store;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.util.List;

/**
 * A {@code maintenance_windows} row as stored: one-off ({@code startsAt}, {@code endsAt}) or weekly ({@code weekdays}
 * like {@code mon}, {@code startTime}, {@code duration}, {@code timeZone}); a null id list covers everything.
 */
public record MaintenanceRow(
        int id,
        String reason,
        List<Integer> monitorIds,
        List<Integer> datacenterIds,
        Instant startsAt,
        Instant endsAt,
        List<String> weekdays,
        LocalTime startTime,
        Duration duration,
        String timeZone,
        String createdBy) {

    public boolean weekly() {
        return weekdays != null;
    }
}
