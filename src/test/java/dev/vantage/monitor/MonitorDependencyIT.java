package dev.vantage.monitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.vantage.agent.Agent;
import dev.vantage.agent.AgentSettings;
import dev.vantage.heartbeat.HeartbeatWriterSettings;
import dev.vantage.lease.LeaseSettings;
import dev.vantage.testing.HttpReceiver;
import dev.vantage.testing.HttpReceiver.Answer;
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
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Dependencies end to end on loopback: a real agent probes a "database" and two APIs that depend on it, a real monitor
 * module evaluates the heartbeats, and two webhook channels get what people would be told: the database's notices
 * only, listing the APIs it suppressed.
 */
@ExtendWith(PostgresExtension.class)
class MonitorDependencyIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final AtomicBoolean databaseDown = new AtomicBoolean();
    private final AtomicBoolean apisDown = new AtomicBoolean();
    private final List<AutoCloseable> running = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (int i = running.size() - 1; i >= 0; i--) {
            running.get(i).close();
        }
    }

    /** /db fails while {@link #databaseDown}, /api-a and /api-b while {@link #apisDown}. */
    private String targets() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        server.createContext("/db", exchange -> {
            try (exchange) {
                exchange.sendResponseHeaders(databaseDown.get() ? 503 : 200, -1);
            }
        });
        server.createContext("/api-", exchange -> {
            try (exchange) {
                exchange.sendResponseHeaders(apisDown.get() ? 502 : 200, -1);
            }
        });
        server.start();
        running.add(() -> server.stop(0));
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private void agent(TestDatabase db, String code) {
        var settings = new AgentSettings(
                db.connection(),
                code,
                "dep-" + code,
                64,
                Duration.ofSeconds(30),
                Duration.ofSeconds(2),
                Duration.ofSeconds(10),
                HeartbeatWriterSettings.DEFAULTS.withShutdownDeadline(Duration.ofSeconds(3)),
                LeaseSettings.DEFAULTS);
        running.add(Agent.start(settings, new SimpleMeterRegistry(), Clock.systemUTC()));
    }

    private static String state(TestDatabase db, int monitorId) {
        return db.jdbi().withHandle(h -> h.createQuery(
                        "SELECT state FROM monitor_states WHERE monitor_id = :id AND datacenter_id IS NULL")
                .bind("id", monitorId)
                .mapTo(String.class)
                .findOne()
                .orElse(null));
    }

    @Test
    void aDatabaseAndTwoDependentApisFailingSendOneNoticePerChannelListingBothApis(@Fresh TestDatabase db)
            throws Exception {
        String base = targets();
        try (var ops = HttpReceiver.start();
                var oncall = HttpReceiver.start()) {
            db.execute("INSERT INTO regions (name, region_code) VALUES ('Everywhere', 'all')");
            db.execute("INSERT INTO datacenters (id, code, region_id) VALUES (1, 'VA', 1)");
            db.execute("INSERT INTO schedules (id, name, interval) VALUES (1, 'every second', 1)");
            db.execute(
                    "INSERT INTO api_monitors (id, name, url, schedule_id, down_after, up_after) VALUES"
                            + " (1, 'database', ? || '/db', 1, 2, 1),"
                            + " (2, 'api-a', ? || '/api-a', 1, 2, 1),"
                            + " (3, 'api-b', ? || '/api-b', 1, 2, 1)",
                    base,
                    base,
                    base);
            db.execute("INSERT INTO datacenter_monitors (datacenter_id, monitor_id) VALUES (1, 1), (1, 2), (1, 3)");
            db.execute("INSERT INTO monitor_dependencies (monitor_id, depends_on) VALUES (2, 1), (3, 1)");
            db.execute(
                    "INSERT INTO notification_channels (name, type, settings, is_default, group_seconds) VALUES"
                            + " ('ops', 'webhook', jsonb_build_object('url', ?::text), true, 0),"
                            + " ('oncall', 'webhook', jsonb_build_object('url', ?::text), true, 0)",
                    ops.uri("/hook").toString(),
                    oncall.uri("/hook").toString());
            agent(db, "VA");
            var monitor = MonitorModule.start(
                    MonitorSettings.defaults(db.connection(), "dep-monitor").withLease(LeaseSettings.DEFAULTS),
                    new SimpleMeterRegistry(),
                    Clock.systemUTC());
            running.add(monitor);
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> List.of(1, 2, 3).stream().allMatch(id -> "UP".equals(state(db, id))));

            // The receivers refuse until the APIs are suppressed, so the database's FIRING is sent by a later
            // claim: what it lists is read at the claim, not when it was enqueued.
            for (var receiver : List.of(ops, oncall)) {
                receiver.answer(Answer.status(503).withHeader("Retry-After", "1"));
            }
            databaseDown.set(true);
            await().atMost(Duration.ofSeconds(20)).until(() -> "DOWN".equals(state(db, 1)));
            apisDown.set(true);
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> db.count("SELECT count(*) FROM incidents WHERE suppressed_by IS NOT NULL") == 2);
            for (var receiver : List.of(ops, oncall)) {
                receiver.answer(204);
            }
            await().atMost(Duration.ofSeconds(40))
                    .until(() -> ops.accepted().size() == 1 && oncall.accepted().size() == 1);

            assertThat(state(db, 2)).isEqualTo("DOWN");
            assertThat(state(db, 3)).isEqualTo("DOWN");
            long database = db.count("SELECT id FROM incidents WHERE monitor_id = 1");
            assertThat(db.count(
                            "SELECT count(*) FROM incidents WHERE monitor_id IN (2, 3) AND suppressed_by = ?"
                                    + " AND NOT notified AND scope = 'global'",
                            database))
                    .isEqualTo(2);
            assertThat(db.count("SELECT count(*) FROM notifications")).isEqualTo(2);
            assertThat(db.count("SELECT count(*) FROM notifications WHERE incident_id <> ?", database))
                    .isZero();
            for (var receiver : List.of(ops, oncall)) {
                JsonNode data =
                        JSON.readTree(receiver.accepted().getFirst().body()).get("data");
                assertThat(data.get("event").asText()).isEqualTo("firing");
                assertThat(data.get("monitor_name").asText()).isEqualTo("database");
                assertThat(data.get("suppressed"))
                        .extracting(d -> d.get("monitor_name").asText())
                        .containsExactly("api-a", "api-b");
                assertThat(data.get("suppressed"))
                        .extracting(d -> d.get("dedup_key").asText())
                        .allMatch(k -> k.matches("vantage-incident-\\d+"));
                assertThat(data.get("summary").asText())
                        .endsWith(", and 2 dependent monitors suppressed: api-a, api-b");
            }

            // The APIs recover first, silently; then the database, whose RESOLVED lists them again.
            apisDown.set(false);
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> db.count("SELECT count(*) FROM incidents WHERE monitor_id IN (2, 3)"
                                    + " AND resolved_at IS NOT NULL")
                            == 2);
            databaseDown.set(false);
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> ops.accepted().size() == 2 && oncall.accepted().size() == 2);
            for (var receiver : List.of(ops, oncall)) {
                JsonNode data = JSON.readTree(receiver.accepted().get(1).body()).get("data");
                assertThat(data.get("event").asText()).isEqualTo("resolved");
                assertThat(data.get("monitor_name").asText()).isEqualTo("database");
                assertThat(data.get("suppressed"))
                        .extracting(d -> d.get("monitor_name").asText())
                        .containsExactly("api-a", "api-b");
            }
            assertThat(db.count("SELECT count(*) FROM notifications WHERE incident_id <> ?", database))
                    .isZero();
        }
    }

    @Test
    void aCycleOrASelfDependencyIsRefusedNamingTheMonitors(@Fresh TestDatabase db) {
        db.execute("INSERT INTO schedules (id, name, interval) VALUES (1, 'every minute', 60)");
        db.execute("INSERT INTO api_monitors (id, name, url, schedule_id) VALUES"
                + " (1, 'database', 'http://127.0.0.1:1/', 1),"
                + " (2, 'api', 'http://127.0.0.1:2/', 1),"
                + " (3, 'site', 'http://127.0.0.1:3/', 1)");
        db.execute("INSERT INTO monitor_dependencies (monitor_id, depends_on) VALUES (3, 2), (2, 1)");

        assertThatThrownBy(() -> db.execute("INSERT INTO monitor_dependencies VALUES (1, 3)"))
                .hasMessageContaining("monitor 1 (database) cannot depend on monitor 3 (site): that closes the cycle"
                        + " database (1) -> site (3) -> api (2) -> database (1)");
        assertThatThrownBy(() -> db.execute("INSERT INTO monitor_dependencies VALUES (2, 2)"))
                .hasMessageContaining("monitor_dependencies_not_self");
        assertThat(db.count("SELECT count(*) FROM monitor_dependencies")).isEqualTo(2);

        db.execute("DELETE FROM api_monitors WHERE id = 2");
        assertThat(db.count("SELECT count(*) FROM monitor_dependencies")).isZero();
    }
}
