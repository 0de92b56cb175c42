package dev.vantage.lease;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.vantage.Meters;
import dev.vantage.testing.PostgresExtension;
import dev.vantage.testing.PostgresExtension.Fresh;
import dev.vantage.testing.TestDatabase;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.transaction.TransactionIsolationLevel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Replicas of {@code vantage monitor} on one real database: one leads, a release or a killed session hands the lease
 * over, the fence keeps a replica that lost the lease from committing, and the datacenter leases are not in the way.
 */
@ExtendWith(PostgresExtension.class)
class MonitorLeaseIT {
    /** Short timings, in the orderings LeaseSettings requires: checks every 250 ms, retries every 100 ms. */
    private static final LeaseSettings FAST = new LeaseSettings(
            Duration.ofMillis(250),
            Duration.ofSeconds(1),
            Duration.ofSeconds(2),
            Duration.ofSeconds(3),
            Duration.ofMillis(100),
            OnDbLoss.STOP);

    /** A leader that checks only every 2 s, so a takeover happens well before it finds out. */
    private static final LeaseSettings SLOW_CHECK = new LeaseSettings(
            Duration.ofSeconds(2),
            Duration.ofSeconds(1),
            Duration.ofMillis(3500),
            Duration.ofSeconds(4),
            Duration.ofMillis(100),
            OnDbLoss.STOP);

    private static final Duration TAKEOVER = Duration.ofSeconds(3);

    private final List<AutoCloseable> leases = new ArrayList<>();
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

    @AfterEach
    void closeLeases() throws Exception {
        for (var lease : leases) {
            lease.close();
        }
    }

    private MonitorLease lease(TestDatabase db, String holder, LeaseSettings settings) {
        var lease = MonitorLease.start(db.connection(), holder, settings, Clock.systemUTC(), meters, () -> {});
        leases.add(lease);
        return lease;
    }

    private static long epochIn(TestDatabase db) {
        return db.count("SELECT coalesce(max(epoch), 0) FROM monitor_leases");
    }

    private static void killSessionOf(TestDatabase db, String holder) {
        assertThat(db.count(
                        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = ?",
                        "vantage-lease monitor " + holder))
                .isEqualTo(1);
    }

    /**
     * A leader with {@link #SLOW_CHECK} timings that has just acquired the lease, and a standby ready to take it: the
     * leader's first check is 2 s away, so a takeover now happens well before it can find out.
     */
    private List<MonitorLease> freshLeaderAndStandby(TestDatabase db) {
        var old = lease(db, "old", SLOW_CHECK);
        await().atMost(TAKEOVER).pollInterval(Duration.ofMillis(5)).until(old::leading);
        return List.of(old, lease(db, "standby", FAST));
    }

    private static void createJournal(TestDatabase db) {
        db.execute("CREATE TABLE journal (note text PRIMARY KEY, written_at timestamptz NOT NULL)");
    }

    private static void write(Handle h, String note) {
        h.execute("INSERT INTO journal VALUES (?, clock_timestamp())", note);
    }

    @Test
    void exactlyOneOfTwoReplicasLeadsUnderEpochOneAndTheOtherStandsBy(@Fresh TestDatabase db) {
        var a = lease(db, "host-a-1", FAST);
        var b = lease(db, "host-b-2", FAST);

        await().atMost(TAKEOVER).until(() -> a.leading() ^ b.leading());
        var leader = a.leading() ? a : b;
        var standby = leader == a ? b : a;

        assertThat(leader.epoch()).isEqualTo(1);
        assertThat(leader.status())
                .extracting(MonitorLease.Status::role, MonitorLease.Status::epoch)
                .containsExactly("leader", 1L);
        assertThat(standby.status().role()).isEqualTo("standby");
        assertThat(standby.status().epoch()).isNull();
        assertThat(db.count(
                        "SELECT count(*) FROM monitor_leases WHERE epoch = 1 AND holder = ? AND released_at IS NULL",
                        leader == a ? "host-a-1" : "host-b-2"))
                .isEqualTo(1);
        assertThat(db.count(
                        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND classid = ? AND objid = 0",
                        LeaseSession.NAMESPACE))
                .isEqualTo(1);
        assertThat(meters.get(Meters.LEASE_ACQUISITIONS)
                        .tag("kind", "monitor")
                        .counter()
                        .count())
                .isEqualTo(1);
        // Still exactly one after a few checks.
        await().during(Duration.ofMillis(600)).atMost(Duration.ofSeconds(2)).until(() -> a.leading() ^ b.leading());
    }

    @Test
    void closingTheLeaderHandsTheLeaseToTheStandbyWithinASecond(@Fresh TestDatabase db) {
        // Standbys retry only every 2 s (±20%): a takeover within a second is the release's NOTIFY at work.
        var settings = new LeaseSettings(
                Duration.ofMillis(250),
                Duration.ofSeconds(1),
                Duration.ofSeconds(2),
                Duration.ofSeconds(3),
                Duration.ofSeconds(2),
                OnDbLoss.STOP);
        var first = lease(db, "first", settings);
        await().atMost(TAKEOVER).until(first::leading);
        var second = lease(db, "second", settings);
        await().atMost(TAKEOVER).until(() -> second.status().checkedAt() != null);

        long closing = System.nanoTime();
        first.close();
        await().atMost(Duration.ofSeconds(1))
                .pollInterval(Duration.ofMillis(10))
                .until(second::leading);
        Duration takeover = Duration.ofNanos(System.nanoTime() - closing);

        assertThat(takeover).isLessThan(Duration.ofSeconds(1));
        assertThat(first.leading()).isFalse();
        assertThat(second.epoch()).isEqualTo(2);
        assertThat(db.count("SELECT count(*) FROM monitor_leases WHERE epoch = 2 AND holder = 'second'"
                        + " AND released_at IS NULL"))
                .isEqualTo(1);
    }

    @Test
    void aLeaderWhoseSessionIsKilledLosesTheLeaseToTheStandby(@Fresh TestDatabase db) {
        var pair = freshLeaderAndStandby(db);
        var old = pair.get(0);
        var standby = pair.get(1);

        killSessionOf(db, "old");

        await().atMost(TAKEOVER).until(standby::leading);
        assertThat(standby.epoch()).isEqualTo(2);
        assertThat(epochIn(db)).isEqualTo(2);
        // The old leader finds out at its next check, opens a new session and finds the lock taken.
        await().atMost(Duration.ofSeconds(5)).until(() -> !old.leading());
        assertThat(old.status().role()).isEqualTo("standby");
        assertThat(standby.leading()).isTrue();
    }

    @Test
    void aTransactionThatPassedTheFenceHoldsTheTakeoverBackAndTheOldLeadersNextOneFails(@Fresh TestDatabase db) {
        createJournal(db);
        var pair = freshLeaderAndStandby(db);
        var old = pair.get(0);
        var standby = pair.get(1);

        try (Handle h = db.jdbi().open()) {
            h.begin();
            old.check(h); // holds monitor_leases FOR SHARE until the transaction ends
            write(h, "before the takeover");

            killSessionOf(db, "old");
            // The standby has the lock, and its epoch bump waits for this transaction.
            await().atMost(TAKEOVER)
                    .until(() -> db.count(
                                    "SELECT count(*) FROM pg_stat_activity WHERE application_name = ?"
                                            + " AND wait_event_type = 'Lock'",
                                    "vantage-lease monitor standby")
                            == 1);
            assertThat(standby.leading()).isFalse();
            assertThat(epochIn(db)).isEqualTo(1);
            h.commit();
        }

        await().atMost(TAKEOVER).until(standby::leading);
        // The takeover is ordered after that commit: its epoch starts later than anything the transaction wrote.
        assertThat(db.count("SELECT count(*) FROM monitor_leases l, journal j WHERE l.epoch = 2"
                        + " AND l.acquired_at > j.written_at"))
                .isEqualTo(1);
        // The old leader has not found out yet, but the fence has.
        assertThat(old.leading()).isTrue();
        assertThatThrownBy(() -> db.jdbi().useTransaction(h -> {
                    old.check(h);
                    write(h, "after the takeover");
                }))
                .isInstanceOf(LeaseLostException.class)
                .hasMessageContaining("epoch 2");
        assertThat(db.count("SELECT count(*) FROM journal")).isEqualTo(1);
    }

    @ParameterizedTest
    @EnumSource(
            value = TransactionIsolationLevel.class,
            names = {"READ_COMMITTED", "REPEATABLE_READ", "SERIALIZABLE"})
    void aTransactionBegunBeforeTheTakeoverButFencedAfterItCannotCommit(
            TransactionIsolationLevel isolation, @Fresh TestDatabase db) {
        createJournal(db);
        var pair = freshLeaderAndStandby(db);
        var old = pair.get(0);
        var standby = pair.get(1);

        try (Handle h = db.jdbi().open()) {
            h.setTransactionIsolationLevel(isolation);
            h.begin();
            h.createQuery("SELECT count(*) FROM journal").mapTo(Long.class).one(); // the snapshot, before the takeover

            killSessionOf(db, "old");
            await().atMost(TAKEOVER).until(standby::leading);
            assertThat(old.leading()).isTrue(); // it has not found out yet

            assertThatThrownBy(() -> old.check(h)).isInstanceOf(LeaseLostException.class);
            h.rollback();
        }
        assertThat(db.count("SELECT count(*) FROM journal")).isZero();
        db.jdbi().useTransaction(standby::check); // the new leader's own transactions pass
    }

    @Test
    void aStandbyAClosedLeaderAndACheckOutsideATransactionAreRefused(@Fresh TestDatabase db) {
        var leader = lease(db, "leader", FAST);
        await().atMost(TAKEOVER).until(leader::leading);
        var standby = lease(db, "standby", FAST);

        assertThatThrownBy(() -> db.jdbi().useTransaction(standby::check))
                .isInstanceOf(LeaseLostException.class)
                .hasMessageContaining("does not hold the monitor lease");
        assertThatThrownBy(() -> db.jdbi().useHandle(leader::check)).isInstanceOf(IllegalStateException.class);
        leader.close();
        assertThatThrownBy(() -> db.jdbi().useTransaction(leader::check)).isInstanceOf(LeaseLostException.class);
    }

    @Test
    void theMonitorLeaseAndTheLeaseOfDatacenterOneDoNotBlockEachOther(@Fresh TestDatabase db) {
        db.execute("INSERT INTO regions (name, region_code, group_name) VALUES ('US East', 'us-east-1', 'US')");
        db.execute("INSERT INTO datacenters (code, name, region_id) VALUES ('VA', 'Virginia', 1)");
        db.execute("INSERT INTO agents (name, datacenter_id) VALUES ('a', 1)");
        assertThat(db.count("SELECT id FROM datacenters WHERE code = 'VA'")).isEqualTo(1);

        var monitor = lease(db, "monitor-1", FAST);
        var datacenter = DatacenterLease.start(db.connection(), 1, "VA", 1, FAST, Clock.systemUTC(), meters, () -> {});
        leases.add(datacenter);

        await().atMost(TAKEOVER).until(() -> monitor.leading() && datacenter.leading());
        assertThat(db.count(
                        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND classid = ?",
                        LeaseSession.NAMESPACE))
                .isEqualTo(2);
        assertThat(epochIn(db)).isEqualTo(1);
        assertThat(db.count("SELECT epoch FROM datacenter_leases WHERE datacenter_id = 1"))
                .isEqualTo(1);

        // A datacenter's release wakes no monitor standby, and takes nothing from the monitor's leader.
        datacenter.close();
        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(1)).until(monitor::leading);
        assertThat(epochIn(db)).isEqualTo(1);
    }
}
