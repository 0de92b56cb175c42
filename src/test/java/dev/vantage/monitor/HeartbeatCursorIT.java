package dev.vantage.monitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.vantage.Meters;
import dev.vantage.db.Database;
import dev.vantage.db.Migrations;
import dev.vantage.evaluate.Observation;
import dev.vantage.monitor.HeartbeatCursor.Batch;
import dev.vantage.monitor.HeartbeatCursor.CursorConflictException;
import dev.vantage.monitor.HeartbeatCursor.Lag;
import dev.vantage.monitor.HeartbeatCursor.Position;
import dev.vantage.testing.PostgresExtension;
import dev.vantage.testing.PostgresExtension.Empty;
import dev.vantage.testing.PostgresExtension.Fresh;
import dev.vantage.testing.TestDatabase;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The heartbeat cursor reads every committed heartbeat exactly once, whatever order transactions commit in. */
@ExtendWith(PostgresExtension.class)
class HeartbeatCursorIT {
    private static final Logger log = LoggerFactory.getLogger(HeartbeatCursorIT.class);
    private static final Duration DEADLINE = Duration.ofSeconds(15);

    private final HeartbeatCursor cursor = new HeartbeatCursor();

    @Test
    void sixteenWritersCommittingOutOfOrderAreReadExactlyOnceWhereAnIdCursorSkipsRows(@Fresh TestDatabase db)
            throws Exception {
        try (var workload = new OutOfOrderWorkload(db)) {
            workload.start(16);
            // Runs until the naive cursor has provably lost a committed row, and for enough transactions to matter.
            await().atMost(DEADLINE)
                    .failFast("a workload thread failed", workload::failed)
                    .until(() -> workload.commits.get() >= 300
                            && workload.rollbacks.get() >= 20
                            && workload.copies.get() >= 20
                            && !workload.skippedByNaive().isEmpty());
            workload.stopWriters();
            await().atMost(DEADLINE)
                    .failFast("a reader failed", workload::failed)
                    .until(workload::cursorCaughtUp);
            workload.stopReaders();

            List<Long> inTable = db.jdbi().withHandle(h -> h.createQuery("SELECT id FROM api_heartbeats")
                    .mapTo(Long.class)
                    .list());
            assertThat(new HashSet<>(inTable)).isEqualTo(workload.committed);
            assertThat(workload.readByCursor).doesNotHaveDuplicates();
            assertThat(new HashSet<>(workload.readByCursor)).isEqualTo(workload.committed);
            assertThat(workload.skippedByNaive()).isNotEmpty();
            log.info(
                    "{} commits, {} rollbacks, {} rows read once by the commit cursor, {} skipped by the id cursor",
                    workload.commits,
                    workload.rollbacks,
                    workload.readByCursor.size(),
                    workload.skippedByNaive().size());
        }
        assertThat(inTransaction(db, h -> cursor.read(h, cursor.load(h), 100)).observations())
                .isEmpty();
    }

    @Test
    void aRowCommittedAfterOneWithALargerIdIsReadByTheCommitCursorButSkippedByAnIdCursor(@Fresh TestDatabase db)
            throws Exception {
        Position start = inTransaction(db, cursor::load);
        try (var t1 = writer(db, "t1");
                var t2 = writer(db, "t2")) {
            long first = Heartbeats.insert(t1, 1).getFirst();
            long second = Heartbeats.insert(t2, 1).getFirst();
            t2.commit();
            assertThat(second).isGreaterThan(first);

            assertThat(idsAfter(db, 0)).containsExactly(second);
            assertThat(ids(read(db, start, 10))).isEmpty(); // t1 still runs: its xid holds the watermark

            t1.commit();
            assertThat(idsAfter(db, second)).isEmpty(); // the id cursor has passed `first` for good
            assertThat(ids(read(db, start, 10))).containsExactly(first, second);
        }
    }

    @Test
    void readingTheSamePositionTwiceReturnsTheSameRows(@Fresh TestDatabase db) throws Exception {
        Position start = inTransaction(db, cursor::load);
        commitTransactions(db, 3, 2);

        Batch once = read(db, start, 4);
        Batch twice = read(db, start, 4);
        assertThat(twice.observations()).isEqualTo(once.observations());
        assertThat(twice.next()).isEqualTo(once.next());
        assertThat(once.full()).isTrue();

        List<Observation> all = read(db, start, 100).observations();
        assertThat(all).hasSize(6).startsWith(once.observations().toArray(Observation[]::new));
        commitTransactions(db, 1, 2);
        // What lies below a watermark never changes: later commits only add after it.
        assertThat(read(db, start, 100).observations()).hasSize(8).startsWith(all.toArray(Observation[]::new));
    }

    @Test
    void aReaderThatRestartsFromLoadContinuesRightAfterTheSavedPosition(@Fresh TestDatabase db) throws Exception {
        Position start = inTransaction(db, cursor::load);
        commitTransactions(db, 5, 2);
        List<Long> everything = ids(read(db, start, 100));

        Batch first = inTransaction(db, h -> {
            Batch b = cursor.read(h, cursor.load(h), 3);
            cursor.save(h, b.next());
            return b;
        });
        var restarted = new HeartbeatCursor();
        Position loaded = inTransaction(db, restarted::load);
        assertThat(loaded).isEqualTo(first.next());
        Batch rest = read(db, loaded, 100);

        var both = new ArrayList<>(ids(first));
        both.addAll(ids(rest));
        assertThat(both).hasSize(10).isEqualTo(everything);
    }

    @Test
    void aTransactionThatRollsBackDoesNotMoveTheCursor(@Fresh TestDatabase db) throws Exception {
        Position start = inTransaction(db, cursor::load);
        commitTransactions(db, 2, 2);

        assertThatThrownBy(() -> inTransaction(db, h -> {
                    Batch b = cursor.read(h, cursor.load(h), 100);
                    cursor.save(h, b.next());
                    throw new IllegalStateException("the evaluation failed");
                }))
                .hasMessage("the evaluation failed");

        assertThat(inTransaction(db, cursor::load)).isEqualTo(start);
        assertThat(read(db, start, 100).observations()).hasSize(4);
    }

    @Test
    void theCursorNeverMovesBackward(@Fresh TestDatabase db) throws Exception {
        Position start = inTransaction(db, cursor::load);
        commitTransactions(db, 1, 1);
        Batch batch = read(db, start, 10);
        inTransaction(db, h -> {
            cursor.save(h, batch.next());
            cursor.save(h, batch.next()); // the same place again is fine
            return null;
        });

        assertThatThrownBy(() -> inTransaction(db, h -> {
                    cursor.save(h, start);
                    return null;
                }))
                .isInstanceOf(CursorConflictException.class);
        assertThat(inTransaction(db, cursor::load)).isEqualTo(batch.next());
    }

    @Test
    void aNewCursorStartsFromNowAndSkipsTheHistory(@Fresh TestDatabase db) throws Exception {
        commitTransactions(db, 3, 2);
        try (var running = writer(db, "running")) {
            List<Long> runningIds = Heartbeats.insert(running, 1);
            Position start = inTransaction(db, cursor::load);
            running.commit();
            List<Long> later = commitTransactions(db, 1, 1);

            // A transaction still open when the cursor was created is read: its rows were not history yet.
            var expected = new ArrayList<>(runningIds);
            expected.addAll(later);
            assertThat(ids(read(db, start, 100))).isEqualTo(expected);
        }
    }

    @Test
    void rowsWrittenBeforeVersion3AreNeverRead(@Empty TestDatabase db) throws Exception {
        Flyway.configure()
                .dataSource(db.dataSource())
                .locations(Migrations.LOCATION)
                .target("2")
                .load()
                .migrate();
        db.execute("INSERT INTO api_heartbeats (monitor_id, datacenter_id, scheduled_at, executed_at, success)"
                + " VALUES (1, 1, now(), now(), true)");
        Migrations.migrate(db.dataSource());
        List<Long> after = commitTransactions(db, 1, 1);

        assertThat(db.count("SELECT count(*) FROM api_heartbeats WHERE commit_xid IS NULL"))
                .isEqualTo(1);
        // Even from the very beginning of time, not only from where a new cursor starts.
        assertThat(ids(read(db, new Position(0, 0), 100))).isEqualTo(after);
    }

    @Test
    void aLongTransactionHoldsTheWatermarkBackUntilItEndsAndTheLagShowsIt(@Fresh TestDatabase db) throws Exception {
        Position start = inTransaction(db, cursor::load);
        try (var longOne = writer(db, "long")) {
            // Any transaction with an xid holds the watermark, whatever it writes: here nothing but its id.
            long heldAt = Heartbeats.xid(longOne);
            List<Long> committedMeanwhile = commitTransactions(db, 2, 1);

            Batch held = read(db, start, 100);
            assertThat(held.observations()).isEmpty();
            assertThat(held.watermark()).isLessThanOrEqualTo(heldAt);
            Lag lag = await().atMost(DEADLINE).until(() -> measure(db, held), l -> l.watermarkSeconds() >= 0.2);
            assertThat(lag.watermarkXids()).isGreaterThanOrEqualTo(3);
            assertThat(lag.evaluateSeconds()).isZero();

            longOne.commit();
            assertThat(ids(read(db, start, 100))).isEqualTo(committedMeanwhile);
            await().atMost(DEADLINE).until(() -> measure(db, held).watermarkSeconds() == 0);
        }
    }

    @Test
    void theEvaluateLagIsTheAgeOfTheLastHeartbeatReadAndTheGaugesShowIt(@Fresh TestDatabase db) throws Exception {
        Position start = inTransaction(db, cursor::load);
        db.execute("INSERT INTO api_heartbeats (monitor_id, datacenter_id, scheduled_at, executed_at, success,"
                + " inserted_at) VALUES (1, 1, now(), now(), true, now() - interval '30 seconds')");
        Batch batch = read(db, start, 100);
        assertThat(batch.observations()).hasSize(1);

        Lag lag = measure(db, batch);
        assertThat(lag.evaluateSeconds()).isBetween(30.0, 60.0);
        assertThat(measure(db, read(db, batch.next(), 100)).evaluateSeconds()).isZero();

        var registry = new SimpleMeterRegistry();
        var gauges = new HeartbeatCursorGauges(registry);
        assertThat(registry.get(Meters.EVALUATE_LAG).gauge().value()).isZero();
        gauges.update(new Lag(lag.evaluateSeconds(), 2.5, 7));
        assertThat(registry.get(Meters.EVALUATE_LAG).gauge().value()).isEqualTo(lag.evaluateSeconds());
        assertThat(registry.get(Meters.WATERMARK_LAG).gauge().value()).isEqualTo(2.5);
        assertThat(registry.get(Meters.WATERMARK_LAG_XIDS).gauge().value()).isEqualTo(7.0);
    }

    @Test
    void anObservationCarriesTheHeartbeatsColumns(@Fresh TestDatabase db) throws Exception {
        Position start = inTransaction(db, cursor::load);
        db.execute("INSERT INTO api_heartbeats (id, monitor_id, datacenter_id, scheduled_at, executed_at, success,"
                + " response_time_ms, warning_threshold_ms, critical_threshold_ms, error_type, error_message) VALUES"
                + " (900001, 7, 3, now(), now(), false, 1234.5, 500, 1000, 'HTTP_STATUS', '[STATUS] (503) == 200'),"
                + " (900002, 8, 4, now() + interval '1 second', now(), true, NULL, NULL, NULL, NULL, NULL)");
        List<Observation> read = read(db, start, 10).observations();

        assertThat(read).hasSize(2);
        Observation failed = read.getFirst();
        assertThat(failed.heartbeatId()).isEqualTo(900001);
        assertThat(failed.monitorId()).isEqualTo(7);
        assertThat(failed.datacenterId()).isEqualTo(3);
        assertThat(failed.success()).isFalse();
        assertThat(failed.responseTimeMs()).isEqualTo(1234.5);
        assertThat(failed.warningMs()).isEqualTo(500);
        assertThat(failed.criticalMs()).isEqualTo(1000);
        assertThat(failed.errorType()).isEqualTo("HTTP_STATUS");
        assertThat(failed.errorMessage()).isEqualTo("[STATUS] (503) == 200");
        Observation nulls = read.get(1);
        assertThat(nulls.scheduledAt()).isAfter(failed.scheduledAt());
        assertThat(nulls.responseTimeMs()).isNull();
        assertThat(nulls.warningMs()).isNull();
        assertThat(nulls.criticalMs()).isNull();
        assertThat(nulls.errorType()).isNull();
    }

    @Test
    void batchesAreReadInCommitOrderThroughTheIndexWithoutSorting(@Fresh TestDatabase db) throws Exception {
        Position start = inTransaction(db, cursor::load);
        int rows = 60_000;
        commitTransactions(db, 20, rows / 20);
        db.execute("ANALYZE api_heartbeats");

        String plan = db.jdbi().withHandle(h -> h.createQuery("EXPLAIN (FORMAT JSON) " + HeartbeatCursor.READ)
                .bind("xid", start.commitXid())
                .bind("id", start.heartbeatId())
                .bind("limit", 10_000)
                .mapTo(String.class)
                .one());
        log.info("plan of a read: {}", plan);
        assertThat(plan)
                .contains("\"Merge Append\"", "commit_xid_id_idx")
                .doesNotContain("\"Node Type\": \"Sort\"", "Seq Scan", "Bitmap");

        var positions = new ArrayList<Position>();
        long read = 0;
        long began = System.nanoTime();
        Batch batch;
        do {
            batch = inTransaction(db, h -> {
                Batch b = cursor.read(h, cursor.load(h), 10_000);
                cursor.save(h, b.next());
                return b;
            });
            positions.add(batch.next());
            read += batch.observations().size();
        } while (batch.full());
        double seconds = (System.nanoTime() - began) / 1e9;
        log.info(
                "read {} heartbeats in {} batches in {} s: {} rows/s", rows, positions.size(), seconds, rows / seconds);

        assertThat(db.count("SELECT count(*) FROM api_heartbeats")).isEqualTo(rows);
        assertThat(inTransaction(db, cursor::load)).isEqualTo(batch.next());
        assertThat(read).isEqualTo(rows);
        assertThat(positions).isSorted().hasSize(rows / 10_000 + 1); // the last read finds nothing more
    }

    // ---------------------------------------------------------------------------------------------------------

    private interface HandleWork<T> {
        T apply(org.jdbi.v3.core.Handle h) throws Exception;
    }

    private static <T> T inTransaction(TestDatabase db, HandleWork<T> work) throws Exception {
        return db.jdbi().inTransaction(work::apply);
    }

    private Batch read(TestDatabase db, Position from, int limit) throws Exception {
        return inTransaction(db, h -> cursor.read(h, from, limit));
    }

    /** Measured outside any transaction of the test, as the module measures after its commit. */
    private Lag measure(TestDatabase db, Batch last) {
        return db.jdbi().withHandle(h -> cursor.measure(h, last));
    }

    private static List<Long> ids(Batch batch) {
        return batch.observations().stream().map(Observation::heartbeatId).toList();
    }

    private static List<Long> idsAfter(TestDatabase db, long last) {
        return db.jdbi().withHandle(h -> h.createQuery("SELECT id FROM api_heartbeats WHERE id > ? ORDER BY id")
                .bind(0, last)
                .mapTo(Long.class)
                .list());
    }

    /** A connection with a transaction open, which the caller commits. */
    private static Connection writer(TestDatabase db, String name) throws SQLException {
        Connection c = Database.dedicated(db.connection(), name);
        c.setAutoCommit(false);
        return c;
    }

    /** Commits {@code transactions} transactions of {@code rows} rows each, one after the other; returns the ids. */
    private static List<Long> commitTransactions(TestDatabase db, int transactions, int rows) throws SQLException {
        var ids = new ArrayList<Long>();
        try (var c = writer(db, "committer")) {
            for (int i = 0; i < transactions; i++) {
                ids.addAll(Heartbeats.insert(c, rows));
                c.commit();
            }
        }
        return ids;
    }
}
