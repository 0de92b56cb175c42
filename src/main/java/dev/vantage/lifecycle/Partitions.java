package dev.vantage.lifecycle;

import dev.vantage.heartbeat.PartitionMaintainer;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * The daily partitions of api_heartbeats, through the V1 and V4 SQL functions: creating them ahead, listing them,
 * and dropping those past the retention (each rolled up first, by the function, under its lock).
 */
final class Partitions {
    /** Days ahead of today created, as the agents do: a week of inserts that never wait for a CREATE TABLE. */
    static final int DAYS_AHEAD = PartitionMaintainer.DAYS_AHEAD;

    /** One partition of api_heartbeats: rows with scheduled_at in {@code [from, to)}. */
    record Partition(String name, Instant from, Instant to) {
        Partition {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(from, "from");
            Objects.requireNonNull(to, "to");
        }
    }

    private final DataSource dataSource;

    Partitions(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Creates the missing partitions from yesterday (late rows) to {@value #DAYS_AHEAD} days ahead; returns how many. */
    int ensureAhead(Instant now) throws SQLException {
        return PartitionMaintainer.ensure(dataSource, now);
    }

    /**
     * Rolls up and drops, in one transaction, every partition that ends at least {@code keepDays} days before the
     * earlier of {@code now} and the database's clock; returns those dropped, oldest first.
     */
    List<Partition> dropPast(int keepDays, Instant now) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            return inLongTransaction(c, () -> {
                var dropped = new ArrayList<Partition>();
                try (var s = c.prepareStatement("SELECT partition_name, range_from, range_to"
                        + " FROM vantage_drop_heartbeat_partitions(?, ?)")) {
                    s.setInt(1, keepDays);
                    s.setObject(2, OffsetDateTime.ofInstant(now, ZoneOffset.UTC));
                    try (var rs = s.executeQuery()) {
                        while (rs.next()) {
                            dropped.add(new Partition(
                                    rs.getString(1),
                                    rs.getObject(2, OffsetDateTime.class).toInstant(),
                                    rs.getObject(3, OffsetDateTime.class).toInstant()));
                        }
                    }
                }
                return dropped;
            });
        }
    }

    /** The partitions of api_heartbeats with their ranges, oldest first. */
    List<Partition> list() throws SQLException {
        var partitions = new ArrayList<Partition>();
        try (Connection c = dataSource.getConnection();
                var s = c.prepareStatement(
                        "SELECT partition_name, range_from, range_to FROM vantage_heartbeat_partitions()");
                var rs = s.executeQuery()) {
            while (rs.next()) {
                partitions.add(new Partition(
                        rs.getString(1),
                        rs.getObject(2, OffsetDateTime.class).toInstant(),
                        rs.getObject(3, OffsetDateTime.class).toInstant()));
            }
        }
        return partitions;
    }

    /** Where raw data starts: the oldest partition's lower bound. */
    Optional<Instant> oldestStart() throws SQLException {
        return list().stream().map(Partition::from).findFirst();
    }

    interface Work<T> {
        T run() throws SQLException;
    }

    /**
     * Runs {@code work} in one transaction free of the pool's short statement and socket timeouts (set for the
     * evaluation's fenced transactions): rolling up a day can take minutes on a large deployment.
     */
    static <T> T inLongTransaction(Connection c, Work<T> work) throws SQLException {
        c.setNetworkTimeout(
                Runnable::run,
                Math.toIntExact(DataLifecycle.STATEMENT_TIMEOUT.plusMinutes(1).toMillis()));
        c.setAutoCommit(false);
        try {
            try (var s = c.createStatement()) {
                s.execute("SET LOCAL statement_timeout = " + DataLifecycle.STATEMENT_TIMEOUT.toMillis());
            }
            T result = work.run();
            c.commit();
            return result;
        } catch (SQLException | RuntimeException e) {
            try {
                c.rollback();
            } catch (SQLException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }
}
