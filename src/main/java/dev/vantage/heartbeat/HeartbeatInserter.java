package dev.vantage.heartbeat;

import com.zaxxer.hikari.HikariDataSource;
import dev.vantage.store.DatacenterRow;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.WeakHashMap;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * Writes encoded rows in one transaction, in one of two ways that both leave at most one row per slot, the first
 * written:
 *
 * <ul>
 *   <li>{@link #insertStaged}: COPY into a temporary staging table, then insert into api_heartbeats what fills an
 *       empty slot ({@code ON CONFLICT DO NOTHING}). A batch retried after an ambiguous failure (the commit reached
 *       the server but its acknowledgement was lost) or replayed is written this way.
 *   <li>{@link #insertDirect}: COPY straight into api_heartbeats. The unique slot key makes the whole COPY fail (23505)
 *       if any slot is already filled, and nothing of it is written; the caller then uses {@link #insertStaged}. New
 *       heartbeats never conflict, and this way costs about 40% less database time (no staging copy, no speculative
 *       insertion): see BENCHMARKS.md.
 * </ul>
 *
 * <p>Not thread-safe: the writer thread alone uses it.
 */
final class HeartbeatInserter {
    static final String STAGING = "vantage_heartbeat_staging";

    // CREATE TABLE AS rather than LIKE ... INCLUDING DEFAULTS: the staging table then has only the columns COPY
    // fills, so no sequence number is spent on a staging row and NOT NULL is checked once, by the real insert.
    private static final String CREATE_STAGING = "CREATE TEMP TABLE IF NOT EXISTS " + STAGING
            + " ON COMMIT DELETE ROWS AS SELECT " + HeartbeatCopyFormat.COLUMNS + " FROM api_heartbeats WITH NO DATA";
    private static final String COPY_DIRECT =
            "COPY api_heartbeats (" + HeartbeatCopyFormat.COLUMNS + ") FROM STDIN (FORMAT binary)";
    private static final String COPY_STAGING =
            "COPY " + STAGING + " (" + HeartbeatCopyFormat.COLUMNS + ") FROM STDIN (FORMAT binary)";
    private static final String INSERT = "INSERT INTO api_heartbeats (" + HeartbeatCopyFormat.COLUMNS + ") SELECT "
            + HeartbeatCopyFormat.COLUMNS + " FROM " + STAGING
            + " ON CONFLICT (monitor_id, datacenter_id, scheduled_at) DO NOTHING";

    /**
     * Takes the lease rows of the batch's datacenters FOR SHARE, one per shard: a takeover records its epoch by
     * updating its shard's row, so it waits for this transaction, and its acquired_at (taken after the wait) is later
     * than every slot written here. Then whether each row's epoch is still the current one of its monitor's shard
     * decides between the two paths.
     */
    private static final String LOCK_LEASES = "SELECT l.datacenter_id, l.shard, l.epoch, d.shards"
            + " FROM datacenter_leases l JOIN datacenters d ON d.id = l.datacenter_id"
            + " WHERE l.datacenter_id = ANY (?) FOR SHARE OF l";

    /** The shard of a staged row's monitor in its datacenter (V14). */
    private static final String SHARD = "vantage_monitor_shard(s.monitor_id,"
            + " (SELECT d.shards FROM datacenters d WHERE d.id = s.datacenter_id))";

    /**
     * A staged row of an older epoch of its shard whose slot a later epoch covers: the new leader's to fill, never
     * ours.
     */
    private static final String FENCED = "s.lease_epoch IS NOT NULL AND EXISTS (SELECT 1 FROM"
            + " datacenter_lease_history h WHERE h.datacenter_id = s.datacenter_id AND h.shard = " + SHARD
            + " AND h.epoch > s.lease_epoch AND h.acquired_at <= s.scheduled_at)";

    /** How many rows the fence refuses, and the first of them with the epoch that fences it off, for the log. */
    private static final String COUNT_FENCED = "SELECT count(*) OVER (), s.monitor_id, s.datacenter_id,"
            + " s.scheduled_at, s.lease_epoch, (SELECT max(h.epoch) FROM datacenter_lease_history h"
            + " WHERE h.datacenter_id = s.datacenter_id AND h.shard = " + SHARD
            + " AND h.acquired_at <= s.scheduled_at)"
            + " FROM " + STAGING + " s WHERE " + FENCED + " ORDER BY s.scheduled_at, s.monitor_id LIMIT 1";

    private static final String INSERT_UNFENCED = "INSERT INTO api_heartbeats (" + HeartbeatCopyFormat.COLUMNS
            + ") SELECT " + HeartbeatCopyFormat.COLUMNS + " FROM " + STAGING + " s WHERE NOT (" + FENCED + ")"
            + " ON CONFLICT (monitor_id, datacenter_id, scheduled_at) DO NOTHING";

    /**
     * What a staged write did: rows inserted, and rows held back by the fence.
     *
     * @param firstFenced the oldest row the fence refused, null when none
     */
    record Staged(int inserted, int fenced, Fenced firstFenced) {}

    /**
     * A row the fence refused: probed under {@code rowEpoch}, for a slot that {@code fencingEpoch} (a later lease of its
     * datacenter) already held.
     */
    record Fenced(long monitorId, int datacenterId, Instant slot, long rowEpoch, long fencingEpoch) {}

    /** The direct path met a row whose lease epoch is no longer current: the batch must go through the fence. */
    static final class StaleEpochException extends SQLException {
        StaleEpochException(int datacenterId, long rowEpoch, long currentEpoch) {
            super("a heartbeat of lease epoch " + rowEpoch + " for datacenter " + datacenterId
                    + ", whose current epoch is " + currentEpoch);
        }
    }

    private static final int COPY_MESSAGE_BYTES = 64 * 1024;

    private final DataSource dataSource;
    private final int networkTimeoutMillis;

    /** Physical connections (not pool proxies) that already have the staging table. */
    private final Set<PGConnection> staged = Collections.newSetFromMap(new WeakHashMap<>());

    HeartbeatInserter(DataSource dataSource, Duration networkTimeout) {
        this.dataSource = dataSource;
        this.networkTimeoutMillis = Math.toIntExact(networkTimeout.toMillis());
    }

    /**
     * Writes all the rows in one transaction, or none when one of their slots is already filled (23505) or one of
     * them is of a lease epoch that is no longer current ({@link StaleEpochException}).
     */
    int insertDirect(List<HeartbeatRow> rows) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setNetworkTimeout(Runnable::run, networkTimeoutMillis);
            c.setAutoCommit(false);
            try {
                requireCurrentEpochs(lockLeases(c, leasedDatacenters(rows)), rows);
                long copied = copy(c.unwrap(PGConnection.class), COPY_DIRECT, rows);
                c.commit();
                return Math.toIntExact(copied);
            } catch (SQLException | RuntimeException e) {
                abandon(c, e);
                throw e;
            }
        }
    }

    /** Writes in one transaction the rows whose slot is empty and not fenced off by a later lease epoch. */
    Staged insertStaged(List<HeartbeatRow> rows) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setNetworkTimeout(Runnable::run, networkTimeoutMillis);
            PGConnection pg = c.unwrap(PGConnection.class);
            if (!staged.contains(pg)) {
                c.setAutoCommit(true);
                try (var s = c.createStatement()) {
                    s.execute(CREATE_STAGING);
                }
                staged.add(pg);
            }
            c.setAutoCommit(false);
            try {
                var datacenters = leasedDatacenters(rows);
                lockLeases(c, datacenters);
                boolean leased = !datacenters.isEmpty();
                copy(pg, COPY_STAGING, rows);
                int fenced = 0;
                Fenced first = null;
                int inserted;
                try (var s = c.createStatement()) {
                    if (leased) {
                        try (var rs = s.executeQuery(COUNT_FENCED)) {
                            if (rs.next()) {
                                fenced = rs.getInt(1);
                                first = new Fenced(
                                        rs.getLong(2),
                                        rs.getInt(3),
                                        rs.getObject(4, OffsetDateTime.class).toInstant(),
                                        rs.getLong(5),
                                        rs.getLong(6));
                            }
                        }
                    }
                    inserted = s.executeUpdate(leased ? INSERT_UNFENCED : INSERT);
                }
                c.commit();
                return new Staged(inserted, fenced, first);
            } catch (SQLException | RuntimeException e) {
                // If the session lost its temporary table (a pooler reset it), the next batch creates it again.
                staged.remove(pg);
                abandon(c, e);
                throw e;
            }
        }
    }

    /** Creates the partitions of these UTC days and the day after each; returns how many were created. */
    int ensurePartitions(Collection<LocalDate> days) throws SQLException {
        int created = 0;
        try (Connection c = dataSource.getConnection()) {
            c.setNetworkTimeout(Runnable::run, networkTimeoutMillis);
            c.setAutoCommit(true);
            try (var s = c.prepareStatement("SELECT vantage_ensure_heartbeat_partitions(?, 2)")) {
                for (LocalDate day : days) {
                    s.setObject(1, day);
                    try (var rs = s.executeQuery()) {
                        rs.next();
                        created += rs.getInt(1);
                    }
                }
            }
        }
        return created;
    }

    /** The datacenters of the rows that carry a lease epoch: none means nothing to lock and nothing to fence. */
    private static Set<Integer> leasedDatacenters(List<HeartbeatRow> rows) {
        var datacenters = new TreeSet<Integer>();
        for (HeartbeatRow row : rows) {
            if (row.leaseEpoch() != null) {
                datacenters.add(row.datacenterId());
            }
        }
        return datacenters;
    }

    /** The current epoch of each shard of a datacenter that has a lease row, and how many shards it has. */
    private record Epochs(int shards, Map<Integer, Long> byShard) {}

    /** Locks these datacenters' lease rows; returns their current epochs. No query for none. */
    private static Map<Integer, Epochs> lockLeases(Connection c, Set<Integer> datacenters) throws SQLException {
        if (datacenters.isEmpty()) {
            return Map.of();
        }
        var current = new HashMap<Integer, Epochs>();
        try (var s = c.prepareStatement(LOCK_LEASES)) {
            s.setArray(1, c.createArrayOf("int4", datacenters.toArray()));
            try (var rs = s.executeQuery()) {
                while (rs.next()) {
                    int shards = rs.getInt(4);
                    current.computeIfAbsent(rs.getInt(1), dc -> new Epochs(shards, new HashMap<>()))
                            .byShard()
                            .put(rs.getInt(2), rs.getLong(3));
                }
            }
        }
        return current;
    }

    /** A shard with epoch rows but no lease row (deleted by hand) has nothing to fence against. */
    private static void requireCurrentEpochs(Map<Integer, Epochs> current, List<HeartbeatRow> rows)
            throws StaleEpochException {
        for (HeartbeatRow row : rows) {
            Long epoch = row.leaseEpoch();
            Epochs epochs = epoch == null ? null : current.get(row.datacenterId());
            Long now = epochs == null
                    ? null
                    : epochs.byShard().get(DatacenterRow.shardOf(row.monitorId(), epochs.shards()));
            if (now != null && !now.equals(epoch)) {
                throw new StaleEpochException(row.datacenterId(), epoch, now);
            }
        }
    }

    private static long copy(PGConnection pg, String sql, List<HeartbeatRow> rows) throws SQLException {
        CopyIn copy = pg.getCopyAPI().copyIn(sql);
        try {
            // One CopyData message per 64 KB rather than per row: fewer messages for the server to take apart.
            var message = new byte[COPY_MESSAGE_BYTES];
            int size = append(copy, message, 0, HeartbeatCopyFormat.HEADER);
            for (HeartbeatRow row : rows) {
                size = append(copy, message, size, row.line());
            }
            size = append(copy, message, size, HeartbeatCopyFormat.TRAILER);
            copy.writeToCopy(message, 0, size);
            return copy.endCopy();
        } catch (SQLException | RuntimeException e) {
            if (copy.isActive()) {
                try {
                    copy.cancelCopy();
                } catch (SQLException cancel) {
                    e.addSuppressed(cancel);
                }
            }
            throw e;
        }
    }

    /** Adds bytes to the message being filled, sending it first when they would not fit; returns its new size. */
    private static int append(CopyIn copy, byte[] message, int size, byte[] bytes) throws SQLException {
        if (size + bytes.length > message.length) {
            copy.writeToCopy(message, 0, size);
            size = 0;
        }
        if (bytes.length > message.length) {
            copy.writeToCopy(bytes, 0, bytes.length);
            return 0;
        }
        System.arraycopy(bytes, 0, message, size, bytes.length);
        return size + bytes.length;
    }

    /**
     * Rolls back after a failure and, unless the database refused the data (the session is fine then), evicts the
     * connection from the pool. COPY runs on the unwrapped driver connection, so the pool never sees its I/O errors
     * and would otherwise lend the dead connection again and again.
     */
    private void abandon(Connection c, Exception cause) {
        try {
            c.rollback();
        } catch (SQLException e) {
            cause.addSuppressed(e);
        }
        boolean dataError = cause instanceof StaleEpochException
                || cause instanceof SQLException e && SqlFailure.of(e) != SqlFailure.UNAVAILABLE;
        if (!dataError && dataSource instanceof HikariDataSource pool) {
            pool.evictConnection(c);
        }
    }
}
