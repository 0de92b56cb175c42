package dev.vantage.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.vantage.agent.Agent;
import dev.vantage.agent.AgentSettings;
import dev.vantage.config.ConfigurationException;
import dev.vantage.config.Environment;
import dev.vantage.demo.DemoTargets;
import dev.vantage.heartbeat.HeartbeatWriterSettings;
import dev.vantage.lease.LeaseSettings;
import dev.vantage.probe.warm.WarmUpSettings;
import dev.vantage.testing.PostgresExtension;
import dev.vantage.testing.TestDatabase;
import dev.vantage.web.Readiness;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Agents on one host, as the README's two replicas without containers: the agent's default HTTP port (injected here,
 * never the real 8081, which other test forks could hold) taken by another process is a warning and the agent runs
 * without its server; the same port set explicitly stops it. Each test uses its own datacenter.
 */
@ExtendWith(PostgresExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AgentsShareHostIT {
    private static final Duration WITHIN = Duration.ofSeconds(15);

    private TestDatabase db;
    private DemoTargets targets;
    private ListAppender<ILoggingEvent> log;
    private final Logger httpOptionsLogger = (Logger) org.slf4j.LoggerFactory.getLogger(HttpOptions.class);

    @BeforeAll
    void start(TestDatabase db) {
        this.db = db;
        targets = DemoTargets.start();
        db.execute("INSERT INTO regions (name, region_code, group_name) VALUES ('US East', 'us-east-1', 'US')");
        db.execute("INSERT INTO datacenters (code, name, region_id) VALUES ('VA', 'Virginia', 1), ('NY', 'New York', 1)"
                + ", ('CHI', 'Chicago', 1)");
    }

    @AfterAll
    void stop() {
        if (targets != null) {
            targets.close();
        }
    }

    @BeforeEach
    void captureLog() {
        log = new ListAppender<>();
        log.start();
        httpOptionsLogger.addAppender(log);
    }

    @AfterEach
    void releaseLog() {
        httpOptionsLogger.detachAppender(log);
    }

    @Test
    void aTakenDefaultPortIsOneWarningAndTheAgentProbesWithoutItsServer() throws Exception {
        long monitor = monitorIn("VA");
        try (var holder = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                var served = serve("VA", "agent-va", http(Map.of(), holder.getLocalPort()))) {
            assertThat(served.web()).isEmpty();
            awaitHeartbeatFrom(served.process(), monitor);
            assertThat(roleOf(served.process())).isEqualTo("leader");
        }

        assertThat(log.list).hasSize(1);
        var warning = log.list.getFirst();
        assertThat(warning.getLevel()).isEqualTo(Level.WARN);
        assertThat(warning.getFormattedMessage())
                .startsWith("No HTTP server (/healthz, /readyz, /metrics): 127.0.0.1:")
                .contains("is taken by another process, perhaps another agent on this host")
                .contains("VANTAGE_HTTP_PORT or --http-port");
    }

    @Test
    void aTakenPortSetExplicitlyStopsTheAgentWithTheSettingInTheMessage() throws Exception {
        try (var holder = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = holder.getLocalPort();
            var settings = http(Map.of("VANTAGE_HTTP_PORT", Integer.toString(port)), 9);

            assertThat(settings.explicitPort()).isTrue();
            assertThatThrownBy(() -> serve("NY", "agent-explicit", settings))
                    .isInstanceOf(ConfigurationException.class)
                    .hasMessage("cannot serve HTTP on 127.0.0.1:" + port + ": the port is already in use; set"
                            + " VANTAGE_HTTP_ADDRESS/--http-address and VANTAGE_HTTP_PORT/--http-port, or --no-http");
        }
        assertThat(db.count("SELECT count(*) FROM agents WHERE name = 'agent-explicit'"))
                .as("stopped before it connected")
                .isZero();
        assertThat(log.list).isEmpty();
    }

    @Test
    void twoAgentsWithDefaultSettingsOnOneHostBothRunAndOneServesHealthz() throws Exception {
        long monitor = monitorIn("CHI");
        int port = freePort();
        var settings = http(Map.of(), port);
        try (var first = serve("CHI", "agent-chi-1", settings);
                var second = serve("CHI", "agent-chi-2", settings)) {
            assertThat(first.web()).isPresent();
            assertThat(second.web()).isEmpty();
            assertThat(healthz(port)).isEqualTo(200);

            awaitHeartbeatFrom(first.process(), monitor);
            await().atMost(WITHIN)
                    .untilAsserted(() -> assertThat(List.of(roleOf(first.process()), roleOf(second.process())))
                            .containsExactly("leader", "standby"));
        }
        assertThat(log.list).hasSize(1);
    }

    @Test
    void theMonitorsServerStillFailsOnATakenDefaultPort() throws Exception {
        try (var holder = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            var settings = http(Map.of(), holder.getLocalPort());

            // What vantage monitor starts (Served.start without a policy): its server carries the status page and
            // pings.
            assertThatThrownBy(() -> HttpOptions.start(
                            settings,
                            new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
                            new Readiness(Readiness.DEFAULT_TIMEOUT)))
                    .isInstanceOf(ConfigurationException.class)
                    .hasMessageStartingWith(
                            "cannot serve HTTP on 127.0.0.1:" + holder.getLocalPort() + ": the port is already in use");
        }
        assertThat(log.list).isEmpty();
    }

    /** Settings as the agent command reads them from this environment, with {@code defaultPort} as its default. */
    private static dev.vantage.web.HttpSettings http(Map<String, String> env, int defaultPort) {
        return new HttpOptions().settings(Environment.of(env), defaultPort);
    }

    private Served<Agent> serve(String datacenter, String name, dev.vantage.web.HttpSettings http) {
        var settings = new AgentSettings(
                db.connection(),
                datacenter,
                name,
                16,
                Duration.ofSeconds(60),
                Duration.ofSeconds(3),
                Duration.ofSeconds(5),
                HeartbeatWriterSettings.DEFAULTS.withLinger(Duration.ofMillis(20)),
                LeaseSettings.DEFAULTS,
                WarmUpSettings.OFF);
        return AgentCommand.serve(
                settings, http, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), Clock.systemUTC());
    }

    private long monitorIn(String datacenter) {
        long schedule = db.count("INSERT INTO schedules (name, interval) VALUES (?, 1) RETURNING id", datacenter);
        long id = db.count(
                "INSERT INTO api_monitors (name, type, url, schedule_id) VALUES (?, 'http', ?, ?) RETURNING id",
                "fast-" + datacenter,
                targets.httpUrl("/fast"),
                schedule);
        db.execute(
                "INSERT INTO datacenter_monitors (datacenter_id, monitor_id)"
                        + " SELECT id, ? FROM datacenters WHERE code = ?",
                id,
                datacenter);
        return id;
    }

    private void awaitHeartbeatFrom(Agent agent, long monitor) {
        await().atMost(WITHIN)
                .until(() -> db.count(
                                "SELECT count(*) FROM api_heartbeats WHERE monitor_id = ? AND agent_id = ?",
                                monitor,
                                agent.agentId())
                        > 0);
    }

    private String roleOf(Agent agent) {
        return db.jdbi().withHandle(h -> h.createQuery("SELECT role FROM agents WHERE id = ?")
                .bind(0, agent.agentId())
                .mapTo(String.class)
                .one());
    }

    private static int freePort() throws IOException {
        try (var socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static int healthz(int port) throws Exception {
        try (var client = HttpClient.newHttpClient()) {
            return client.send(
                            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/healthz"))
                                    .timeout(Duration.ofSeconds(5))
                                    .build(),
                            HttpResponse.BodyHandlers.discarding())
                    .statusCode();
        }
    }
}
