package dev.vantage.evaluate;

import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * One {@code maintenance_windows} row: one-off ({@code startsAt}, {@code endsAt}) or weekly ({@code weekdays},
 * {@code startTime}, {@code duration}, {@code zone}), over some monitors and datacenters (null: all of them).
 *
 * <p>A weekly occurrence starts at {@code startTime} on one of the {@code weekdays}, both local to {@code zone}, and
 * lasts {@code duration} of elapsed time, so it may cross midnight and a DST change lengthens nothing. A start in a
 * DST gap moves forward by the gap (02:30 on the night clocks jump from 02:00 to 03:00 starts at 03:30); a start in an
 * overlap is the earlier of the two instants: what {@link ZonedDateTime#of} does.
 *
 * @param monitorIds null: every monitor
 * @param datacenterIds null: every datacenter
 */
public record MaintenanceWindow(
        int id,
        String reason,
        Set<Integer> monitorIds,
        Set<Integer> datacenterIds,
        Instant startsAt,
        Instant endsAt,
        Set<DayOfWeek> weekdays,
        LocalTime startTime,
        Duration duration,
        ZoneId zone) {

    /** The longest weekly occurrence, as the schema's CHECK allows. */
    public static final Duration LONGEST = Duration.ofDays(7);

    /** One occurrence: [start, end). */
    public record Occurrence(Instant start, Instant end) {
        public boolean covers(Instant t) {
            return !t.isBefore(start) && t.isBefore(end);
        }
    }

    public MaintenanceWindow {
        Objects.requireNonNull(reason, "reason");
        monitorIds = monitorIds == null ? null : Set.copyOf(monitorIds);
        datacenterIds = datacenterIds == null ? null : Set.copyOf(datacenterIds);
        boolean oneOff = startsAt != null || endsAt != null;
        boolean weekly = weekdays != null || startTime != null || duration != null || zone != null;
        if (oneOff == weekly) {
            throw new IllegalArgumentException("maintenance window " + id + " must be either one-off or weekly");
        }
        if (oneOff) {
            if (startsAt == null || endsAt == null || !endsAt.isAfter(startsAt)) {
                throw new IllegalArgumentException("maintenance window " + id + " needs starts_at before ends_at, was "
                        + startsAt + ", " + endsAt);
            }
        } else {
            if (weekdays == null || weekdays.isEmpty() || startTime == null || duration == null || zone == null) {
                throw new IllegalArgumentException(
                        "maintenance window " + id + " needs weekdays, start_time, duration and time_zone");
            }
            if (duration.isNegative() || duration.isZero() || duration.compareTo(LONGEST) > 0) {
                throw new IllegalArgumentException(
                        "maintenance window " + id + " needs a duration in (0, 7 days], was " + duration);
            }
            weekdays = Set.copyOf(EnumSet.copyOf(weekdays));
        }
    }

    public static MaintenanceWindow oneOff(
            int id, String reason, Set<Integer> monitorIds, Set<Integer> datacenterIds, Instant start, Instant end) {
        return new MaintenanceWindow(id, reason, monitorIds, datacenterIds, start, end, null, null, null, null);
    }

    public static MaintenanceWindow weekly(
            int id,
            String reason,
            Set<Integer> monitorIds,
            Set<Integer> datacenterIds,
            Set<DayOfWeek> weekdays,
            LocalTime startTime,
            Duration duration,
            ZoneId zone) {
        return new MaintenanceWindow(
                id, reason, monitorIds, datacenterIds, null, null, weekdays, startTime, duration, zone);
    }

    public boolean weekly() {
        return weekdays != null;
    }

    /** Whether it applies to this pair, at any time. */
    public boolean scopes(int monitorId, int datacenterId) {
        return (monitorIds == null || monitorIds.contains(monitorId))
                && (datacenterIds == null || datacenterIds.contains(datacenterId));
    }

    /** The occurrence that covers {@code t}, or else the next one to start after it; empty when none will. */
    public Optional<Occurrence> occurrence(Instant t) {
        if (!weekly()) {
            return endsAt.isAfter(t) ? Optional.of(new Occurrence(startsAt, endsAt)) : Optional.empty();
        }
        // Occurrences starting up to `duration` before t may still cover it; then the next 8 days hold the next start.
        LocalDate day = t.atZone(zone).toLocalDate().minusDays(duration.toDays() + 1);
        LocalDate last = day.plusDays(duration.toDays() + 10);
        for (; !day.isAfter(last); day = day.plusDays(1)) {
            if (!weekdays.contains(day.getDayOfWeek())) {
                continue;
            }
            Instant start = ZonedDateTime.of(day, startTime, zone).toInstant();
            Instant end = start.plus(duration);
            if (end.isAfter(t)) {
                return Optional.of(new Occurrence(start, end));
            }
        }
        return Optional.empty(); // unreachable: a weekday comes every week
    }

    /** Whether an occurrence covers {@code t}. */
    public boolean activeAt(Instant t) {
        return occurrence(t).map(o -> o.covers(t)).orElse(false);
    }
}
