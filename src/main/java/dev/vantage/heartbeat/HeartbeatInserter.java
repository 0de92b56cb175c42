package dev.vantage.heartbeat;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.LocalDate;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.WeakHashMap;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * Writes encoded rows in one transaction: COPY into a temporary staging table, then insert into api_heartbeats what
 * fills an empty slot. A batch retried after an ambiguous failure (the commit reached the server but its
 * acknowledgement was lost) therefore never duplicates a row, and the first write of a slot wins.
 *
 * <p>Not thread-safe: the writer thread alone uses it.
 */
final class HeartbeatInserter {
    static final String STAGING = "vantage_heartbeat_staging";

    // CREATE TABLE AS rather than LIKE ... INCLUDING DEFAULTS: the staging table then has only the columns COPY
    // fills, so no sequence number is spent on a staging row and NOT NULL is checked once, by the real insert.
    private static final String CREATE_STAGING = "CREATE TEMP TABLE IF NOT EXISTS " + STAGING
            + " ON COMMIT DELETE ROWS AS SELECT " + HeartbeatCopyFormat.COLUMNS + " FROM api_heartbeats WITH NO DATA";
    private static final String COPY = "COPY " + STAGING + " (" + HeartbeatCopyFormat.COLUMNS + ") FROM STDIN";
    private static final String INSERT = "INSERT INTO api_heartbeats (" + HeartbeatCopyFormat.COLUMNS + ") SELECT "
            + HeartbeatCopyFormat.COLUMNS + " FROM " + STAGING
            + " ON CONFLICT (monitor_id, datacenter_id, scheduled_at) DO NOTHING";

    private final DataSource dataSource;
    private final int networkTimeoutMillis;

    /** Physical connections (not pool proxies) that already have the staging table. */
    private final Set<PGConnection> staged = Collections.newSetFromMap(new WeakHashMap<>());

    HeartbeatInserter(DataSource dataSource, Duration networkTimeout) {
        this.dataSource = dataSource;
        this.networkTimeoutMillis = Math.toIntExact(networkTimeout.toMillis());
    }

    /** Writes the rows in one transaction; returns how many were inserted (the others' slots were already filled). */
    int insert(List<byte[]> lines) throws SQLException {
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
                copy(pg, lines);
                int inserted;
                try (var s = c.createStatement()) {
                    inserted = s.executeUpdate(INSERT);
                }
                c.commit();
                return inserted;
            } catch (SQLException | RuntimeException e) {
                // If the session lost its temporary table (a pooler reset it), the next batch creates it again.
                staged.remove(pg);
                rollbackQuietly(c, e);
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

    private static void copy(PGConnection pg, List<byte[]> lines) throws SQLException {
        CopyIn copy = pg.getCopyAPI().copyIn(COPY);
        try {
            for (byte[] line : lines) {
                copy.writeToCopy(line, 0, line.length);
            }
            copy.endCopy();
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

    private static void rollbackQuietly(Connection c, Exception cause) {
        try {
            c.rollback();
        } catch (SQLException e) {
            cause.addSuppressed(e);
        }
    }
}
