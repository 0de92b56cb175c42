package dev.vantage.failover;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.vantage.demo.DemoTargets;
import dev.vantage.testing.AgentProcess;
import dev.vantage.testing.DatacenterSeed;
import dev.vantage.testing.StandalonePostgres;
import dev.vantage.testing.TestDatabase;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.assertj.core.api.SoftAssertions;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * Shard leases with real agent processes: a datacenter of {@value #SHARDS} shards and several replicas of
 * {@code vantage agent}, each probing the monitors of the shards it holds. Every verdict comes from SQL on the rows
 * (api_heartbeats, datacenter_leases, datacenter_lease_history) and {@link LeaseLedger#violations()}, which checks the
 * fence per shard.
 */
@Tag("failover")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ShardFailoverIT {
    private static final String DC = "VA";
    private static final int SHARDS = 6;
    private static final int MONITORS = 24;
    private static final Duration INTERVAL = Duration.ofSeconds(1);
    private static final Duration START = Duration.ofSeconds(90); // JVMs starting together on a small machine

    @TempDir
    static Path serverDirectory;

    private StandalonePostgres pg;
    private DemoTargets targets;
    private TestDatabase db;
    private DatacenterSeed seed;
    private LeaseLedger ledger;
    private Replicas replicas;

    @BeforeAll
    void startServer() {
        pg = StandalonePostgres.create(serverDirectory.resolve("pg"));
        targets = DemoTargets.start();
    }

    @AfterAll
    void stopServer() {
        if (targets != null) {
            targets.close();
        }
        if (pg != null) {
            pg.close();
        }
    }

    @BeforeEach
    void newDatacenter(TestInfo test, @TempDir(cleanup = CleanupMode.ON_SUCCESS) Path dir) {
        db = pg.newDatabase(test.getTestMethod().orElseThrow().getName());
        seed = DatacenterSeed.seed(db, DC, targets.httpUrl("/fast"), MONITORS, INTERVAL);
        db.execute("UPDATE datacenters SET shards = ? WHERE id = ?", SHARDS, seed.datacenterId());
        ledger = new LeaseLedger(db, seed);
        var env = AgentProcess.env(pg.libpqUrl(db.name()), DC);
        env.put("VANTAGE_JOURNAL_DIR", dir.resolve("journal").toString());
        // Takeovers and hand-offs are measured here, not first-probe timings: the warm-up's second of CPU per start
        // would only starve the other replicas on a small machine.
        env.put("VANTAGE_WARMUP", "false");
        replicas = new Replicas(ledger, seed, env, dir);
    }

    @AfterEach
    void killReplicas() {
        replicas.close();
        db.close();
    }

    @Test
    @Timeout(value = 200, unit = TimeUnit.SECONDS)
    void threeAgentsShareTheShardsAKilledOnesAreRetakenAndANewOneGetsItsShareWithoutAGapOrADouble() {
        var live = new ArrayList<>(List.of(replicas.start(), replicas.start(), replicas.start()));
        Map<Integer, List<Integer>> held = awaitBalanced(live, START);
        Instant balanced = Instant.now();
        assertThat(held.values()).as("shards per agent: %s", held).allMatch(s -> s.size() == SHARDS / 3);

        // SIGKILL one: its shards' locks go with its sessions; the others, now below their share, take them.
        holdUntil(balanced.plusSeconds(4));
        AgentProcess victim = live.getFirst();
        int victimId = replicas.id(victim);
        List<Integer> orphans = held.get(victimId);
        Instant killed = Instant.now();
        victim.sigkill();
        live.remove(victim);
        Map<Integer, Instant> retaken = awaitRetaken(orphans, victimId, Duration.ofSeconds(20));
        held = awaitBalanced(live, Duration.ofSeconds(30));
        assertThat(held.keySet()).as("agents holding shards after the kill").doesNotContain(victimId);

        // A new replica: shards move to it by hand-off.
        holdUntil(Instant.now().plusSeconds(2));
        Instant joined = Instant.now();
        AgentProcess newcomer = replicas.start();
        live.add(newcomer);
        held = awaitBalanced(live, START);
        Instant moved = Instant.now();
        int newcomerId = replicas.id(newcomer);
        assertThat(held.get(newcomerId)).as("the new replica's shards").hasSize(SHARDS / 3);
        holdUntil(moved.plusSeconds(4));

        // Every slot of every monitor exactly once, from the balance to now, except the killed agent's monitors
        // between the kill and their takeover.
        Instant to = Instant.now().minusSeconds(2);
        Instant from = balanced.plusSeconds(2);
        var victimMonitors = seed.monitorIds().stream()
                .filter(m -> orphans.contains((int) (m % SHARDS)))
                .toList();
        var others = seed.monitorIds().stream()
                .filter(m -> !victimMonitors.contains(m))
                .toList();
        var slots = ledger.slotsByMonitor(from, to);
        List<String> gapsOfOthers = SlotGaps.find(slots, others, from, to, INTERVAL);
        Instant afterTakeover =
                retaken.values().stream().max(Instant::compareTo).orElseThrow().plusSeconds(2);
        List<String> gapsAfterTakeover =
                SlotGaps.find(ledger.slotsByMonitor(afterTakeover, to), victimMonitors, afterTakeover, to, INTERVAL);
        Duration hole = Duration.ZERO;
        for (long monitor : victimMonitors) {
            Duration h = SlotGaps.largestHole(slots.getOrDefault(monitor, List.of()), from, to, INTERVAL);
            hole = h.compareTo(hole) > 0 ? h : hole;
        }
        Duration takeover = Duration.between(
                killed, retaken.values().stream().max(Instant::compareTo).orElseThrow());
        long movedShards = db.count(
                "SELECT count(*) FROM datacenter_lease_history WHERE datacenter_id = ? AND holder_agent_id = ?",
                seed.datacenterId(),
                newcomerId);
        System.out.printf(
                "ShardFailoverIT %d shards, %d monitors at %s: SIGKILL of agent %d (shards %s): last shard's first"
                        + " heartbeat %.2f s after the kill, largest hole of its monitors %.2f s; a new agent took"
                        + " %d shards within %.1f s of its start%n",
                SHARDS,
                MONITORS,
                INTERVAL,
                victimId,
                orphans,
                takeover.toMillis() / 1000.0,
                hole.toMillis() / 1000.0,
                movedShards,
                Duration.between(joined, moved).toMillis() / 1000.0);

        var soft = new SoftAssertions();
        soft.assertThat(takeover)
                .as("kill to the last orphaned shard's first heartbeat")
                .isLessThanOrEqualTo(Duration.ofSeconds(3));
        soft.assertThat(hole)
                .as("largest hole of the killed agent's monitors")
                .isLessThanOrEqualTo(takeover.plus(INTERVAL));
        soft.assertThat(gapsOfOthers)
                .as("slots missing or doubled of the monitors not on the killed agent (kill and join included)")
                .isEmpty();
        soft.assertThat(gapsAfterTakeover)
                .as("slots missing or doubled of the killed agent's monitors after their takeover (join included)")
                .isEmpty();
        soft.assertThat(ledger.violations()).as("failover guarantees per shard").isEmpty();
        soft.assertAll();
    }

    @Test
    @Timeout(value = 150, unit = TimeUnit.SECONDS)
    void aGracefulStopHandsItsShardsToTheOthersAndOneAgentAloneHoldsThemAll() {
        var two = new ArrayList<>(List.of(replicas.start(), replicas.start()));
        awaitBalanced(two, START);
        AgentProcess stopping = two.getFirst();
        int stoppingId = replicas.id(stopping);
        stopping.sigterm();
        stopping.awaitExit(Duration.ofSeconds(30));
        two.remove(stopping);
        Map<Integer, List<Integer>> held = awaitBalanced(two, Duration.ofSeconds(20));
        assertThat(held.get(replicas.id(two.getFirst())))
                .as("one agent holds every shard")
                .hasSize(SHARDS);
        assertThat(held).doesNotContainKey(stoppingId);
        assertThat(ledger.violations()).as("failover guarantees per shard").isEmpty();
    }

    /**
     * Waits until every shard's lock is held by one of {@code live}, each holding its share (the ledger's holders of
     * held locks, and each agent's own agents.shards agreeing); returns shards by agent id.
     */
    private Map<Integer, List<Integer>> awaitBalanced(List<AgentProcess> live, Duration timeout) {
        var result = new java.util.concurrent.atomic.AtomicReference<Map<Integer, List<Integer>>>();
        try {
            awaitBalanced(live, timeout, result);
        } catch (ConditionTimeoutException e) {
            throw new AssertionError(
                    "not every shard held, evenly, by the live replicas within " + timeout + ": " + heldShards() + "\n"
                            + replicas.describe(),
                    e);
        }
        return result.get();
    }

    private void awaitBalanced(
            List<AgentProcess> live,
            Duration timeout,
            java.util.concurrent.atomic.AtomicReference<Map<Integer, List<Integer>>> result) {
        await().atMost(timeout).pollInterval(Duration.ofMillis(200)).until(() -> {
            var ids = new ArrayList<Integer>();
            for (AgentProcess a : live) {
                var id = replicas.findId(a);
                if (id.isEmpty()) {
                    return false;
                }
                ids.add(id.get());
            }
            Map<Integer, List<Integer>> byAgent = heldShards();
            int total = byAgent.values().stream().mapToInt(List::size).sum();
            if (total != SHARDS || !ids.containsAll(byAgent.keySet())) {
                return false;
            }
            int min = SHARDS / live.size();
            for (int id : ids) {
                int n = byAgent.getOrDefault(id, List.of()).size();
                if (n < min || n > min + (SHARDS % live.size() == 0 ? 0 : 1)) {
                    return false;
                }
            }
            result.set(byAgent);
            return true;
        });
    }

    /** Shards whose lock is held now, by the agent the ledger names for their current epoch. */
    private Map<Integer, List<Integer>> heldShards() {
        return db
                .jdbi()
                .withHandle(h -> h.createQuery(
                                """
                        SELECT s.holder_agent_id, s.shard FROM datacenter_leases s
                        WHERE s.datacenter_id = :dc AND EXISTS (
                            SELECT 1 FROM pg_locks l WHERE l.locktype = 'advisory' AND l.granted
                              AND l.classid = (1447120468 + s.shard)::oid AND l.objid = s.datacenter_id::oid
                              AND l.objsubid = 2)
                        ORDER BY s.shard
                        """)
                        .bind("dc", seed.datacenterId())
                        .map((rs, ctx) -> Map.entry(rs.getInt(1), rs.getInt(2)))
                        .list())
                .stream()
                .collect(Collectors.groupingBy(
                        Map.Entry::getKey, TreeMap::new, Collectors.mapping(Map.Entry::getValue, Collectors.toList())));
    }

    /** When the first heartbeat of each of {@code shards} under an epoch of another agent than the victim arrived. */
    private Map<Integer, Instant> awaitRetaken(List<Integer> shards, int victimId, Duration timeout) {
        var found = new TreeMap<Integer, Instant>();
        try {
            awaitRetaken(shards, victimId, timeout, found);
        } catch (ConditionTimeoutException e) {
            throw new AssertionError(
                    "shards " + shards + " not retaken within " + timeout + " (found " + found + ")\n"
                            + replicas.describe(),
                    e);
        }
        return found;
    }

    private void awaitRetaken(List<Integer> shards, int victimId, Duration timeout, Map<Integer, Instant> found) {
        await().atMost(timeout).pollInterval(Duration.ofMillis(200)).until(() -> {
            for (int shard : shards) {
                db.jdbi()
                        .withHandle(h -> h.createQuery(
                                        """
                                        SELECT min(b.inserted_at) FROM api_heartbeats b
                                        JOIN datacenter_leases s ON s.datacenter_id = b.datacenter_id
                                          AND s.shard = :shard AND b.lease_epoch = s.epoch
                                        WHERE b.datacenter_id = :dc AND b.monitor_id % :shards = :shard
                                          AND s.holder_agent_id <> :victim
                                        """)
                                .bind("dc", seed.datacenterId())
                                .bind("shard", shard)
                                .bind("shards", SHARDS)
                                .bind("victim", victimId)
                                .mapTo(java.time.OffsetDateTime.class)
                                .findOne())
                        .ifPresent(t -> found.put(shard, t.toInstant()));
            }
            return found.keySet().containsAll(shards);
        });
    }

    private static void holdUntil(Instant t) {
        long millis = Duration.between(Instant.now(), t).toMillis();
        if (millis > 0) {
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        }
    }
}
