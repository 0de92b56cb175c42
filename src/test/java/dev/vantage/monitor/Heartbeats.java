package dev.vantage.monitor;

import java.io.StringReader;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.postgresql.PGConnection;

/**
 * Writes test heartbeats (the NOT NULL columns only, each on a monitor id of its own so no slot is filled twice) in
 * the connection's current transaction, the two ways rows reach api_heartbeats: INSERT, and COPY with an explicit
 * column list as the agent's writer does. Neither names commit_xid, so its default stamps the transaction's id.
 */
final class Heartbeats {
    private static final AtomicInteger MONITORS = new AtomicInteger(1);
    private static final String COLUMNS = "monitor_id, datacenter_id, scheduled_at, executed_at, success";

    private Heartbeats() {}

    /** Inserts {@code n} rows with INSERT; returns their ids. */
    static List<Long> insert(Connection c, int n) throws SQLException {
        int first = MONITORS.getAndAdd(n);
        var ids = new ArrayList<Long>(n);
        try (var s = c.prepareStatement("INSERT INTO api_heartbeats (" + COLUMNS + ")"
                + " SELECT m, 1, now(), now(), true FROM generate_series(?, ?) m RETURNING id")) {
            s.setInt(1, first);
            s.setInt(2, first + n - 1);
            try (var rs = s.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getLong(1));
                }
            }
        }
        return ids;
    }

    /** Copies {@code n} rows with COPY (text format; the writer sends binary, the column list is what matters). */
    static void copy(Connection c, int n) throws SQLException {
        int first = MONITORS.getAndAdd(n);
        String now = OffsetDateTime.now(ZoneOffset.UTC).toString();
        var lines = new StringBuilder();
        for (int i = 0; i < n; i++) {
            lines.append(first + i)
                    .append("\t1\t")
                    .append(now)
                    .append('\t')
                    .append(now)
                    .append("\tt\n");
        }
        try {
            c.unwrap(PGConnection.class)
                    .getCopyAPI()
                    .copyIn("COPY api_heartbeats (" + COLUMNS + ") FROM STDIN", new StringReader(lines.toString()));
        } catch (java.io.IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The ids of the rows the current transaction wrote, found by commit_xid: a row whose default did not apply
     * (NULL) would be missing here, and then from every set the tests compare.
     */
    static List<Long> writtenByThisTransaction(Connection c) throws SQLException {
        var ids = new ArrayList<Long>();
        try (var s = c.createStatement();
                var rs = s.executeQuery(
                        "SELECT id FROM api_heartbeats WHERE commit_xid = pg_current_xact_id() ORDER BY id")) {
            while (rs.next()) {
                ids.add(rs.getLong(1));
            }
        }
        return ids;
    }

    /** The current transaction's id, as a long. */
    static long xid(Connection c) throws SQLException {
        try (var s = c.createStatement();
                var rs = s.executeQuery("SELECT pg_current_xact_id()::text::bigint")) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
