package dev.vantage.store;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/**
 * The outbox ({@code notifications}, {@code notification_attempts}). Times that decide what is due come from the
 * database's {@code now()}, so that every process delivering the same outbox agrees on them.
 */
@RegisterConstructorMapper(ClaimedNotification.class)
@RegisterConstructorMapper(AbandonedNotification.class)
@RegisterConstructorMapper(OutboxStats.class)
@RegisterConstructorMapper(SuppressedIncident.class)
public interface OutboxDao {

    /** The key of the transaction-level advisory lock every claim takes first ('VANT' << 32 | 'OUTB'). */
    long CLAIM_LOCK = 0x56414E54_4F555442L;

    /**
     * Waits for the claim lock, held until the transaction ends: two processes that claim at once (a lease hand-over)
     * take turns, so that they never split one group of notifications between them.
     */
    @SqlQuery("SELECT 1 FROM pg_advisory_xact_lock(:key)")
    int lockClaims(@Bind("key") long key);

    /**
     * Claims up to {@code limit} due sends, each one row or a group of rows sent as one notice: sets
     * {@code claimed_until} and {@code group_id} and counts the attempt on every row. Call it after {@link
     * #lockClaims} in the same transaction.
     *
     * <p>A row is due when it is pending, its next attempt time has come, nobody holds an unexpired claim on it, and
     * no older row of the same incident and channel is still pending (a resolved never overtakes its firing). A row
     * already sent in a group ({@code group_id} set) is claimed with the rest of that group's pending rows. A row
     * never sent is grouped when its channel's {@code group_seconds} is above 0, the channel is not in
     * {@code ungrouped}, and its event opens (firing, lost, reminder) or closes (resolved, found) an incident: the
     * rows of one channel and class wait until the oldest is {@code group_seconds} old, then up to
     * {@code groupLimit} of them go together, under the smallest id as their {@code group_id}. Every other row is
     * claimed alone, its own id as {@code group_id}.
     *
     * <p>At most {@code perChannel} sends of one channel are in flight at once, counting {@code busyChannels} (one
     * entry per send already in flight), so that a slow channel cannot take every sender. Rows locked by another
     * transaction are skipped.
     *
     * @param inFlight ids this process is still sending (their claim may have expired): never claimed again here
     * @param ungrouped channels whose notifier takes one incident per request: their rows are never held nor grouped
     */
    @SqlQuery(
            """
            WITH due AS (
                SELECT n.id, n.channel_id, n.created_at, n.next_attempt_at, n.group_id, ch.group_seconds,
                       CASE WHEN n.group_id IS NOT NULL OR ch.group_seconds = 0
                                 OR n.channel_id = ANY (CAST(:ungrouped AS integer[])) THEN NULL
                            WHEN n.event IN ('firing', 'lost', 'reminder') THEN 'opening'
                            WHEN n.event IN ('resolved', 'found') THEN 'closing'
                       END AS class
                FROM notifications n
                JOIN notification_channels ch ON ch.id = n.channel_id
                WHERE n.status = 'pending'
                  AND n.next_attempt_at <= now()
                  AND (n.claimed_until IS NULL OR n.claimed_until < now())
                  AND n.id <> ALL (CAST(:inFlight AS bigint[]))
                  AND NOT EXISTS (
                      SELECT 1 FROM notifications o
                      WHERE o.incident_id = n.incident_id AND o.channel_id = n.channel_id
                        AND o.id < n.id AND o.status = 'pending')
            ),
            members AS (
                SELECT d.id, d.channel_id, d.next_attempt_at,
                       CASE WHEN d.class IS NULL THEN coalesce(d.group_id, d.id)
                            ELSE min(d.id) OVER (PARTITION BY d.channel_id, d.class) END AS unit,
                       d.class IS NULL
                           OR (min(d.created_at) OVER (PARTITION BY d.channel_id, d.class)
                                   <= now() - interval '1 second' * d.group_seconds
                               AND row_number() OVER (PARTITION BY d.channel_id, d.class ORDER BY d.id)
                                   <= :groupLimit) AS ready
                FROM due d
            ),
            units AS (
                SELECT m.unit, m.channel_id, min(m.next_attempt_at) AS next_attempt_at
                FROM members m
                WHERE m.ready
                GROUP BY m.unit, m.channel_id
            ),
            ranked AS (
                SELECT u.unit, u.channel_id, u.next_attempt_at,
                       row_number() OVER (PARTITION BY u.channel_id ORDER BY u.next_attempt_at, u.unit) AS rank
                FROM units u
            ),
            chosen_units AS (
                SELECT r.unit
                FROM ranked r
                WHERE r.rank + (SELECT count(*) FROM unnest(CAST(:busyChannels AS integer[])) AS b (channel_id)
                                WHERE b.channel_id = r.channel_id) <= :perChannel
                ORDER BY r.next_attempt_at, r.unit
                LIMIT :limit
            ),
            chosen AS (
                SELECT n.id, m.unit
                FROM notifications n
                JOIN members m ON m.id = n.id
                JOIN chosen_units c ON c.unit = m.unit
                WHERE m.ready
                  AND n.status = 'pending'
                  AND (n.claimed_until IS NULL OR n.claimed_until < now())
                FOR UPDATE OF n SKIP LOCKED
            )
            UPDATE notifications n
            SET claimed_until = now() + interval '1 millisecond' * :claimMillis, attempts = n.attempts + 1,
                group_id = chosen.unit
            FROM chosen, notification_channels ch
            WHERE n.id = chosen.id AND ch.id = n.channel_id
            RETURNING n.id, n.incident_id, n.channel_id, n.event, n.dedup_key, n.payload::text AS payload_json,
                      n.attempts AS attempt, n.created_at, ch.name AS channel_name, ch.type AS channel_type,
                      ch.enabled AS channel_enabled, n.group_id
            """)
    List<ClaimedNotification> claim(
            @Bind("limit") int limit,
            @Bind("perChannel") int perChannel,
            @Bind("inFlight") long[] inFlight,
            @Bind("busyChannels") int[] busyChannels,
            @Bind("ungrouped") int[] ungrouped,
            @Bind("groupLimit") int groupLimit,
            @Bind("claimMillis") long claimMillis);

    /**
     * Takes back the claim of rows that were claimed as a group for a channel that no longer groups (its type
     * changed in between): nothing was sent, so the attempt is not counted and the next round claims them one by one.
     */
    @SqlUpdate(
            """
            UPDATE notifications SET claimed_until = NULL, attempts = attempts - 1, group_id = NULL
            WHERE id = :id AND attempts = :attempt AND status = 'pending'
            """)
    int release(@Bind("id") long id, @Bind("attempt") int attempt);

    /** Fails every unclaimed pending row enqueued more than {@code maxAgeMillis} ago, with {@code reason}. */
    @SqlQuery(
            """
            UPDATE notifications n
            SET status = 'failed', claimed_until = NULL,
                last_error = :reason || coalesce('; last error: ' || n.last_error, '')
            FROM notification_channels ch
            WHERE ch.id = n.channel_id
              AND n.status = 'pending'
              AND n.created_at < now() - interval '1 millisecond' * :maxAgeMillis
              AND (n.claimed_until IS NULL OR n.claimed_until < now())
            RETURNING n.id, n.incident_id, n.event, n.attempts, ch.name AS channel_name, ch.type AS channel_type
            """)
    List<AbandonedNotification> abandonExpired(@Bind("maxAgeMillis") long maxAgeMillis, @Bind("reason") String reason);

    @SqlUpdate(
            """
            INSERT INTO notification_attempts (notification_id, attempt, started_at, duration_ms, outcome, status_code, error)
            VALUES (:id, :attempt, :startedAt, :durationMs, :outcome, :statusCode, :error)
            ON CONFLICT DO NOTHING
            """)
    void insertAttempt(
            @Bind("id") long id,
            @Bind("attempt") int attempt,
            @Bind("startedAt") OffsetDateTime startedAt,
            @Bind("durationMs") double durationMs,
            @Bind("outcome") String outcome,
            @Bind("statusCode") Integer statusCode,
            @Bind("error") String error);

    /**
     * Records a delivery, if the claim of {@code attempt} still holds. Returns the time from enqueueing to delivery
     * in seconds, empty when the claim was lost (expired and taken by another attempt).
     */
    @SqlQuery(
            """
            UPDATE notifications
            SET status = 'delivered', delivered_at = now(), claimed_until = NULL, last_error = NULL
            WHERE id = :id AND attempts = :attempt AND status = 'pending'
            RETURNING extract(epoch FROM now() - created_at)::double precision
            """)
    Optional<Double> markDelivered(@Bind("id") long id, @Bind("attempt") int attempt);

    /**
     * Schedules the next attempt {@code delayMillis} from now, or fails the row with {@code giveUpError} when that
     * would be past {@code maxAgeMillis} since it was enqueued. Returns the new status, empty when the claim was lost.
     */
    @SqlQuery(
            """
            UPDATE notifications
            SET claimed_until = NULL,
                next_attempt_at = now() + interval '1 millisecond' * :delayMillis,
                status = CASE WHEN now() + interval '1 millisecond' * :delayMillis
                                   > created_at + interval '1 millisecond' * :maxAgeMillis
                              THEN 'failed' ELSE 'pending' END,
                last_error = CASE WHEN now() + interval '1 millisecond' * :delayMillis
                                       > created_at + interval '1 millisecond' * :maxAgeMillis
                                  THEN :giveUpError ELSE :error END
            WHERE id = :id AND attempts = :attempt AND status = 'pending'
            RETURNING status
            """)
    Optional<String> markRetry(
            @Bind("id") long id,
            @Bind("attempt") int attempt,
            @Bind("delayMillis") long delayMillis,
            @Bind("maxAgeMillis") long maxAgeMillis,
            @Bind("error") String error,
            @Bind("giveUpError") String giveUpError);

    /** Fails the row after a rejected attempt, if the claim of {@code attempt} still holds; returns 1, else 0. */
    @SqlUpdate(
            """
            UPDATE notifications SET status = 'failed', claimed_until = NULL, last_error = :error
            WHERE id = :id AND attempts = :attempt AND status = 'pending'
            """)
    int markRejected(@Bind("id") long id, @Bind("attempt") int attempt, @Bind("error") String error);

    /**
     * Fails the row without an attempt (its channel cannot be used, or its payload cannot be read): the claim's
     * attempt count is taken back, since nothing was sent.
     */
    @SqlUpdate(
            """
            UPDATE notifications SET status = 'failed', claimed_until = NULL, attempts = attempts - 1, last_error = :error
            WHERE id = :id AND attempts = :attempt AND status = 'pending'
            """)
    int markUnsendable(@Bind("id") long id, @Bind("attempt") int attempt, @Bind("error") String error);

    /** Read through the partial index on pending rows: cheap enough for a gauge refreshed every few seconds. */
    @SqlQuery(
            """
            SELECT count(*) AS pending,
                   coalesce(extract(epoch FROM now() - min(created_at)), 0)::double precision AS oldest_pending_seconds
            FROM notifications WHERE status = 'pending'
            """)
    OutboxStats stats();

    /**
     * Enqueues a reminder for every open, notified incident and every enabled channel with a {@code repeat_every},
     * when the latest firing or reminder of that incident to that channel was enqueued at least {@code repeat_every}
     * before {@code now}. The reminder repeats that latest payload with {@code event} "reminder" and {@code at}
     * {@code now}, and the same dedup key; none while the incident's monitor is in MAINTENANCE (the first falls due
     * when the window ends). Returns how many were enqueued.
     */
    @SqlUpdate(
            """
            INSERT INTO notifications (incident_id, channel_id, event, dedup_key, payload, created_at)
            SELECT latest.incident_id, latest.channel_id, 'reminder', latest.dedup_key,
                   jsonb_set(jsonb_set(latest.payload, '{event}', '"reminder"'), '{at}', to_jsonb(CAST(:nowText AS text))),
                   :now
            FROM (
                SELECT DISTINCT ON (n.incident_id, n.channel_id)
                       n.incident_id, n.channel_id, n.dedup_key, n.payload, n.created_at
                FROM notifications n
                JOIN incidents i ON i.id = n.incident_id
                WHERE i.resolved_at IS NULL AND i.notified AND n.event IN ('firing', 'reminder')
                  -- none while a maintenance window covers the whole monitor (schema 15)
                  AND NOT EXISTS (SELECT 1 FROM monitor_states s WHERE s.monitor_id = i.monitor_id
                                  AND s.datacenter_id IS NULL AND s.state = 'MAINTENANCE')
                ORDER BY n.incident_id, n.channel_id, n.id DESC
            ) latest
            JOIN notification_channels ch ON ch.id = latest.channel_id
            WHERE ch.enabled AND ch.repeat_every IS NOT NULL
              AND latest.created_at <= CAST(:now AS timestamptz) - ch.repeat_every
            """)
    int insertReminders(@Bind("now") OffsetDateTime now, @Bind("nowText") String nowText);

    default int enqueueReminders(Instant now) {
        return insertReminders(now.atOffset(ZoneOffset.UTC), now.toString());
    }

    /**
     * The incidents held back by any of {@code incidentIds} that never notified on their own, by monitor name: what the
     * notices of those incidents list when they are claimed for sending (one query for a whole group).
     */
    @SqlQuery(
            """
            SELECT i.suppressed_by, i.monitor_id, coalesce(m.name, 'monitor #' || i.monitor_id) AS monitor_name,
                   i.dedup_key
            FROM incidents i LEFT JOIN api_monitors m ON m.id = i.monitor_id
            WHERE i.suppressed_by = ANY (CAST(:incidentIds AS bigint[])) AND NOT i.notified
            ORDER BY monitor_name, i.id
            """)
    List<SuppressedIncident> listSuppressed(@Bind("incidentIds") long[] incidentIds);
}
