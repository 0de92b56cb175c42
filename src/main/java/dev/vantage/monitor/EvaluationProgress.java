package dev.vantage.monitor;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/**
 * How recently the monitor module's evaluation committed a round, and which session holds its lock: read from the
 * database alone, so that every replica (leader or standby) and {@code vantage status} see the same thing.
 *
 * <p>The leader's every round, even one that read no heartbeat, moves {@code monitor_cursor.updated_at} to the time of
 * its transaction ({@code HeartbeatCursor.save}, committed with the round). A lease that someone holds without
 * evaluating (a login that took the advisory lock after the leader's session dropped, a leader whose rounds all fail)
 * therefore shows as a {@code updated_at} that stops moving. The age is measured on the database's clock, so the
 * replicas' clocks do not matter.
 *
 * @param lastRoundAt when the last round committed; null when no round ever did (no cursor yet)
 * @param ageSeconds seconds since then on the database's clock; null with {@code lastRoundAt}
 * @param lockHolder the session that holds the monitor's advisory lock, as PostgreSQL knows it (its role cannot be
 *     forged, its application name can): {@code pid 4242, role mallory, application 'psql'}; null when nobody holds it
 * @param leaseHolder {@code monitor_leases.holder} and epoch, what the last replica to take the lease wrote; null when
 *     none ever did
 */
public record EvaluationProgress(Instant lastRoundAt, Double ageSeconds, String lockHolder, String leaseHolder) {
    /** Default of VANTAGE_STALL_AFTER: 300 rounds of an idle leader, five missed lease refreshes. */
    public static final Duration STALL_AFTER = Duration.ofSeconds(60);

    /** The lower bound of VANTAGE_STALL_AFTER: several rounds, and a lease takeover, must fit in it. */
    public static final Duration MIN_STALL_AFTER = Duration.ofSeconds(5);

    private static final int MAX_APPLICATION_NAME = 63;

    /**
     * The lock is {@code pg_try_advisory_lock(1447120468, 0)} (LeaseSession.NAMESPACE, MonitorKind.LOCK_KEY): with two
     * int keys, pg_locks shows them as classid and objid, and objsubid 2.
     */
    private static final String READ =
            """
            SELECT c.updated_at,
                   extract(epoch FROM clock_timestamp() - c.updated_at)::float8,
                   (SELECT format('pid %s, role %s, application %L', a.pid, coalesce(a.usename::text, '?'),
                                  coalesce(a.application_name, ''))
                    FROM pg_locks k LEFT JOIN pg_stat_activity a ON a.pid = k.pid
                    WHERE k.locktype = 'advisory' AND k.granted
                      AND k.database = (SELECT oid FROM pg_database WHERE datname = current_database())
                      AND k.classid = 1447120468 AND k.objid = 0 AND k.objsubid = 2
                    LIMIT 1),
                   (SELECT format('%s (epoch %s)', holder, epoch) FROM monitor_leases WHERE name = 'monitor')
            FROM (SELECT 1) one
            LEFT JOIN monitor_cursor c ON c.name = 'heartbeats'
            """;

    public static EvaluationProgress read(Handle h) {
        return h.createQuery(READ)
                .map((rs, ctx) -> {
                    var at = rs.getObject(1, OffsetDateTime.class);
                    double age = rs.getDouble(2);
                    return new EvaluationProgress(
                            at == null ? null : at.toInstant(),
                            at == null ? null : Math.max(0, age),
                            cut(rs.getString(3)),
                            rs.getString(4));
                })
                .one();
    }

    /**
     * Whether evaluation has stalled: a round committed once and none for longer than {@code stallAfter}. A database
     * where no round ever committed is not stalled by this rule (nothing was evaluating yet); a replica applies its
     * own start time to that case ({@link EvaluationWatch}).
     */
    public boolean stalled(Duration stallAfter) {
        return ageSeconds != null && ageSeconds > stallAfter.toMillis() / 1000.0;
    }

    /** This progress {@code seconds} later, for a replica that cannot read the database now. */
    public EvaluationProgress olderBy(double seconds) {
        return ageSeconds == null
                ? this
                : new EvaluationProgress(lastRoundAt, ageSeconds + seconds, lockHolder, leaseHolder);
    }

    /**
     * One line for people: {@code evaluation stalled since 2026-12-06T06:39:51Z (lease held by pid 4242, role
     * mallory, application 'psql'; monitor_leases names monitor-a (epoch 1))}, or when it is not stalled {@code last
     * evaluation round 0 s ago}.
     */
    public String describe(Duration stallAfter) {
        if (lastRoundAt == null) {
            return "no evaluation round has committed yet (" + holders() + ")";
        }
        if (!stalled(stallAfter)) {
            return "last evaluation round " + Math.round(ageSeconds) + " s ago";
        }
        return "evaluation stalled since "
                + DateTimeFormatter.ISO_INSTANT.format(lastRoundAt.truncatedTo(ChronoUnit.SECONDS)) + " (" + holders()
                + ")";
    }

    private String holders() {
        String lock =
                Optional.ofNullable(lockHolder).map(l -> "lease held by " + l).orElse("lease held by nobody");
        return leaseHolder == null ? lock : lock + "; monitor_leases names " + leaseHolder;
    }

    /** An application name is whatever the client sent: bounded, and never a control character in a log or a page. */
    private static String cut(String s) {
        if (s == null) {
            return null;
        }
        var out = new StringBuilder();
        s.codePoints().limit(MAX_APPLICATION_NAME + 60).forEach(c -> out.appendCodePoint(c < 32 || c == 127 ? '?' : c));
        return out.toString();
    }
}
