package dev.vantage.monitor;

import dev.vantage.VantageException;
import dev.vantage.evaluate.Observation;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.mapper.RowMapper;

/**
 * The monitor module's cursor over {@code api_heartbeats}, in {@code (commit_xid, id)} order, stored in the one row of
 * {@code monitor_cursor}.
 *
 * <p>Why not {@code id}: ids are taken at insert and transactions commit later, in any order, so a reader that has
 * seen id 10 can still see id 9 commit afterwards. {@code commit_xid} is the writing transaction's id (a column
 * default, so every insert path stamps it). A reader takes the watermark W, the xmin of its snapshot: every transaction
 * with an xid below W has ended, so the set of rows with {@code commit_xid < W} is final and no row can appear below W
 * later. {@link #read} reads only there, after the cursor, in one statement, so the rows and W come from one snapshot.
 * Rows of a transaction still running wait until it ends (see {@link #measure}); rows written before the column
 * existed have {@code commit_xid} NULL and are never read.
 *
 * <p>Use {@link #load}, {@link #read} and {@link #save} in one transaction together with what the batch produced
 * (states, incidents, outbox): a batch is evaluated exactly once, or, when the transaction rolls back, not at all and
 * the cursor stays where it was. {@link #load} locks the cursor row, so two evaluators that ever overlapped would take
 * turns instead of evaluating the same batch twice. Any isolation level works; under REPEATABLE READ the whole
 * transaction shares the snapshot of its first statement. Stateless and thread-safe.
 */
public final class HeartbeatCursor {

    /**
     * A place in {@code (commit_xid, id)} order: the last heartbeat evaluated, or the start.
     *
     * @param commitXid a full 64-bit transaction id ({@code xid8}); it fits a signed long for any database that has
     *     not used 2^63 transaction ids
     * @param heartbeatId {@code api_heartbeats.id}, 0 for "before every row of that transaction"
     */
    public record Position(long commitXid, long heartbeatId) implements Comparable<Position> {
        public Position {
            if (commitXid < 0) {
                throw new IllegalArgumentException("commitXid must be >= 0, was " + commitXid);
            }
            if (heartbeatId < 0) {
                throw new IllegalArgumentException("heartbeatId must be >= 0, was " + heartbeatId);
            }
        }

        @Override
        public int compareTo(Position other) {
            int byXid = Long.compare(commitXid, other.commitXid);
            return byXid != 0 ? byXid : Long.compare(heartbeatId, other.heartbeatId);
        }
    }

    /**
     * Heartbeats read after a position, in {@code (commit_xid, id)} order.
     *
     * @param observations the rows, at most the limit asked for
     * @param next where the cursor goes once they are evaluated: the last row's position, or the one read from when
     *     there were none
     * @param watermark W of the snapshot the rows were read in: only rows with a {@code commit_xid} below it were read
     * @param full whether the limit was reached: more rows may be waiting below the watermark, read again at once
     * @param lastInsertedAt {@code inserted_at} of the last row, null when there were none
     */
    public record Batch(
            List<Observation> observations, Position next, long watermark, boolean full, Instant lastInsertedAt) {
        public Batch {
            observations = List.copyOf(observations);
            if (next == null) {
                throw new IllegalArgumentException("next must not be null");
            }
            if (observations.isEmpty() != (lastInsertedAt == null)) {
                throw new IllegalArgumentException("lastInsertedAt must be set exactly when there are observations");
            }
        }
    }

    /**
     * How far behind evaluation is, in two parts that have different causes (see {@link #measure}).
     *
     * @param evaluateSeconds seconds between now and {@code inserted_at} of the last heartbeat of the batch; 0 after an
     *     empty batch (nothing was waiting below the watermark)
     * @param watermarkSeconds age in seconds of the oldest transaction that has an xid, hence holds the watermark back;
     *     0 when none is running
     * @param watermarkXids transaction ids between the watermark and the next xid to be assigned
     */
    public record Lag(double evaluateSeconds, double watermarkSeconds, long watermarkXids) {
        public static final Lag NONE = new Lag(0, 0, 0);

        public Lag {
            if (evaluateSeconds < 0 || watermarkSeconds < 0 || watermarkXids < 0) {
                throw new IllegalArgumentException("lags must be >= 0, were " + evaluateSeconds + " s, "
                        + watermarkSeconds + " s, " + watermarkXids + " xids");
            }
        }
    }

    /** {@link #save} found the cursor missing or already past the position: another evaluator moved it. */
    public static final class CursorConflictException extends VantageException {
        public CursorConflictException(String message) {
            super(message);
        }
    }

    private static final String FIND =
            "SELECT commit_xid::text::bigint, heartbeat_id FROM monitor_cursor WHERE name = 'heartbeats' FOR UPDATE";

    private static final String START = "INSERT INTO monitor_cursor (name, commit_xid, heartbeat_id)"
            + " VALUES ('heartbeats', pg_snapshot_xmin(pg_current_snapshot()), 0) ON CONFLICT (name) DO NOTHING";

    /**
     * One statement: W and the rows come from the same snapshot. The LEFT JOIN returns W even without rows. The row
     * comparison and {@code commit_xid < W} are both index conditions on {@code (commit_xid, id)}, and a Merge Append
     * of the partitions' index scans delivers the order without sorting (checked by HeartbeatCursorIT). The outputs are
     * aliased apart from the columns so that ORDER BY names the indexed columns, not the casts.
     */
    static final String READ =
            """
            SELECT w.xmin::text::bigint AS watermark, b.*
            FROM (SELECT pg_snapshot_xmin(pg_current_snapshot()) AS xmin) w
            LEFT JOIN LATERAL (
                SELECT h.commit_xid::text::bigint AS xid, h.id, h.monitor_id, h.datacenter_id, h.scheduled_at,
                       h.success, h.response_time_ms, h.warning_threshold_ms, h.critical_threshold_ms,
                       h.error_type, h.error_message, h.inserted_at, h.beat_kind,
                       h.details ->> 'cert_expiry_warning' AS warning,
                       CASE WHEN h.details ->> 'cert_expiry_warning' IS NOT NULL THEN h.details ->> 'cert_not_after' END AS not_after,
                       h.dns_lookup_ms, h.tcp_connect_ms, h.tls_handshake_ms, h.time_to_first_byte_ms
                FROM api_heartbeats h
                WHERE (h.commit_xid, h.id) > (CAST(:xid AS text)::xid8, :id) AND h.commit_xid < w.xmin
                ORDER BY h.commit_xid, h.id
                LIMIT :limit
            ) b ON true
            """;

    /** Column positions in {@link #READ}, read by index: no name lookup per row. */
    private static final int WATERMARK = 1;

    private static final int XID = 2;
    private static final int ID = 3;
    private static final int INSERTED_AT = 13;
    private static final int BEAT_KIND = 14;
    private static final int WARNING = 15;
    private static final int NOT_AFTER = 16;
    /** The four judged phases, in {@link dev.vantage.evaluate.Phase} order. */
    private static final int DNS_LOOKUP = 17;

    private static final RowMapper<Observation> OBSERVATION = (rs, ctx) -> new Observation(
            rs.getLong(ID),
            rs.getInt(4),
            rs.getInt(5),
            instant(rs, 6),
            rs.getBoolean(7),
            nullable(rs, rs.getDouble(8)),
            nullable(rs, rs.getInt(9)),
            nullable(rs, rs.getInt(10)),
            rs.getString(11),
            rs.getString(12),
            rs.getString(BEAT_KIND),
            rs.getString(WARNING),
            notAfter(rs.getString(NOT_AFTER)),
            nullable(rs, rs.getDouble(DNS_LOOKUP)),
            nullable(rs, rs.getDouble(DNS_LOOKUP + 1)),
            nullable(rs, rs.getDouble(DNS_LOOKUP + 2)),
            nullable(rs, rs.getDouble(DNS_LOOKUP + 3)));

    /**
     * {@code details.cert_not_after} as a probe writes it (an ISO instant), or null: a row from an older agent or a
     * hostile login may hold anything there, and an unreadable date only costs the certificate its notice.
     */
    static Instant notAfter(String text) {
        if (text == null) {
            return null;
        }
        try {
            return Instant.parse(text);
        } catch (java.time.format.DateTimeParseException e) {
            return null;
        }
    }

    private static final String SAVE =
            """
            UPDATE monitor_cursor SET commit_xid = CAST(:xid AS text)::xid8, heartbeat_id = :id, updated_at = now()
            WHERE name = 'heartbeats' AND (commit_xid, heartbeat_id) <= (CAST(:xid AS text)::xid8, :id)
            """;

    /**
     * The watermark's age from the oldest transaction that has an xid, in a session or prepared (two-phase): those are
     * exactly what keeps the snapshot xmin down. Backend xmins do not matter here (they hold back vacuum, not W). The
     * own session is left out: its transaction ends with the batch.
     */
    private static final String LAG =
            """
            SELECT pg_snapshot_xmax(s)::text::bigint - pg_snapshot_xmin(s)::text::bigint,
                   coalesce(extract(epoch FROM clock_timestamp() - (
                       SELECT min(t) FROM (
                           SELECT xact_start FROM pg_stat_activity
                           WHERE backend_xid IS NOT NULL AND pid <> pg_backend_pid()
                           UNION ALL
                           SELECT prepared FROM pg_prepared_xacts) x(t)))::float8, 0),
                   coalesce(extract(epoch FROM clock_timestamp() - CAST(:insertedAt AS timestamptz))::float8, 0)
            FROM pg_current_snapshot() s
            """;

    /**
     * The saved position, locked until the transaction ends. On first use it creates the cursor at the current
     * watermark: a new monitor module starts from now, not from the history in the table (which may be months of
     * heartbeats). Heartbeats of transactions still running at that moment are read; those committed before it are
     * not.
     */
    public Position load(Handle h) {
        return find(h).orElseGet(() -> {
            h.execute(START);
            // Another evaluator may have created it first: either way the row exists now.
            return find(h).orElseThrow(() -> new CursorConflictException("the heartbeat cursor could not be created"));
        });
    }

    private static Optional<Position> find(Handle h) {
        return h.createQuery(FIND)
                .map((rs, ctx) -> new Position(rs.getLong(1), rs.getLong(2)))
                .findOne();
    }

    /** Up to {@code limit} heartbeats after {@code from}, below the watermark, in {@code (commit_xid, id)} order. */
    public Batch read(Handle h, Position from, int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be >= 1, was " + limit);
        }
        return h.createQuery(READ)
                .bind("xid", from.commitXid())
                .bind("id", from.heartbeatId())
                .bind("limit", limit)
                .scanResultSet((results, ctx) -> {
                    ResultSet rs = results.get();
                    var observations = new ArrayList<Observation>(Math.min(limit, 1024));
                    long watermark = -1;
                    Position next = from;
                    Instant lastInsertedAt = null;
                    while (rs.next()) {
                        watermark = rs.getLong(WATERMARK);
                        rs.getLong(ID);
                        if (rs.wasNull()) {
                            break; // the LEFT JOIN's one row without a heartbeat
                        }
                        observations.add(OBSERVATION.map(rs, ctx));
                        next = new Position(rs.getLong(XID), rs.getLong(ID));
                        lastInsertedAt = instant(rs, INSERTED_AT);
                    }
                    return new Batch(observations, next, watermark, observations.size() == limit, lastInsertedAt);
                });
    }

    /**
     * Moves the cursor to {@code p} (usually {@link Batch#next()}), in the caller's transaction.
     *
     * @throws CursorConflictException if there is no cursor (call {@link #load} first) or it is already past {@code
     *     p}: the batch was evaluated by someone else, so this transaction must roll back
     */
    public void save(Handle h, Position p) {
        int updated = h.createUpdate(SAVE)
                .bind("xid", p.commitXid())
                .bind("id", p.heartbeatId())
                .execute();
        if (updated != 1) {
            throw new CursorConflictException(
                    "the heartbeat cursor is missing or already past " + p + ": another evaluator moved it");
        }
    }

    /**
     * The lag after a batch. Call it outside the batch's transaction (after its commit): an xid of the caller's own
     * transaction would count in {@link Lag#watermarkXids()}. One cheap query: pg_stat_activity is read from shared
     * memory, one entry per connection. The xact_start of other roles' sessions is hidden unless the role has
     * pg_read_all_stats; without it the watermark's age only counts the monitor's own role's transactions.
     */
    public Lag measure(Handle h, Batch last) {
        OffsetDateTime insertedAt =
                last.lastInsertedAt() == null ? null : last.lastInsertedAt().atOffset(ZoneOffset.UTC);
        return h.createQuery(LAG)
                .bindByType("insertedAt", insertedAt, OffsetDateTime.class)
                .map((rs, ctx) ->
                        new Lag(Math.max(0, rs.getDouble(3)), Math.max(0, rs.getDouble(2)), Math.max(0, rs.getLong(1))))
                .one();
    }

    private static Instant instant(ResultSet rs, int column) throws SQLException {
        return rs.getObject(column, OffsetDateTime.class).toInstant();
    }

    private static Double nullable(ResultSet rs, double value) throws SQLException {
        return rs.wasNull() ? null : value;
    }

    private static Integer nullable(ResultSet rs, int value) throws SQLException {
        return rs.wasNull() ? null : value;
    }
}
