package dev.vantage.failover;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.vantage.demo.DemoTargets;
import dev.vantage.failover.LeaseLedger.FirstRows;
import dev.vantage.failover.Replicas.Steady;
import dev.vantage.testing.AgentProcess;
import dev.vantage.testing.DatacenterSeed;
import dev.vantage.testing.StandalonePostgres;
import dev.vantage.testing.TcpProxy;
import dev.vantage.testing.TestDatabase;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
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
 * Datacenter failover with real agent processes: replicas of {@code vantage agent} (the packaged jar, each in its own
 * JVM) share one datacenter on a PostgreSQL of this class's own, and the tests kill, freeze and cut off the leader or
 * take the database away. Every verdict comes from SQL on what was written (api_heartbeats, agents,
 * datacenter_leases, datacenter_lease_history) and from the processes' logs; {@link LeaseLedger#violations()} checks
 * the guarantees on every row after each scenario.
 *
 * <p>Run alone: {@code ./mvnw -B verify -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false -Dit.test=FailoverIT};
 * leave out of a run with {@code -DexcludedGroups=failover}. Figures are printed to stdout for BENCHMARKS.md. Agent
 * logs stay in the test's temporary directory when it fails.
 */
@Tag("failover")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FailoverIT {
    private static final String DC = "VA";
    private static final Duration INTERVAL = Duration.ofSeconds(1);
    private static final int MONITORS = 5;
    private static final Duration START = Duration.ofSeconds(90); // JVMs starting together on a small machine
    private static final String LOST = "Lost lock for datacenter:" + DC;
    /**
     * How long a leader has probed every monitor before a scenario strikes, so that the slots checked before it are all
     * its own.
     */
    private static final Duration SETTLED = Duration.ofSeconds(6);

    @TempDir
    static Path serverDirectory;

    private StandalonePostgres pg;
    private DemoTargets targets;

    private TestDatabase db;
    private DatacenterSeed seed;
    private LeaseLedger ledger;
    private Path journal;
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
        ledger = new LeaseLedger(db, seed);
        journal = dir.resolve("journal");
        var env = AgentProcess.env(pg.libpqUrl(db.name()), DC);
        env.put("VANTAGE_JOURNAL_DIR", journal.toString());
        // Takeovers are measured here, not first-probe timings: the warm-up's second of CPU per start (about forty
        // starts in this class) would only starve the other replicas on a small machine.
        env.put("VANTAGE_WARMUP", "false");
        replicas = new Replicas(ledger, seed, env, dir);
    }

    @AfterEach
    void killReplicas() {
        replicas.close();
        pg.start(); // a scenario that failed with the server stopped must not take the next one down with it
        db.close();
    }

    /** One SIGKILL of the leader and what followed, times from the kill. */
    record Takeover(int round, Instant killed, long fromEpoch, FirstRows first, Duration hole) {
        /** acquired_at: the lock was taken 200 ms before, and the new leader probes slots from here on. */
        Duration epochStart() {
            return Duration.between(killed, first.acquiredAt());
        }

        Duration firstProbe() {
            return Duration.between(killed, first.firstExecuted());
        }

        Duration firstRowWritten() {
            return Duration.between(killed, first.firstInserted());
        }

        Takeover withHole(Duration value) {
            return new Takeover(round, killed, fromEpoch, first, value);
        }
    }

    @Test
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void aStandbyWritesAgainWithinThreeSecondsEachOfTwentyTimesTheLeaderIsKilled() {
        int rounds = 20;
        var live = new ArrayList<>(List.of(replicas.start(), replicas.start(), replicas.start()));
        var takeovers = new ArrayList<Takeover>();
        Duration steadyWithin = START;
        for (int round = 1; round <= rounds; round++) {
            Steady steady = replicas.awaitSteady(live, steadyWithin);
            steadyWithin = Duration.ofSeconds(60);

            Instant killed = Instant.now();
            steady.leader().sigkill();
            live.remove(steady.leader());
            FirstRows first = replicas.awaitTakeover(steady.epoch(), Duration.ofSeconds(15));

            AgentProcess newLeader = replicas.byId(first.holderAgentId())
                    .orElseThrow(() -> new AssertionError("epoch " + first.epoch() + " is held by agent "
                            + first.holderAgentId() + ", not one of the replicas\n" + replicas.describe()));
            assertThat(live).as("the new leader is one of the standbys").contains(newLeader);
            newLeader.awaitLog("Acquired lock for datacenter:" + DC + " (epoch " + first.epoch() + ")", ofSeconds(5));
            takeovers.add(new Takeover(round, killed, steady.epoch(), first, null));

            live.add(replicas.start()); // three replicas again
        }
        Steady last = replicas.awaitSteady(live, steadyWithin); // and the rows after the last takeover are in
        replicas.awaitRoles(last.leader(), last.epoch(), live);

        var measured = new ArrayList<Takeover>();
        for (int i = 0; i < takeovers.size(); i++) {
            Takeover t = takeovers.get(i);
            Instant from = t.killed().minusSeconds(2);
            Instant to = t.killed().plus(t.firstRowWritten()).plusSeconds(2);
            if (i + 1 < takeovers.size() && takeovers.get(i + 1).killed().isBefore(to)) {
                to = takeovers.get(i + 1).killed();
            }
            Duration hole = Duration.ZERO;
            var slots = ledger.slotsByMonitor(from, to);
            for (long monitor : seed.monitorIds()) {
                Duration h = SlotGaps.largestHole(slots.getOrDefault(monitor, List.of()), from, to, INTERVAL);
                hole = h.compareTo(hole) > 0 ? h : hole;
            }
            measured.add(t.withHole(hole));
        }
        printTakeovers(measured);

        var soft = new SoftAssertions();
        for (Takeover t : measured) {
            soft.assertThat(t.firstRowWritten())
                    .as(
                            "round %d: kill to first heartbeat of epoch %d",
                            t.round(), t.first().epoch())
                    .isLessThanOrEqualTo(ofSeconds(3));
            soft.assertThat(t.hole())
                    .as("round %d: largest hole of missing slots of a monitor around the takeover", t.round())
                    .isLessThanOrEqualTo(t.firstRowWritten().plus(INTERVAL));
        }
        soft.assertThat(median(measured.stream().map(Takeover::firstRowWritten).toList()))
                .as("median kill to first heartbeat")
                .isLessThanOrEqualTo(Duration.ofMillis(1_500));
        soft.assertThat(ledger.violations()).as("failover guarantees").isEmpty();
        soft.assertAll();
    }

    @Test
    @Timeout(value = 150, unit = TimeUnit.SECONDS)
    void aLeaderFrozenForThirtySecondsIsReplacedWithinFifteenAndStartsNoProbeWhenItWakes() throws Exception {
        var both = List.of(replicas.start(), replicas.start());
        Steady steady = replicas.awaitSteady(both, START);
        AgentProcess frozen = steady.leader();
        AgentProcess standby = both.get(both.get(0) == frozen ? 1 : 0);

        Instant stopped = Instant.now();
        frozen.sigstop();
        FirstRows first = replicas.awaitTakeover(steady.epoch(), Duration.ofSeconds(25));
        holdUntil(stopped.plusSeconds(30));
        Instant continued = Instant.now();
        frozen.sigcont();

        String lost = frozen.awaitLog(LOST, ofSeconds(15));
        replicas.awaitRoles(standby, first.epoch(), both);
        int standbyId = replicas.id(standby);
        // The new leader writes past the wake-up; by then the woken one has written whatever it was going to.
        awaitRows(
                "agent_id = ? AND scheduled_at >= ?",
                ofSeconds(20),
                standbyId,
                LeaseLedger.utc(continued.plusSeconds(3)));

        Duration takeover = Duration.between(stopped, first.firstInserted());
        System.out.printf(
                "FailoverIT frozen leader (SIGSTOP 30 s): epoch start %s, first row written %s after the SIGSTOP;"
                        + " after SIGCONT: '%s'%n",
                seconds(Duration.between(stopped, first.acquiredAt())), seconds(takeover), lost);
        var soft = new SoftAssertions();
        soft.assertThat(takeover).as("SIGSTOP to the standby's first heartbeat").isLessThanOrEqualTo(ofSeconds(15));
        soft.assertThat(first.holderAgentId()).as("the new holder").isEqualTo(standbyId);
        soft.assertThat(ledger.count(
                        "agent_id = ? AND lease_epoch = ? AND scheduled_at >= ?",
                        steady.leaderId(),
                        steady.epoch(),
                        LeaseLedger.utc(first.acquiredAt())))
                .as("rows of the frozen leader's epoch in slots the new epoch covers")
                .isZero();
        soft.assertThat(ledger.count(
                        "agent_id = ? AND scheduled_at >= ? AND lease_epoch <= ?",
                        steady.leaderId(),
                        LeaseLedger.utc(continued),
                        first.epoch()))
                .as("rows of the woken leader for slots after SIGCONT without a new acquisition of its own")
                .isZero();
        soft.assertThat(ledger.violations()).as("failover guarantees").isEmpty();
        soft.assertAll();
    }

    @Test
    @Timeout(value = 150, unit = TimeUnit.SECONDS)
    void aLeaderCutOffBySilentPartitionIsReplacedWithinFifteenAndItsReplayedRowsAreFenced() throws Exception {
        // Each replica reaches the database through a proxy of its own, so that either can be the one cut off.
        try (var proxy1 = TcpProxy.start(pg.port());
                var proxy2 = TcpProxy.start(pg.port())) {
            var proxies = List.of(proxy1, proxy2);
            var both = List.of(
                    replicas.start(Map.of("DB_CONN_STRING", StandalonePostgres.libpqUrl(db.name(), proxy1.port()))),
                    replicas.start(Map.of("DB_CONN_STRING", StandalonePostgres.libpqUrl(db.name(), proxy2.port()))));
            Steady steady = replicas.awaitSteady(both, START);
            int cut = both.indexOf(steady.leader());
            AgentProcess cutOff = both.get(cut);
            AgentProcess standby = both.get(1 - cut);
            holdUntil(everyMonitorProbedFrom(steady).plus(SETTLED)); // the window checked starts 5 s before the freeze

            Instant frozen = Instant.now();
            proxies.get(cut).freeze();
            FirstRows first = replicas.awaitTakeover(steady.epoch(), Duration.ofSeconds(25));
            // The cut-off leader probes on (fail-open) into the new epoch's slots for a while: its replay must meet
            // the fence.
            holdUntil(first.firstInserted().plusSeconds(5));
            Instant thawed = Instant.now();
            proxies.get(cut).thaw();

            String lost = cutOff.awaitLog(LOST, ofSeconds(30));
            replicas.awaitRoles(standby, first.epoch(), both);
            Instant from = frozen.minusSeconds(5);
            Instant to = thawed.plusSeconds(5);
            List<String> gaps = awaitNoGaps(from, to, ofSeconds(60));

            Duration takeover = Duration.between(frozen, first.firstInserted());
            long filledByCutOff = ledger.count(
                    "agent_id = ? AND lease_epoch = ? AND scheduled_at >= ? AND scheduled_at < ?",
                    steady.leaderId(),
                    steady.epoch(),
                    LeaseLedger.utc(frozen),
                    LeaseLedger.utc(first.acquiredAt()));
            System.out.printf(
                    "FailoverIT silent partition: epoch start %s, first row written %s after the freeze; the cut-off"
                            + " leader's rows from the partition, written after the thaw: %d; after the thaw: '%s'%n",
                    seconds(Duration.between(frozen, first.acquiredAt())), seconds(takeover), filledByCutOff, lost);
            var soft = new SoftAssertions();
            soft.assertThat(takeover)
                    .as("freeze to the standby's first heartbeat")
                    .isLessThanOrEqualTo(ofSeconds(15));
            soft.assertThat(first.holderAgentId()).as("the new holder").isEqualTo(replicas.id(standby));
            soft.assertThat(ledger.count(
                            "lease_epoch = ? AND scheduled_at >= ?",
                            steady.epoch(),
                            LeaseLedger.utc(first.acquiredAt())))
                    .as("rows of the cut-off leader's epoch in slots the new epoch covers")
                    .isZero();
            soft.assertThat(filledByCutOff)
                    .as("slots between the freeze and the takeover, probed by the cut-off leader (fail-open)")
                    .isPositive();
            soft.assertThat(gaps)
                    .as("slots missing from [freeze - 5 s, thaw + 5 s] after the replay")
                    .isEmpty();
            soft.assertThat(ledger.violations()).as("failover guarantees").isEmpty();
            soft.assertAll();
        }
    }

    @Test
    @Timeout(value = 210, unit = TimeUnit.SECONDS)
    void aDatabaseDownForAMinuteLeavesNoMissingSlotAndTheBacklogDrainsWithinAMinute() throws Exception {
        var both = List.of(replicas.start(), replicas.start());
        Steady before = replicas.awaitSteady(both, START);
        holdUntil(everyMonitorProbedFrom(before).plus(SETTLED)); // the window checked starts 5 s before the outage

        Instant down = Instant.now();
        pg.stop();
        holdUntil(down.plusSeconds(60));
        pg.start();
        Instant up = Instant.now();

        Instant from = down.minusSeconds(5);
        List<String> outageGaps = awaitNoGaps(from, up, ofSeconds(60));
        Instant drained = Instant.now();
        List<String> gaps = awaitNoGaps(from, up.plusSeconds(10), ofSeconds(30));

        var after = ledger.current().orElseThrow();
        replicas.awaitRoles(replicas.byId(after.holderAgentId()).orElseThrow(), after.epoch(), both);
        System.out.printf(
                "FailoverIT database down %s: every slot of the outage written %s after the restart (%d rows);"
                        + " epoch %d (agent %d) before, %d (agent %d) after%n",
                seconds(Duration.between(down, up)),
                seconds(Duration.between(up, drained)),
                ledger.count("scheduled_at BETWEEN ? AND ?", LeaseLedger.utc(down), LeaseLedger.utc(up)),
                before.epoch(),
                before.leaderId(),
                after.epoch(),
                after.holderAgentId());
        var soft = new SoftAssertions();
        soft.assertThat(outageGaps)
                .as("slots missing from [outage start - 5 s, restart] 60 s after the restart")
                .isEmpty();
        soft.assertThat(gaps)
                .as("slots missing from [outage start - 5 s, restart + 10 s]")
                .isEmpty();
        soft.assertThat(ledger.violations()).as("failover guarantees").isEmpty();
        soft.assertAll();
    }

    @Test
    @Timeout(value = 150, unit = TimeUnit.SECONDS)
    void aJournalLeftByAKilledAgentIsReplayedByTheNextAgentOnTheSameDirectory() throws Exception {
        // A small memory queue, so that a journal that only takes what memory cannot hold still fills up quickly.
        var smallQueue = Map.of("VANTAGE_QUEUE_CAPACITY", "20");
        var killedAgent = replicas.start(smallQueue);
        Steady steady = replicas.awaitSteady(List.of(killedAgent), START);
        int killedId = steady.leaderId();
        long journalBefore = bytesUnder(journal);

        Instant down = Instant.now();
        pg.stop();
        Instant journaling;
        try {
            await("the journal under " + journal + " grows while the database is down")
                    .atMost(ofSeconds(30))
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> bytesUnder(journal) > journalBefore);
            journaling = Instant.now();
        } catch (ConditionTimeoutException e) {
            throw new AssertionError(e.getMessage() + " (" + bytesUnder(journal) + " bytes)\n" + killedAgent.tail(), e);
        }
        holdUntil(journaling.plusSeconds(4)); // a few slots of every monitor journaled
        Instant killed = Instant.now();
        killedAgent.sigkill();
        long journalBytes = bytesUnder(journal);
        pg.start();
        var next = replicas.start(smallQueue);

        // Everything offered once the journal had taken over is on disk when the kill comes: those slots must all be
        // replayed, under the killed agent's id. The next agent's own slots start after its start, later still.
        Instant from = journaling.plusSeconds(1);
        Instant to = killed.minusSeconds(1);
        List<String> gaps = awaitNoGaps(from, to, ofSeconds(60));
        Steady after = replicas.awaitSteady(List.of(next), START);

        var window = List.of(LeaseLedger.utc(from), LeaseLedger.utc(to));
        long replayed = ledger.count(
                "agent_id = ? AND scheduled_at BETWEEN ? AND ?",
                killedId,
                LeaseLedger.utc(down),
                LeaseLedger.utc(killed));
        System.out.printf(
                "FailoverIT journal of a killed agent: %d bytes journaled, killed %s into the outage; %d rows of the"
                        + " outage replayed by the next agent (epoch %d)%n",
                journalBytes, seconds(Duration.between(down, killed)), replayed, after.epoch());
        var soft = new SoftAssertions();
        soft.assertThat(gaps)
                .as("slots missing from [journal start + 1 s, kill - 1 s] after the replay")
                .isEmpty();
        soft.assertThat(ledger.count(
                        "agent_id IS DISTINCT FROM ? AND scheduled_at BETWEEN ? AND ?",
                        killedId,
                        window.get(0),
                        window.get(1)))
                .as("rows of [journal start + 1 s, kill - 1 s] not from the killed agent")
                .isZero();
        soft.assertThat(ledger.violations()).as("failover guarantees").isEmpty();
        soft.assertAll();
    }

    /**
     * The slot from which the first leader of a datacenter probes every monitor. Not its acquired_at: the first replica
     * takes the lock while it is still starting, and a JVM short of CPU (another test JVM beside it, other builds on
     * the machine) has been seen to run its scheduler more than 2 s later. The slots of that start-up are not what a
     * scenario checks, so its window must begin after them.
     */
    private Instant everyMonitorProbedFrom(Steady steady) {
        try {
            return await("every monitor probed under epoch " + steady.epoch())
                    .atMost(ofSeconds(30))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> ledger.everyMonitorProbedFrom(steady.epoch()), Optional::isPresent)
                    .orElseThrow();
        } catch (ConditionTimeoutException e) {
            throw new AssertionError(e.getMessage() + "\n" + replicas.describe(), e);
        }
    }

    /** Waits up to {@code timeout} for every slot of {@code [from, to]}; what is still missing then. */
    private List<String> awaitNoGaps(Instant from, Instant to, Duration timeout) {
        try {
            await("every slot of [" + from + ", " + to + "]")
                    .atMost(timeout)
                    .pollInterval(Duration.ofMillis(250))
                    .ignoreExceptions() // the test's own pool reconnecting after a restart
                    .until(() ->
                            Instant.now().isAfter(to) && ledger.gaps(from, to).isEmpty());
            return List.of();
        } catch (ConditionTimeoutException e) {
            var gaps = ledger.gaps(from, to);
            System.out.println(
                    "Missing after " + timeout + ":\n" + String.join("\n", gaps) + "\n" + replicas.describe());
            return gaps;
        }
    }

    private void awaitRows(String where, Duration timeout, Object... args) {
        try {
            await(where)
                    .atMost(timeout)
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> ledger.count(where, args) > 0);
        } catch (ConditionTimeoutException e) {
            throw new AssertionError(e.getMessage() + "\n" + replicas.describe(), e);
        }
    }

    /** The scenario's own timing (how long a freeze or an outage lasts), not a wait for a condition. */
    private static void holdUntil(Instant until) throws InterruptedException {
        long millis = Duration.between(Instant.now(), until).toMillis();
        if (millis > 0) {
            Thread.sleep(millis);
        }
    }

    private static long bytesUnder(Path directory) {
        if (!Files.isDirectory(directory)) {
            return 0;
        }
        try (var files = Files.walk(directory)) {
            return files.filter(Files::isRegularFile)
                    .mapToLong(f -> {
                        try {
                            return Files.size(f);
                        } catch (IOException e) {
                            return 0; // removed while walking: a segment replayed and deleted
                        }
                    })
                    .sum();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void printTakeovers(List<Takeover> takeovers) {
        var out = new StringBuilder(String.format(
                "FailoverIT SIGKILL of the leader, %d rounds, 3 replicas, %d monitors every %s, times from the kill:%n",
                takeovers.size(), MONITORS, seconds(INTERVAL)));
        out.append(String.format(
                "%5s  %-9s  %11s  %11s  %17s  %12s%n",
                "round", "epoch", "epoch start", "first probe", "first row written", "largest hole"));
        for (Takeover t : takeovers) {
            out.append(String.format(
                    "%5d  %-9s  %11s  %11s  %17s  %12s%n",
                    t.round(),
                    t.fromEpoch() + " -> " + t.first().epoch(),
                    seconds(t.epochStart()),
                    seconds(t.firstProbe()),
                    seconds(t.firstRowWritten()),
                    seconds(t.hole())));
        }
        out.append(String.format(
                "median: epoch start %s, first probe %s, first row written %s, largest hole %s; max first row written"
                        + " %s%n",
                seconds(median(takeovers.stream().map(Takeover::epochStart).toList())),
                seconds(median(takeovers.stream().map(Takeover::firstProbe).toList())),
                seconds(median(takeovers.stream().map(Takeover::firstRowWritten).toList())),
                seconds(median(takeovers.stream().map(Takeover::hole).toList())),
                seconds(takeovers.stream()
                        .map(Takeover::firstRowWritten)
                        .max(Comparator.naturalOrder())
                        .orElseThrow())));
        System.out.print(out);
    }

    static Duration median(List<Duration> values) {
        var sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1
                ? sorted.get(n / 2)
                : sorted.get(n / 2 - 1).plus(sorted.get(n / 2)).dividedBy(2);
    }

    private static String seconds(Duration d) {
        return String.format("%.3f s", d.toNanos() / 1e9);
    }

    private static Duration ofSeconds(long seconds) {
        return Duration.ofSeconds(seconds);
    }
}
