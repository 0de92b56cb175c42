package dev.vantage.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The harness that runs the packaged agent: its environment, its logs and the signals it sends. */
@ExtendWith(PostgresExtension.class)
@Timeout(120)
class AgentProcessIT {

    @Test
    void theEnvironmentIsExactlyTheOneGivenAndStderrIsReadable(@TempDir Path dir) {
        try (var agent = AgentProcess.start("no-db", Map.of("DATACENTER_ID", "VA"), dir)) {
            assertThat(agent.awaitExit(Duration.ofSeconds(60))).isEqualTo(2);
            assertThat(agent.awaitLog("DB_CONN_STRING is not set", Duration.ofSeconds(1)))
                    .startsWith("vantage agent: DB_CONN_STRING is not set");
        }
    }

    @Test
    void stopContinueAndKillReachTheAgentJvm(TestDatabase db, @TempDir Path dir) {
        db.execute("INSERT INTO datacenters (code, name) VALUES ('VA', 'Virginia')");
        try (var agent = AgentProcess.start("signals", env(db, "VA", dir), dir)) {
            String started = agent.awaitLog("started for datacenter VA", Duration.ofSeconds(60));
            assertThat(started).startsWith("Agent signals (id ");
            assertThat(agent.logLines()).allSatisfy(line -> assertThat(line).startsWith("{"));

            agent.sigstop();
            await().atMost(Duration.ofSeconds(5)).until(() -> agent.state().orElseThrow() == 'T');
            agent.sigcont();
            await().atMost(Duration.ofSeconds(5)).until(() -> agent.state().orElseThrow() != 'T');
            assertThat(agent.isAlive()).isTrue();

            agent.sigkill();
            assertThat(agent.isAlive()).isFalse();
            assertThat(agent.awaitExit(Duration.ofSeconds(1))).isEqualTo(137);
            assertThat(agent.state()).isEmpty();
        }
    }

    @Test
    void sigtermStopsTheAgentGracefully(TestDatabase db, @TempDir Path dir) {
        db.execute("INSERT INTO datacenters (code, name) VALUES ('NY', 'New York')");
        try (var agent = AgentProcess.start("graceful", env(db, "NY", dir), dir)) {
            // Not just "started": the shutdown hook is installed once the agent has started its loops, and a SIGTERM
            // before that ends the JVM without a graceful stop.
            agent.awaitLog("Acquired lock for datacenter:NY", Duration.ofSeconds(60));
            await().atMost(Duration.ofSeconds(5))
                    .until(() ->
                            db.count("SELECT count(*) FROM agents WHERE name = 'graceful' AND role = 'leader'") == 1);

            agent.sigterm();

            // 128 + 15: the JVM's status after SIGTERM, once its shutdown hooks have run.
            assertThat(agent.awaitExit(Duration.ofSeconds(30))).isEqualTo(143);
            assertThat(agent.findLog("Released lock for datacenter:NY"))
                    .as(agent.tail())
                    .isPresent();
            assertThat(agent.findLog("Agent stopped")).as(agent.tail()).isPresent();
        }
    }

    /**
     * The journal in the test's own directory: the default, under the system temporary directory and named after the
     * server's port and database, outlives the run and could be replayed into a later run's database of the same name.
     */
    private static Map<String, String> env(TestDatabase db, String datacenter, Path dir) {
        var env = AgentProcess.env(db.libpqUrl(), datacenter);
        env.put("VANTAGE_JOURNAL_DIR", dir.resolve("journal").toString());
        return env;
    }
}
