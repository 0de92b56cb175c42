package dev.vantage.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.vantage.Meters;
import dev.vantage.demo.DemoTargets;
import dev.vantage.heartbeat.HeartbeatWriterSettings;
import dev.vantage.lease.LeaseSettings;
import dev.vantage.probe.warm.WarmUpSettings;
import dev.vantage.testing.DatacenterSeed;
import dev.vantage.testing.PostgresExtension;
import dev.vantage.testing.PostgresExtension.Fresh;
import dev.vantage.testing.TestDatabase;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The agent's warm-up (VANTAGE_WARMUP): it runs before the first slot and is counted, it writes no heartbeat, one that
 * fails leaves the agent probing, and a standby repeats short rounds while it holds nothing.
 */
@ExtendWith(PostgresExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AgentWarmUpIT {
    private DemoTargets targets;

    @BeforeAll
    void startTargets() {
        targets = DemoTargets.start();
    }

    @AfterAll
    void stopTargets() {
        targets.close();
    }

    private static AgentSettings settings(TestDatabase db, String name, WarmUpSettings warmUp) {
        return new AgentSettings(
                db.connection(),
                "VA",
                name,
                16,
                Duration.ofSeconds(60),
                Duration.ofSeconds(3),
                Duration.ofSeconds(5),
                HeartbeatWriterSettings.DEFAULTS
                        .withLinger(Duration.ofMillis(20))
                        .withJournalDir(null),
                LeaseSettings.DEFAULTS,
                warmUp);
    }

    private static double runs(MeterRegistry meters, String when, String outcome) {
        var counter = meters.find(Meters.WARMUP_RUNS)
                .tags("when", when, "outcome", outcome)
                .counter();
        return counter == null ? 0 : counter.count();
    }

    @Test
    void anAgentWarmsUpBeforeItsFirstSlotAndWritesNoHeartbeatForIt(@Fresh TestDatabase db) {
        var seed = DatacenterSeed.seed(db, "VA", targets.httpUrl("/fast"), 1, Duration.ofSeconds(1));
        long monitor = seed.monitorIds().getFirst();
        var meters = new SimpleMeterRegistry();

        // A budget no loaded machine overruns: this test is about what the warm-up does, not how fast (a cold JVM under
        // a full suite took over the default 5 s)
        var patient = WarmUpSettings.DEFAULTS.withBudget(Duration.ofSeconds(60));
        try (var agent = Agent.start(settings(db, "warm", patient), meters, Clock.systemUTC())) {
            // Agent.start returns after the warm-up: it has run, whole, once
            assertThat(runs(meters, "start", "complete")).isEqualTo(1);
            assertThat(meters.counter(Meters.WARMUP_PROBES).count()).isGreaterThanOrEqualTo(300);

            await().atMost(Duration.ofSeconds(10))
                    .until(() -> db.count("SELECT count(*) FROM api_heartbeats WHERE monitor_id = ?", monitor) >= 2);
        }
        // hundreds of warm-up probes, and every row is the one monitor's
        assertThat(db.count("SELECT count(*) FROM api_heartbeats WHERE monitor_id <> ?", monitor))
                .isZero();
        assertThat(db.count(
                        "SELECT count(*) FROM api_heartbeats WHERE remote_address IS NOT NULL"
                                + " AND remote_address NOT LIKE ?",
                        "127.0.0.1:" + java.net.URI.create(targets.httpUrl("/")).getPort()))
                .isZero();
    }

    @Test
    void aWarmUpThatFailsLeavesTheAgentProbing(@Fresh TestDatabase db) {
        var seed = DatacenterSeed.seed(db, "VA", targets.httpUrl("/fast"), 1, Duration.ofSeconds(1));
        long monitor = seed.monitorIds().getFirst();
        var meters = new SimpleMeterRegistry();
        // a budget no warm-up can keep: the run is cut short, as one that hangs or cannot bind would be
        var cutShort = WarmUpSettings.DEFAULTS.withBudget(Duration.ofMillis(1));

        try (var agent = Agent.start(settings(db, "cut-short", cutShort), meters, Clock.systemUTC())) {
            assertThat(runs(meters, "start", "incomplete")).isEqualTo(1);
            await().atMost(Duration.ofSeconds(10))
                    .until(() ->
                            db.count("SELECT count(*) FROM api_heartbeats WHERE monitor_id = ? AND success", monitor)
                                    >= 2);
        }
    }

    @Test
    void anAgentWithTheWarmUpOffRunsNone(@Fresh TestDatabase db) {
        var seed = DatacenterSeed.seed(db, "VA", targets.httpUrl("/fast"), 1, Duration.ofSeconds(1));
        var meters = new SimpleMeterRegistry();

        try (var agent = Agent.start(settings(db, "cold", WarmUpSettings.OFF), meters, Clock.systemUTC())) {
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> db.count(
                                    "SELECT count(*) FROM api_heartbeats WHERE monitor_id = ?",
                                    seed.monitorIds().getFirst())
                            >= 1);
            assertThat(meters.find(Meters.WARMUP_RUNS).counters()).isEmpty();
        }
    }

    @Test
    void aStandbyRunsShortRoundsWhileItHoldsNothingAndTheLeaderNone(@Fresh TestDatabase db) {
        DatacenterSeed.seed(db, "VA", targets.httpUrl("/fast"), 1, Duration.ofSeconds(1));
        var everySecond = WarmUpSettings.DEFAULTS.withIdleEvery(Duration.ofSeconds(1));
        var leaderMeters = new SimpleMeterRegistry();
        var standbyMeters = new SimpleMeterRegistry();

        try (var leader = Agent.start(settings(db, "leader", everySecond), leaderMeters, Clock.systemUTC())) {
            await().atMost(Duration.ofSeconds(10))
                    .until(() ->
                            db.count("SELECT count(*) FROM api_heartbeats WHERE agent_id = ?", leader.agentId()) >= 1);
            try (var standby = Agent.start(settings(db, "standby", everySecond), standbyMeters, Clock.systemUTC())) {
                await().atMost(Duration.ofSeconds(20)).until(() -> runs(standbyMeters, "idle", "complete") >= 2);
                assertThat(runs(leaderMeters, "idle", "complete") + runs(leaderMeters, "idle", "incomplete"))
                        .isZero();
                assertThat(db.count("SELECT count(*) FROM api_heartbeats WHERE agent_id = ?", standby.agentId()))
                        .isZero();
            }
        }
    }
}
