package dev.vantage.lifecycle;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Optional;
import javax.sql.DataSource;

/** api_heartbeat_rollups: where the rollups stand, and (re)computing the hours of a window (V4 SQL function). */
final class Rollups {
    private final DataSource dataSource;

    Rollups(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** The latest hour rolled up, if any. */
    Optional<Instant> lastHour() throws SQLException {
        try (Connection c = dataSource.getConnection();
                var s = c.prepareStatement("SELECT max(hour) FROM api_heartbeat_rollups");
                var rs = s.executeQuery()) {
            rs.next();
            return Optional.ofNullable(rs.getObject(1, OffsetDateTime.class)).map(OffsetDateTime::toInstant);
        }
    }

    /** (Re)computes the hours of {@code window}, one transaction per chunk; returns the rollup rows written. */
    int rollUp(RollupWindow window) throws SQLException {
        int written = 0;
        try (Connection c = dataSource.getConnection()) {
            for (RollupWindow chunk : window.chunks()) {
                written += Partitions.inLongTransaction(c, () -> {
                    try (var s = c.prepareStatement("SELECT vantage_rollup_heartbeats(?, ?)")) {
                        s.setObject(1, OffsetDateTime.ofInstant(chunk.from(), ZoneOffset.UTC));
                        s.setObject(2, OffsetDateTime.ofInstant(chunk.to(), ZoneOffset.UTC));
                        try (var rs = s.executeQuery()) {
                            rs.next();
                            return rs.getInt(1);
                        }
                    }
                });
            }
        }
        return written;
    }
}
