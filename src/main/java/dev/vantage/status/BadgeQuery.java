package dev.vantage.status;

import static dev.vantage.status.StatusQuery.utc;

import dev.vantage.store.Columns;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.regex.Pattern;
import org.jdbi.v3.core.Jdbi;

/**
 * What a badge reads about one public monitor: its global state ({@code monitor_states}) and its uptime over a window,
 * computed as {@code api_uptime_daily} does: probes made during a maintenance window are left out. Whole hours come from
 * {@code api_heartbeat_rollups}, the rest (the window's first partial hour, and the hours not rolled up yet) from
 * {@code api_heartbeats}, for this one monitor: a handful of index probes however long the window.
 */
final class BadgeQuery {
    /** A slug as V19 allows it; anything else names no monitor, and is not looked up. */
    private static final Pattern SLUG = Pattern.compile("[a-z0-9]([a-z0-9-]{0,62}[a-z0-9])?");

    private static final Pattern ID = Pattern.compile("[1-9][0-9]{0,9}");

    /** A public monitor. {@code state} is null before the monitor module wrote one. */
    record Found(int id, String name, boolean enabled, String state) {}

    private final Jdbi jdbi;

    BadgeQuery(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /**
     * The public monitor named by {@code key}, an id or a slug; empty for a key of neither form, an unknown monitor and
     * one that is not public alike.
     */
    Optional<Found> find(String key) {
        boolean id = ID.matcher(key).matches() && Long.parseLong(key) <= Integer.MAX_VALUE;
        if (!id && !SLUG.matcher(key).matches()) {
            return Optional.empty();
        }
        return jdbi.withHandle(h -> h.createQuery(
                        """
                        SELECT m.id, m.name, m.enabled, s.state
                        FROM api_monitors m
                        LEFT JOIN monitor_states s ON s.monitor_id = m.id AND s.datacenter_id IS NULL
                        WHERE m.public AND %s
                        """
                                .formatted(id ? "m.id = :id" : "m.slug = :slug"))
                .bind(id ? "id" : "slug", id ? (Object) Integer.parseInt(key) : key)
                .map((rs, ctx) -> new Found(rs.getInt(1), rs.getString(2), rs.getBoolean(3), rs.getString(4)))
                .findOne());
    }

    /** Successful probes / probes outside maintenance over {@code (now - window, now]}, in percent; null without any. */
    Double uptime(int monitorId, Instant now, Duration window) {
        Instant from = now.minus(window);
        Instant headEnd = from.truncatedTo(ChronoUnit.HOURS).plus(Duration.ofHours(1));
        Instant current = now.truncatedTo(ChronoUnit.HOURS);
        return jdbi.withHandle(h -> {
            Instant rolledUntil = h.createQuery(
                            """
                            SELECT max(hour) + interval '1 hour' FROM api_heartbeat_rollups
                            WHERE monitor_id = :id AND hour >= :head_end
                            """)
                    .bind("id", monitorId)
                    .bind("head_end", utc(headEnd))
                    .map((rs, ctx) -> Columns.instant(rs, 1))
                    .one();
            Instant tail = rolledUntil == null || !rolledUntil.isAfter(headEnd)
                    ? headEnd
                    : rolledUntil.isAfter(current) ? current : rolledUntil;
            return h.createQuery(
                            """
                            SELECT sum(n), sum(ok) FROM (
                                SELECT count(*) AS n, count(*) FILTER (WHERE success) AS ok
                                FROM api_heartbeats
                                WHERE monitor_id = :id AND scheduled_at > :from AND scheduled_at <= :now
                                  AND (scheduled_at < :head_end OR scheduled_at >= :tail)
                                  AND NOT in_maintenance AND (beat_kind IS NULL OR beat_kind IN ('success', 'fail'))
                                UNION ALL
                                SELECT sum(probes - maintenance_probes), sum(successes - maintenance_successes)
                                FROM api_heartbeat_rollups
                                WHERE monitor_id = :id AND hour >= :head_end AND hour < :tail
                            ) u
                            """)
                    .bind("id", monitorId)
                    .bind("from", utc(from))
                    .bind("now", utc(now))
                    .bind("head_end", utc(headEnd))
                    .bind("tail", utc(tail))
                    .map((rs, ctx) -> {
                        long n = rs.getLong(1);
                        return n == 0 ? null : 100.0 * rs.getLong(2) / n;
                    })
                    .one();
        });
    }
}
