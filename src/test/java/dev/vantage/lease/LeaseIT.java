package dev.vantage.lease;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.vantage.testing.PostgresExtension;
import dev.vantage.testing.PostgresExtension.Fresh;
import dev.vantage.testing.TestDatabase;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Two replicas' leases on one real database: who leads, hand-over, a killed session, an outage. */
@ExtendWith(PostgresExtension.class)
class LeaseIT {
    private static final Duration TAKEOVER = Duration.ofSeconds(3);
    private final List<DatacenterLease> leases = new ArrayList<>();
    private int datacenterId;

    @AfterEach
    void closeLeases() {
        leases.forEach(DatacenterLease::close);
    }

    private void seed(TestDatabase db) {
        db.execute("INSERT INTO regions (name, region_code, group_name) VALUES ('US East', 'us-east-1', 'US')");
        db.execute("INSERT INTO datacenters (code, name, region_id) VALUES ('VA', 'Virginia', 1)");
        datacenterId = (int) db.count("SELECT id FROM datacenters WHERE code = 'VA'");
        db.execute("INSERT INTO agents (name, datacenter_id) VALUES ('a', ?), ('b', ?)", datacenterId, datacenterId);
    }

    private DatacenterLease lease(TestDatabase db, int agentId, OnDbLoss onDbLoss) {
        var lease = DatacenterLease.start(
                db.connection(),
                datacenterId,
                "VA",
                agentId,
                LeaseSettings.DEFAULTS.withOnDbLoss(onDbLoss),
                Clock.systemUTC(),
                new SimpleMeterRegistry(),
                () -> {});
        leases.add(lease);
        return lease;
    }

    private static List<DatacenterLease> leaders(List<DatacenterLease> leases) {
        return leases.stream().filter(DatacenterLease::leading).toList();
    }

    @Test
    void oneReplicaLeadsUnderEpochOneAndTheOtherStandsBy(@Fresh TestDatabase db) {
        seed(db);
        var a = lease(db, 1, OnDbLoss.CONTINUE);
        var b = lease(db, 2, OnDbLoss.CONTINUE);

        await().atMost(TAKEOVER).until(() -> leaders(leases).size() == 1);
        var leader = leaders(leases).getFirst();
        var standby = leader == a ? b : a;

        assertThat(leader.admit(1, Instant.now().plusSeconds(1))).hasValue(1);
        assertThat(standby.leading()).isFalse();
        assertThat(standby.admit(1, Instant.now().plusSeconds(1))).isEmpty();
        assertThat(db.count("SELECT epoch FROM datacenter_leases WHERE datacenter_id = ?", datacenterId))
                .isEqualTo(1);
        assertThat(db.count("SELECT count(*) FROM datacenter_lease_history")).isEqualTo(1);
        // The lock is visible to users where PostgreSQL shows locks.
        assertThat(db.count(
                        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND classid = ? AND objid = ?",
                        LeaseSession.NAMESPACE,
                        datacenterId))
                .isEqualTo(1);
        // A slot before the acquisition belongs to the previous leader (or to nobody): never probed late.
        assertThat(leader.admit(1, Instant.now().minusSeconds(60))).isEmpty();
    }

    @Test
    void closingTheLeaderHandsTheLeaseOverAtOnceUnderTheNextEpoch(@Fresh TestDatabase db) {
        seed(db);
        lease(db, 1, OnDbLoss.CONTINUE);
        lease(db, 2, OnDbLoss.CONTINUE);
        await().atMost(TAKEOVER).until(() -> leaders(leases).size() == 1);
        var first = leaders(leases).getFirst();

        long closed = System.nanoTime();
        first.close();
        await().atMost(TAKEOVER).until(() -> leaders(leases).size() == 1);
        Duration takeover = Duration.ofNanos(System.nanoTime() - closed);

        var second = leaders(leases).getFirst();
        assertThat(second).isNotSameAs(first);
        assertThat(second.admit(1, Instant.now().plusSeconds(1))).hasValue(2);
        // A graceful release keeps the results of the probes still in flight: their slots precede the takeover.
        assertThat(first.keep(1, 1, Instant.now().minusSeconds(1))).isTrue();
        // Sooner than the standby's retry interval (0.8 to 1.2 s): the release was announced.
        assertThat(takeover).isLessThan(Duration.ofMillis(800));
        assertThat(db.count(
                        "SELECT count(*) FROM datacenter_lease_history WHERE epoch = 1 AND released_at IS NOT NULL"))
                .isEqualTo(1);
        assertThat(db.count("SELECT count(*) FROM datacenter_lease_history WHERE epoch = 2 AND released_at IS NULL"))
                .isEqualTo(1);
    }

    @Test
    void aLeaderWhoseSessionIsKilledFindsOutAndExactlyOneReplicaHoldsTheNextEpoch(@Fresh TestDatabase db) {
        seed(db);
        lease(db, 1, OnDbLoss.CONTINUE);
        lease(db, 2, OnDbLoss.CONTINUE);
        await().atMost(TAKEOVER).until(() -> leaders(leases).size() == 1);
        var first = leaders(leases).getFirst();
        int firstAgent = first == leases.get(0) ? 1 : 2;

        db.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = ?",
                "vantage-lease dc=VA agent=" + firstAgent);

        await().atMost(Duration.ofSeconds(5))
                .until(() ->
                        db.count("SELECT epoch FROM datacenter_leases WHERE datacenter_id = ?", datacenterId) == 2);
        await().atMost(Duration.ofSeconds(5)).until(() -> leaders(leases).size() == 1);
        var second = leaders(leases).getFirst();
        assertThat(second.admit(1, Instant.now().plusSeconds(1))).hasValue(2);
        // The one that did not get epoch 2 has let go of epoch 1's results.
        if (second != first) {
            assertThat(first.keep(1, 1, Instant.now().plusSeconds(5))).isFalse();
        }
    }

    @Test
    void failOpenKeepsProbingThroughAnOutageAndStrictStops(@Fresh TestDatabase db) throws Exception {
        seed(db);
        var open = lease(db, 1, OnDbLoss.CONTINUE);
        await().atMost(TAKEOVER).until(open::leading);

        db.setAllowConnections(false);
        try {
            // Past the trust window of the last good check: only a fresh "unreachable" verdict keeps it probing.
            await().pollDelay(Duration.ofSeconds(7))
                    .atMost(Duration.ofSeconds(9))
                    .until(() -> open.admit(1, Instant.now().plusSeconds(1)).isPresent());
        } finally {
            db.setAllowConnections(true);
        }
        await().atMost(Duration.ofSeconds(5))
                .until(() ->
                        db.count("SELECT epoch FROM datacenter_leases WHERE datacenter_id = ?", datacenterId) == 2);
        open.close();

        var strict = lease(db, 2, OnDbLoss.STOP);
        await().atMost(TAKEOVER)
                .until(() -> strict.admit(1, Instant.now().plusSeconds(1)).isPresent());
        db.setAllowConnections(false);
        try {
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> strict.admit(1, Instant.now().plusSeconds(1)).isEmpty());
        } finally {
            db.setAllowConnections(true);
        }
        await().atMost(Duration.ofSeconds(5))
                .until(() -> strict.admit(1, Instant.now().plusSeconds(1)).isPresent());
    }
}
