package dev.vantage.lease;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.vantage.store.DatacenterRow;
import dev.vantage.testing.PostgresExtension;
import dev.vantage.testing.PostgresExtension.Fresh;
import dev.vantage.testing.TestDatabase;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Shard leases of replicas in this JVM on one real database: shares, hand-off, and what the schema refuses. */
@ExtendWith(PostgresExtension.class)
class ShardLeaseIT {
    private static final int SHARDS = 6;
    private final List<ShardLeases> replicas = new ArrayList<>();
    private int datacenterId;

    @AfterEach
    void close() {
        replicas.forEach(ShardLeases::close);
    }

    private void seed(TestDatabase db, int shards) {
        db.execute("INSERT INTO datacenters (code, name, shards) VALUES ('VA', 'Virginia', ?)", shards);
        datacenterId = (int) db.count("SELECT id FROM datacenters WHERE code = 'VA'");
        db.execute(
                "INSERT INTO agents (name, datacenter_id) VALUES ('a', ?), ('b', ?), ('c', ?)",
                datacenterId,
                datacenterId,
                datacenterId);
    }

    private ShardLeases replica(TestDatabase db, int agentId, int shards) {
        var leases = ShardLeases.start(
                db.connection(),
                datacenterId,
                "VA",
                shards,
                agentId,
                LeaseSettings.DEFAULTS,
                Clock.systemUTC(),
                new SimpleMeterRegistry(),
                () -> {});
        replicas.add(leases);
        leases.ready();
        return leases;
    }

    /** The shards each replica admits a probe of, from its own verdicts. */
    private static List<Integer> admitted(ShardLeases replica) {
        var shards = new ArrayList<Integer>();
        Instant slot = Instant.now().plusSeconds(5);
        for (int monitor = 0; monitor < replica.shards(); monitor++) {
            if (replica.admit(monitor, slot).isPresent()) {
                shards.add(DatacenterRow.shardOf(monitor, replica.shards()));
            }
        }
        return shards;
    }

    @Test
    void aSecondAndAThirdReplicaGetTheirShareByHandOffAndEveryShardHasOneHolder(@Fresh TestDatabase db) {
        seed(db, SHARDS);
        var a = replica(db, 1, SHARDS);
        await().atMost(Duration.ofSeconds(10)).until(() -> admitted(a).size() == SHARDS);

        var b = replica(db, 2, SHARDS);
        await().atMost(Duration.ofSeconds(15))
                .until(() -> admitted(a).size() == 3 && admitted(b).size() == 3);
        var c = replica(db, 3, SHARDS);
        await().atMost(Duration.ofSeconds(15))
                .until(() -> admitted(a).size() == 2
                        && admitted(b).size() == 2
                        && admitted(c).size() == 2);

        var all = new ArrayList<Integer>();
        all.addAll(admitted(a));
        all.addAll(admitted(b));
        all.addAll(admitted(c));
        assertThat(all).as("each shard admitted by exactly one replica").containsExactlyInAnyOrder(0, 1, 2, 3, 4, 5);
        assertThat(db.count(
                        "SELECT count(DISTINCT holder_agent_id) FROM datacenter_leases WHERE datacenter_id = ?",
                        datacenterId))
                .isEqualTo(3);
        // A moved shard's epochs grew by one at each move, per shard.
        assertThat(db.count(
                        """
                        SELECT count(*) FROM datacenter_lease_history h
                        WHERE h.datacenter_id = ? AND h.epoch > 1 AND NOT EXISTS (
                            SELECT 1 FROM datacenter_lease_history p
                            WHERE p.datacenter_id = h.datacenter_id AND p.shard = h.shard AND p.epoch = h.epoch - 1)
                        """,
                        datacenterId))
                .isZero();
        assertThat(a.status().shards()).isNotNull();
        assertThat(a.status().role()).isEqualTo("leader");

        // The replica that stops: its shards go to the two others.
        c.close();
        await().atMost(Duration.ofSeconds(10))
                .until(() -> admitted(a).size() == 3 && admitted(b).size() == 3);
    }

    @Test
    void oneShardIsTheDatacenterLeaseOfBeforeAndNothingIsHandedOff(@Fresh TestDatabase db) {
        seed(db, 1);
        var a = replica(db, 1, 1);
        await().atMost(Duration.ofSeconds(10)).until(a::leading);
        var b = replica(db, 2, 1);
        // b stands by; a, the leader, keeps the lease (no balancer with one shard).
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5)).until(() -> a.leading() && !b.leading());
        assertThat(a.status().epoch()).isEqualTo(1L);
        assertThat(a.status().shards()).isEqualTo("0");
        assertThat(db.count(
                        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND classid = 1447120468::oid"
                                + " AND objid = ?::oid AND granted",
                        datacenterId))
                .as("the datacenter lock of before schema 14 is shard 0's")
                .isEqualTo(1);
    }

    @Test
    void theShardsOfADatacenterCannotChangeWhileOneOfItsAgentsHoldsAShard(@Fresh TestDatabase db) {
        seed(db, 2);
        var a = replica(db, 1, 2);
        await().atMost(Duration.ofSeconds(10)).until(a::leading);
        assertThatThrownBy(() -> db.execute("UPDATE datacenters SET shards = 4 WHERE id = ?", datacenterId))
                .hasMessageContaining("shards cannot change from 2 to 4 while its agents run");
        a.close();
        db.execute("UPDATE datacenters SET shards = 4 WHERE id = ?", datacenterId);
        assertThat(db.count("SELECT shards FROM datacenters WHERE id = ?", datacenterId))
                .isEqualTo(4);
    }

    @Test
    void sqlAndJavaPutAMonitorInTheSameShard(@Fresh TestDatabase db) {
        for (long monitor : new long[] {1, 2, 15, 16, 17, 1_000_003, Integer.MAX_VALUE}) {
            for (int shards : new int[] {1, 2, 7, 16, 64}) {
                assertThat(db.count("SELECT vantage_monitor_shard(?, ?)", monitor, shards))
                        .as("monitor %d of %d shards", monitor, shards)
                        .isEqualTo(DatacenterRow.shardOf(monitor, shards));
            }
        }
    }

    @Test
    void aShardLeaseIsRefusedWithoutItsLockAndOutsideTheDatacentersShards(@Fresh TestDatabase db) throws SQLException {
        seed(db, 2);
        try (var c = dev.vantage.db.Database.dedicated(db.connection(), "shard-lease-it")) {
            try (var s = c.createStatement()) {
                assertThatThrownBy(() -> s.executeQuery(
                                "SELECT * FROM vantage_take_shard_lease(" + datacenterId + ", 1, 1, interval '0')"))
                        .hasMessageContaining("does not hold the advisory lock (1447120469, " + datacenterId + ")");
                s.executeQuery("SELECT pg_advisory_lock(1447120470, " + datacenterId + ")")
                        .close();
                assertThatThrownBy(() -> s.executeQuery(
                                "SELECT * FROM vantage_take_shard_lease(" + datacenterId + ", 2, 1, interval '0')"))
                        .hasMessageContaining("shard 2 does not exist (the datacenter has 2 shards)");
            }
        }
    }
}
