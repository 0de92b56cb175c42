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

    /**
     * Claims up to {@code limit} due rows: sets {@code claimed_until} and counts the attempt. A row is due when it is
     * pending, its next attempt time has come, nobody holds an unexpired claim on it, and no older row of the same
     * incident and channel is still pending (a resolved never overtakes its firing). Rows locked by another claim are
     * skipped. At most {@code perChannel} rows of one channel are in flight at once, counting {@code busyChannels}
     * (one entry per send already in flight), so that a slow channel cannot take every sender.
     *
     * @param inFlight ids this process is still sending (their claim may have expired): never claimed again here
     */
    @SqlQuery(
            """
            WITH candidates AS (
                SELECT n.id, row_number() OVER (PARTITION BY n.channel_id ORDER BY n.next_attempt_at, n.id) AS rank
                FROM notifications n
                WHERE n.status = 'pending'
                  AND n.next_attempt_at <= now()
                  AND (n.claimed_until IS NULL OR n.claimed_until < now())
                  AND n.id <> ALL (CAST(:inFlight AS bigint[]))
                  AND NOT EXISTS (
                      SELECT 1 FROM notifications o
                      WHERE o.incident_id = n.incident_id AND o.channel_id = n.channel_id
                        AND o.id < n.id AND o.status = 'pending')
            ),
            chosen AS (
                SELECT n.id
                FROM notifications n
                JOIN candidates c ON c.id = n.id
                WHERE c.rank + (SELECT count(*) FROM unnest(CAST(:busyChannels AS integer[])) AS b (channel_id)
                                WHERE b.channel_id = n.channel_id) <= :perChannel
                  AND n.status = 'pending'
                  AND (n.claimed_until IS NULL OR n.claimed_until < now())
                ORDER BY n.next_attempt_at, n.id
                LIMIT :limit
                FOR UPDATE OF n SKIP LOCKED
            )
            UPDATE notifications n
            SET claimed_until = now() + interval '1 millisecond' * :claimMillis, attempts = n.attempts + 1
            FROM chosen, notification_channels ch
            WHERE n.id = chosen.id AND ch.id = n.channel_id
            RETURNING n.id, n.incident_id, n.channel_id, n.event, n.dedup_key, n.payload::text AS payload_json,
                      n.attempts AS attempt, n.created_at, ch.name AS channel_name, ch.type AS channel_type,
                      ch.enabled AS channel_enabled
            """)
    List<ClaimedNotification> claim(
            @Bind("limit") int limit,
            @Bind("perChannel") int perChannel,
            @Bind("inFlight") long[] inFlight,
            @Bind("busyChannels") int[] busyChannels,
            @Bind("claimMillis") long claimMillis);

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
     * The incidents held back by {@code incidentId} that never notified on their own, by monitor name: what a notice
     * of that incident lists when it is claimed for sending.
     */
    @SqlQuery(
            """
            SELECT i.monitor_id, coalesce(m.name, 'monitor #' || i.monitor_id) AS monitor_name, i.dedup_key
            FROM incidents i LEFT JOIN api_monitors m ON m.id = i.monitor_id
            WHERE i.suppressed_by = :incidentId AND NOT i.notified
            ORDER BY monitor_name, i.id
            """)
    List<SuppressedIncident> listSuppressed(@Bind("incidentId") long incidentId);
}
