package dev.vantage.monitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.vantage.agent.Agent;
import dev.vantage.agent.AgentSettings;
import dev.vantage.heartbeat.HeartbeatWriterSettings;
import dev.vantage.lease.LeaseSettings;
import dev.vantage.testing.HttpReceiver;
import dev.vantage.testing.PostgresExtension;
import dev.vantage.testing.PostgresExtension.Fresh;
import dev.vantage.testing.TestDatabase;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The whole chain on loopback: three real agents (VA, NY, LON) probe one target, a real monitor module evaluates their
 * heartbeats, and a webhook receiver gets what a person would be told. The target fails per datacenter (it reads the
 * agent's User-Agent), so one location can fail while the others succeed.
 */
@ExtendWith(PostgresExtension.class)
class MonitorEndToEndIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern DATACENTER = Pattern.compile("\\(datacenter (\\w+)\\)");

    private final Set<String> failing = ConcurrentHashMap.newKeySet();
    private final List<AutoCloseable> running = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (int i = running.size() - 1; i >= 0; i--) {
            running.get(i).close();
        }
    }

    /** 503 for probes from a datacenter in {@link #failing}, 200 for the others. */
    private String target() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        server.createContext("/health", exchange -> {
            try (exchange) {
                var m = DATACENTER.matcher(
                        String.valueOf(exchange.getRequestHeaders().getFirst("User-Agent")));
                boolean fail = m.find() && failing.contains(m.group(1));
                exchange.sendResponseHeaders(fail ? 503 : 200, -1);
            }
        });
        server.start();
        running.add(() -> server.stop(0));
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/health";
    }

    private static LeaseSettings fastLease() {
        return LeaseSettings.DEFAULTS;
    }

    private void agent(TestDatabase db, String code) {
        var settings = new AgentSettings(
                db.connection(),
                code,
                "e2e-" + code,
                64,
                Duration.ofSeconds(30),
                Duration.ofSeconds(2),
                Duration.ofSeconds(10),
                HeartbeatWriterSettings.DEFAULTS.withShutdownDeadline(Duration.ofSeconds(3)),
                fastLease());
        running.add(Agent.start(settings, new SimpleMeterRegistry(), Clock.systemUTC()));
    }

    @Test
    void oneFailingDatacenterIsAPartialOutageTwoFireOnceAndRecoveryResolvesWithTheSameKey(@Fresh TestDatabase db)
            throws Exception {
        String url = target();
        try (var receiver = HttpReceiver.start()) {
            db.execute("INSERT INTO regions (name, region_code) VALUES ('Everywhere', 'all')");
            db.execute(
                    "INSERT INTO datacenters (id, code, region_id) VALUES (1, 'VA', 1), (2, 'NY', 1), (3, 'LON', 1)");
            db.execute("INSERT INTO schedules (id, name, interval) VALUES (1, 'every second', 1)");
            db.execute(
                    "INSERT INTO api_monitors (id, name, url, schedule_id, down_after, up_after)"
                            + " VALUES (1, 'checkout', ?, 1, 2, 2)",
                    url);
            db.execute("INSERT INTO datacenter_monitors (datacenter_id, monitor_id) VALUES (1, 1), (2, 1), (3, 1)");
            db.execute(
                    "INSERT INTO notification_channels (name, type, settings, is_default, group_seconds)"
                            + " VALUES ('hook', 'webhook', jsonb_build_object('url', ?::text), true, 0)",
                    receiver.uri("/hook").toString());
            for (String dc : List.of("VA", "NY", "LON")) {
                agent(db, dc);
            }
            var monitor = MonitorModule.start(
                    MonitorSettings.defaults(db.connection(), "e2e-monitor").withLease(fastLease()),
                    new SimpleMeterRegistry(),
                    Clock.systemUTC());
            running.add(monitor);

            await().atMost(Duration.ofSeconds(30)).until(() -> "UP".equals(Evaluated.globalState(db)));

            failing.add("VA");
            await().atMost(Duration.ofSeconds(20)).until(() -> "PARTIAL".equals(Evaluated.globalState(db)));
            assertThat(db.count("SELECT count(*) FROM incidents WHERE scope = 'datacenter' AND resolved_at IS NULL"))
                    .isEqualTo(1);

            failing.add("NY");
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> receiver.accepted().size() >= 1);
            assertThat(Evaluated.globalState(db)).isEqualTo("DOWN");

            failing.clear();
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> receiver.accepted().size() >= 2);
            await().atMost(Duration.ofSeconds(10)).until(() -> "UP".equals(Evaluated.globalState(db)));

            List<JsonNode> bodies = new ArrayList<>();
            for (var r : receiver.accepted()) {
                bodies.add(JSON.readTree(r.body()));
            }
            assertThat(bodies)
                    .extracting(b -> b.get("type").asText())
                    .containsExactly("incident.firing", "incident.resolved");
            JsonNode firing = bodies.get(0).get("data");
            JsonNode resolved = bodies.get(1).get("data");
            assertThat(firing.get("dedup_key").asText())
                    .isEqualTo(resolved.get("dedup_key").asText())
                    .isEqualTo(receiver.accepted().get(0).header("vantage-dedup-key"));
            assertThat(firing.get("scope").asText()).isEqualTo("global");
            assertThat(firing.get("datacenters")).extracting(JsonNode::asText).containsExactly("NY", "VA");
            assertThat(firing.get("error_type").asText()).isEqualTo("HTTP_STATUS");
            assertThat(db.count("SELECT count(*) FROM incidents")).isEqualTo(1);
            assertThat(db.count("SELECT count(*) FROM incidents WHERE resolved_at IS NOT NULL AND scope = 'global'"))
                    .isEqualTo(1);
        }
    }

    @Test
    void aCertificateExpiringIn5DaysIsNotifiedOnceThroughManyHeartbeatsAndAMonitorRestart(@Fresh TestDatabase db)
            throws Exception {
        var ca = dev.vantage.testing.TestCa.create("Vantage e2e CA");
        try (var receiver = HttpReceiver.start();
                var server = dev.vantage.testing.TestCa.https(
                        ca.serverContext("localhost", Duration.ofDays(5).plusHours(1)),
                        java.util.Map.of("/", exchange -> {
                            try (exchange) {
                                exchange.sendResponseHeaders(200, -1);
                            }
                        }))) {
            db.execute("INSERT INTO regions (name, region_code) VALUES ('Everywhere', 'all')");
            db.execute("INSERT INTO datacenters (id, code, region_id) VALUES (1, 'VA', 1)");
            db.execute("INSERT INTO schedules (id, name, interval) VALUES (1, 'every second', 1)");
            db.execute(
                    "INSERT INTO api_monitors (id, name, url, schedule_id, settings)"
                            + " VALUES (1, 'shop', ?, 1, '{\"verify_tls\": false}')",
                    server.url("/"));
            db.execute("INSERT INTO datacenter_monitors (datacenter_id, monitor_id) VALUES (1, 1)");
            db.execute(
                    "INSERT INTO notification_channels (name, type, settings, is_default, group_seconds)"
                            + " VALUES ('hook', 'webhook', jsonb_build_object('url', ?::text), true, 0)",
                    receiver.uri("/hook").toString());
            agent(db, "VA");
            var settings =
                    MonitorSettings.defaults(db.connection(), "e2e-monitor").withLease(fastLease());
            var first = MonitorModule.start(settings, new SimpleMeterRegistry(), Clock.systemUTC());

            await().atMost(Duration.ofSeconds(30))
                    .until(() -> receiver.accepted().size() >= 1);
            Evaluated.awaitEvaluatedPast(db, Evaluated.latestHeartbeat(db) + 5);
            first.close();
            var second = MonitorModule.start(settings, new SimpleMeterRegistry(), Clock.systemUTC());
            running.add(second);
            Evaluated.awaitEvaluatedPast(db, Evaluated.latestHeartbeat(db) + 5);

            assertThat(db.count(
                            "SELECT count(*) FROM api_heartbeats WHERE details ->> 'cert_expiry_warning' IS NOT NULL"))
                    .isGreaterThan(10);
            assertThat(receiver.accepted()).hasSize(1);
            JsonNode notice = JSON.readTree(receiver.accepted().getFirst().body());
            assertThat(notice.get("type").asText()).isEqualTo("incident.certificate");
            assertThat(notice.at("/data/summary").asText())
                    .matches(
                            "the certificate of shop expires on \\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2} UTC \\(in 5 days\\)");
            assertThat(notice.at("/data/dedup_key").asText()).matches("vantage-certificate-1-\\d+");
            assertThat(db.count("SELECT count(*) FROM incidents WHERE kind = 'certificate' AND resolved_at IS NULL"))
                    .isEqualTo(1);
            assertThat(Evaluated.globalState(db)).isEqualTo("DEGRADED");
        }
    }
}
