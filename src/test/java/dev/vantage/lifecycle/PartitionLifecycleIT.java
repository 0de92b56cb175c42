package dev.vantage.lifecycle;

import static dev.vantage.lifecycle.Lifecycles.ensurePartitions;
import static dev.vantage.lifecycle.Lifecycles.heartbeat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.vantage.Meters;
import dev.vantage.heartbeat.Heartbeat;
import dev.vantage.heartbeat.HeartbeatMeters;
import dev.vantage.heartbeat.HeartbeatWriter;
import dev.vantage.heartbeat.HeartbeatWriterSettings;
import dev.vantage.lease.LeaseSettings;
import dev.vantage.lease.MonitorLease;
import dev.vantage.monitor.MonitorModule;
import dev.vantage.monitor.MonitorSettings;
import dev.vantage.probe.PhaseTimings;
import dev.vantage.probe.ProbeResult;
import dev.vantage.testing.PostgresExtension;
import dev.vantage.testing.PostgresExtension.Fresh;
import dev.vantage.testing.SettableClock;
import dev.vantage.testing.TestDatabase;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.SQLTransientConnectionException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(PostgresExtension.class)
class PartitionLifecycleIT {
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

    @Test
    void theLeaseHolderCreatesPartitionsAWeekAheadAtOnceAndAStandbyDoesNothing(@Fresh TestDatabase db) {
        Instant now = Instant.now().plus(100, ChronoUnit.DAYS);
        LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
        var leading = new AtomicBoolean(false);
        var lifecycle = new DataLifecycle(db.dataSource(), new SettableClock(now), 30, leading::get, meters);

        lifecycle.runOnce();
        assertThat(partitionDays(db)).doesNotContain(today);

        leading.set(true);
        lifecycle.runOnce();
        assertThat(partitionDays(db))
                .containsAll(today.minusDays(1).datesUntil(today.plusDays(8)).toList());
        assertThat(partitionDays(db)).doesNotContain(today.plusDays(8));
        assertThat(meters.counter(HeartbeatMeters.PARTITIONS_CREATED).count()).isEqualTo(9);
    }

    @Test
    void partitionsPastTheRetentionAreRolledUpThenDroppedAndTheOthersKeptWhole(@Fresh TestDatabase db) {
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        for (int daysAgo : List.of(40, 35, 31, 30, 29)) {
            LocalDate day = today.minusDays(daysAgo);
            ensurePartitions(db, day.toString(), 1);
            heartbeat(db, 7, 1, day + "T03:00:00Z", null, 10.0, null);
            heartbeat(db, 7, 1, day + "T03:30:00Z", "TIMEOUT", 9000.0, null);
        }
        long keptBefore = keptRows(db, today);
        var lifecycle = new DataLifecycle(db.dataSource(), new SettableClock(Instant.now()), 30, () -> true, meters);

        lifecycle.runOnce();

        List<LocalDate> days = partitionDays(db);
        assertThat(days)
                .doesNotContain(today.minusDays(40), today.minusDays(35), today.minusDays(31))
                .contains(today.minusDays(30), today.minusDays(29), today.minusDays(1), today, today.plusDays(7));
        assertThat(meters.counter(HeartbeatMeters.PARTITIONS_DROPPED).count()).isEqualTo(3);
        assertThat(keptRows(db, today)).isEqualTo(keptBefore).isEqualTo(4);
        // Rolled up by the drop itself: this tick's rollup step ran after the partitions were gone.
        for (int daysAgo : List.of(40, 35, 31)) {
            assertThat(db.count(
                            "SELECT probes FROM api_heartbeat_rollups WHERE monitor_id = 7 AND hour = ?::timestamptz",
                            today.minusDays(daysAgo) + "T03:00:00Z"))
                    .isEqualTo(2);
        }
        assertThat(db.count("SELECT count(*) FROM api_heartbeats WHERE monitor_id = 7"))
                .isEqualTo(4);
    }

    @Test
    void todayAndFuturePartitionsAreNeverDroppedWhateverTheCallerClockSays(@Fresh TestDatabase db) {
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        heartbeat(db, 8, 1, Instant.now().truncatedTo(ChronoUnit.SECONDS).toString(), null, 1.0, null);
        List<LocalDate> before = partitionDays(db);

        long dropped =
                db.count("SELECT count(*) FROM vantage_drop_heartbeat_partitions(1, now() + interval '400 days')");

        assertThat(dropped).isZero();
        assertThat(partitionDays(db)).isEqualTo(before).contains(today.minusDays(1), today, today.plusDays(7));
        assertThat(db.count("SELECT count(*) FROM api_heartbeats WHERE monitor_id = 8"))
                .isEqualTo(1);
        assertThatThrownBy(() -> db.count("SELECT count(*) FROM vantage_drop_heartbeat_partitions(0)"))
                .isInstanceOf(UnableToExecuteStatementException.class)
                .hasMessageContaining("keep_days must be between 1 and 36500, was 0");
    }

    @Test
    void aHeartbeatForADayWithoutAPartitionIsWrittenAndThereIsNoDefaultPartition(@Fresh TestDatabase db) {
        Instant ahead = Instant.now().plus(20, ChronoUnit.DAYS).truncatedTo(ChronoUnit.MINUTES);
        Instant past = Instant.now().minus(10, ChronoUnit.DAYS).truncatedTo(ChronoUnit.MINUTES);
        assertThat(partitionDays(db))
                .doesNotContain(LocalDate.ofInstant(ahead, ZoneOffset.UTC), LocalDate.ofInstant(past, ZoneOffset.UTC));
        var settings = HeartbeatWriterSettings.DEFAULTS
                .withLinger(Duration.ofMillis(5))
                .withBackoff(Duration.ofMillis(20), Duration.ofMillis(500));

        try (var writer = HeartbeatWriter.start(db.dataSource(), settings, meters)) {
            writer.offer(probe(9, ahead));
            writer.offer(probe(9, past));
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> db.count("SELECT count(*) FROM api_heartbeats WHERE monitor_id = 9") == 2);
        }

        assertThat(partitionDays(db))
                .contains(LocalDate.ofInstant(ahead, ZoneOffset.UTC), LocalDate.ofInstant(past, ZoneOffset.UTC));
        assertThat(db.count("SELECT count(*) FROM pg_partitioned_table"
                        + " WHERE partrelid = 'api_heartbeats'::regclass AND partdefid <> 0"))
                .isZero();
    }

    @Test
    void aFailedRunIsCountedAndRetriedAtTheNextTick(@Fresh TestDatabase db) {
        Instant now = Instant.now().plus(200, ChronoUnit.DAYS);
        LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
        var down = new AtomicBoolean(true);
        var clock = new SettableClock(now);
        var lifecycle = new DataLifecycle(outage(db.dataSource(), down), clock, 30, () -> true, meters);

        lifecycle.runOnce();
        down.set(false);
        lifecycle.runOnce(); // not due yet: a failure is retried after a tick, not in a tight loop
        assertThat(partitionDays(db)).doesNotContain(today);
        clock.advance(DataLifecycle.TICK);
        lifecycle.runOnce();

        assertThat(partitionDays(db)).contains(today, today.plusDays(7));
        assertThat(meters.get(Meters.LOOP_ERRORS)
                        .tag("loop", "partitions")
                        .counter()
                        .count())
                .isEqualTo(1);
        assertThat(meters.get(Meters.LOOP_ERRORS)
                        .tag("loop", "rollups")
                        .counter()
                        .count())
                .isEqualTo(1);
    }

    @Test
    void theMonitorModuleRunsTheLifecycleOnceItLeads(@Fresh TestDatabase db) {
        Instant now = Instant.now().plus(300, ChronoUnit.DAYS);
        LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
        var settings = MonitorSettings.defaults(db.connection(), "lifecycle");

        try (var module = MonitorModule.start(settings, meters, new SettableClock(now))) {
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> partitionDays(db).containsAll(List.of(today, today.plusDays(7))));
        }
    }

    @Test
    void aStandbyThatTakesTheLeaseCreatesThePartitionsAtOnceNotAtItsNextTick(@Fresh TestDatabase db)
            throws InterruptedException {
        Instant now = Instant.now().plus(400, ChronoUnit.DAYS);
        LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
        var settings = MonitorSettings.defaults(db.connection(), "standby");
        var holder = MonitorLease.start(
                db.connection(), "holder", LeaseSettings.DEFAULTS, Clock.systemUTC(), meters, () -> {});
        await().atMost(Duration.ofSeconds(10)).until(holder::leading);
        try (var module = MonitorModule.start(settings, meters, new SettableClock(now))) {
            Thread.sleep(500); // its first tick finds it standing by
            assertThat(module.leading()).isFalse();
            assertThat(partitionDays(db)).doesNotContain(today);
            holder.close();
            // well within DataLifecycle.TICK (30 s): the lease acquisition wakes the lifecycle
            await().atMost(Duration.ofSeconds(15))
                    .until(() -> partitionDays(db).containsAll(List.of(today, today.plusDays(7))));
        } finally {
            holder.close();
        }
    }

    /** A data source whose connections fail while {@code down} is set, as during a database restart. */
    private static DataSource outage(DataSource delegate, AtomicBoolean down) {
        return (DataSource) Proxy.newProxyInstance(
                DataSource.class.getClassLoader(), new Class<?>[] {DataSource.class}, (proxy, method, args) -> {
                    if (method.getName().equals("getConnection") && down.get()) {
                        throw new SQLTransientConnectionException("database restarting", "08001");
                    }
                    try {
                        return method.invoke(delegate, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    private static Heartbeat probe(long monitor, Instant slot) {
        return new Heartbeat(
                monitor,
                1,
                1,
                null,
                slot,
                ProbeResult.at(slot)
                        .timings(new PhaseTimings(1.0, 2.0, 3.0, 4.0, 5.0, 10.0, 15.0, null))
                        .statusCode(200)
                        .responseSizeBytes(100L)
                        .remoteAddress("127.0.0.1:443")
                        .success(),
                500,
                1_000,
                List.of());
    }

    /** Rows in the partitions of the last 30 days (inside the retention). */
    private static long keptRows(TestDatabase db, LocalDate today) {
        return db.count(
                "SELECT count(*) FROM api_heartbeats WHERE monitor_id = 7 AND scheduled_at >= ?::timestamptz",
                today.minusDays(30) + "T00:00:00Z");
    }

    private static List<LocalDate> partitionDays(TestDatabase db) {
        return db.jdbi().withHandle(h -> h.createQuery(
                        "SELECT (range_from AT TIME ZONE 'UTC')::date FROM vantage_heartbeat_partitions()")
                .mapTo(LocalDate.class)
                .list());
    }
}
