package dev.vantage.failover;

import dev.vantage.failover.LeaseLedger.FirstRows;
import dev.vantage.failover.Replicas.Steady;
import dev.vantage.testing.AgentProcess;
import dev.vantage.testing.StandalonePostgres;
import dev.vantage.testing.TcpProxy;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Datacenter failover when the leader is not killed but frozen (SIGSTOP) or cut off by a silent partition, and when the
 * database goes away for a minute: the scenarios of {@link FailoverHarness} that wait longest, beside
 * {@link FailoverIT}. Run alone: {@code ./mvnw -B verify -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false
 * -Dit.test=FailoverOutageIT}; leave out with {@code -DexcludedGroups=failover}.
 */
@Tag("failover")
class FailoverOutageIT extends FailoverHarness {
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
}
