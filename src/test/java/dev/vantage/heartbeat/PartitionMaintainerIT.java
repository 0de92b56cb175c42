package dev.vantage.heartbeat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.vantage.testing.PostgresExtension;
import dev.vantage.testing.TestDatabase;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(PostgresExtension.class)
class PartitionMaintainerIT {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @Test
    void startCreatesThePartitionsFromYesterdayToSevenDaysAhead(TestDatabase db) {
        Instant now = Instant.now().plus(40, ChronoUnit.DAYS);
        LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);

        var maintainer = PartitionMaintainer.start(
                db.dataSource(), Clock.fixed(now, ZoneOffset.UTC), Duration.ofHours(1), registry);
        try {
            await().atMost(Duration.ofSeconds(20))
                    .until(() ->
                            registry.counter(HeartbeatMeters.PARTITIONS_CREATED).count() == 9);
        } finally {
            maintainer.close();
        }

        assertThat(partitions(db, today.minusDays(1), today.plusDays(7))).isEqualTo(9);
        assertThat(partitions(db, today.minusDays(2), today.minusDays(2))).isZero();
        assertThat(partitions(db, today.plusDays(8), today.plusDays(8))).isZero();
    }

    @Test
    void aFailedRunIsCountedAndTheLoopGoesOn(TestDatabase db) {
        Instant now = Instant.now().plus(80, ChronoUnit.DAYS);
        LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
        var flaky = new FailingFirst(db.dataSource(), 3);

        var maintainer =
                PartitionMaintainer.start(flaky, Clock.fixed(now, ZoneOffset.UTC), Duration.ofMillis(20), registry);
        try {
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> partitions(db, today.minusDays(1), today.plusDays(7)) == 9);
        } finally {
            maintainer.close();
        }

        assertThat(registry.counter(HeartbeatMeters.PARTITION_FAILURES).count()).isEqualTo(3);
    }

    private static long partitions(TestDatabase db, LocalDate from, LocalDate to) {
        return db.count(
                """
                SELECT count(*) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
                WHERE i.inhparent = 'api_heartbeats'::regclass AND c.relname BETWEEN ? AND ?
                """,
                name(from),
                name(to));
    }

    private static String name(LocalDate day) {
        return "api_heartbeats_" + day.toString().replace("-", "");
    }

    /** A data source whose first connections fail, as during a database restart. */
    private static final class FailingFirst implements DataSource {
        private final DataSource delegate;
        private final AtomicInteger failuresLeft;

        FailingFirst(DataSource delegate, int failures) {
            this.delegate = delegate;
            this.failuresLeft = new AtomicInteger(failures);
        }

        @Override
        public Connection getConnection() throws SQLException {
            if (failuresLeft.getAndDecrement() > 0) {
                throw new SQLTransientConnectionException("database restarting", "08001");
            }
            return delegate.getConnection();
        }

        @Override
        public Connection getConnection(String user, String password) throws SQLException {
            return getConnection();
        }

        @Override
        public PrintWriter getLogWriter() throws SQLException {
            return delegate.getLogWriter();
        }

        @Override
        public void setLogWriter(PrintWriter out) throws SQLException {
            delegate.setLogWriter(out);
        }

        @Override
        public void setLoginTimeout(int seconds) throws SQLException {
            delegate.setLoginTimeout(seconds);
        }

        @Override
        public int getLoginTimeout() throws SQLException {
            return delegate.getLoginTimeout();
        }

        @Override
        public Logger getParentLogger() {
            return Logger.getLogger("flaky");
        }

        @Override
        public <T> T unwrap(Class<T> iface) throws SQLException {
            return delegate.unwrap(iface);
        }

        @Override
        public boolean isWrapperFor(Class<?> iface) throws SQLException {
            return delegate.isWrapperFor(iface);
        }
    }
}
