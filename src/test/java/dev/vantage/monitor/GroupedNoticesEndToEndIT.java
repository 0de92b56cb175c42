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
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.StreamSupport;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Grouped notices through the whole chain on loopback: a real agent probes three monitors of one backend, a real
 * monitor module evaluates their heartbeats, and the channel, with a window of a few seconds, hears of the backend's
 * outage once and of its recovery once, each notice listing the three incidents.
 */
@ExtendWith(PostgresExtension.class)
class GroupedNoticesEndToEndIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    private volatile boolean failing;
    private final List<AutoCloseable> running = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (int i = running.size() - 1; i >= 0; i--) {
            running.get(i).close();
        }
    }

    /** One backend behind three paths: 503 on all of them while {@link #failing}. */
    private String backend() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        server.createContext("/", exchange -> {
            try (exchange) {
                exchange.sendResponseHeaders(failing ? 503 : 200, -1);
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
                "grouped-" + code,
                64,
                Duration.ofSeconds(30),
                Duration.ofSeconds(2),
                Duration.ofSeconds(10),
                HeartbeatWriterSettings.DEFAULTS.withShutdownDeadline(Duration.ofSeconds(3)),
                LeaseSettings.DEFAULTS);
        running.add(Agent.start(settings, new SimpleMeterRegistry(), Clock.systemUTC()));
    }

    private static List<String> memberKeys(JsonNode body) {
        return StreamSupport.stream(body.at("/data/members").spliterator(), false)
                .map(m -> m.path("dedup_key").asText())
                .toList();
    }

    /**
     * Waits for the notifications of {@code event} of the three incidents opened after {@code baseline} to be
     * delivered; says where everything is if they are not.
     */
    private static void awaitDelivered(TestDatabase db, long baseline, String event) {
        try {
            // Generous: at a load of 20 (the whole suite in parallel) evaluation itself can lag by many seconds.
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> db.count(
                                    "SELECT count(*) FROM notifications WHERE incident_id > ? AND event = ?"
                                            + " AND status = 'delivered'",
                                    baseline,
                                    event)
                            == 3);
        } catch (ConditionTimeoutException e) {
            throw new AssertionError(
                    "three " + event + " notifications not delivered within 60 s; "
                            + db.jdbi().withHandle(h -> h.createQuery(
                                            """
                                    SELECT 'states: ' || (SELECT string_agg(monitor_id || ' ' || state, ', ')
                                                           FROM monitor_states WHERE datacenter_id IS NULL)
                                           || '; incidents: ' || coalesce((SELECT string_agg(id || ' ' || scope
                                                           || ' notified ' || notified, ', ') FROM incidents), '-')
                                           || '; notifications: ' || coalesce((SELECT string_agg(id || ' ' || event
                                                           || ' ' || status || ' group ' || coalesce(group_id::text, '-')
                                                           || ' ' || coalesce(last_error, ''), ', ') FROM notifications), '-')
                                    """)
                                    .mapTo(String.class)
                                    .one()),
                    e);
        }
    }

    @Test
    void threeMonitorsOfOneFailingBackendAreToldInOneNoticeAndTheirRecoveryInAnother(@Fresh TestDatabase db)
            throws Exception {
        String url = backend();
        try (var receiver = HttpReceiver.start()) {
            db.execute("INSERT INTO regions (name, region_code) VALUES ('Everywhere', 'all')");
            db.execute("INSERT INTO datacenters (id, code, region_id) VALUES (1, 'VA', 1)");
            db.execute("INSERT INTO schedules (id, name, interval) VALUES (1, 'every second', 1)");
            db.execute(
                    "INSERT INTO api_monitors (id, name, url, schedule_id, down_after, up_after) VALUES"
                            + " (1, 'checkout', ? || '/checkout', 1, 2, 2), (2, 'payments', ? || '/payments', 1, 2, 2),"
                            + " (3, 'search', ? || '/search', 1, 2, 2)",
                    url,
                    url,
                    url);
            db.execute("INSERT INTO datacenter_monitors (datacenter_id, monitor_id) VALUES (1, 1), (1, 2), (1, 3)");
            db.execute(
                    "INSERT INTO notification_channels (name, type, settings, is_default, group_seconds)"
                            + " VALUES ('hook', 'webhook', jsonb_build_object('url', ?::text), true, 5)",
                    receiver.uri("/hook").toString());
            agent(db, "VA");
            running.add(MonitorModule.start(
                    MonitorSettings.defaults(db.connection(), "grouped-monitor"),
                    new SimpleMeterRegistry(),
                    Clock.systemUTC()));
            // A quiet start: every monitor UP, no incident open, nothing to send (a probe that timed out under load
            // may have opened and closed one already; those are not this test's).
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> db.count("SELECT count(*) FROM monitor_states WHERE datacenter_id IS NULL"
                                            + " AND state = 'UP'")
                                    == 3
                            && db.count("SELECT count(*) FROM incidents WHERE resolved_at IS NULL") == 0
                            && db.count("SELECT count(*) FROM notifications WHERE status = 'pending'") == 0);
            long baseline = db.count("SELECT coalesce(max(id), 0) FROM incidents");
            int before = receiver.accepted().size();

            failing = true;
            awaitDelivered(db, baseline, "firing");
            failing = false;
            awaitDelivered(db, baseline, "resolved");

            List<JsonNode> bodies = new ArrayList<>();
            for (var r : receiver.accepted().subList(before, receiver.accepted().size())) {
                bodies.add(JSON.readTree(r.body()));
            }
            List<String> keys = db.jdbi()
                    .withHandle(h -> h.createQuery("SELECT dedup_key FROM incidents WHERE id > :baseline ORDER BY id")
                            .bind("baseline", baseline)
                            .mapTo(String.class)
                            .list());
            assertThat(keys).hasSize(3);
            JsonNode firing = bodies.stream()
                    .filter(b -> b.get("type").asText().equals("incident.firing"))
                    .findFirst()
                    .orElseThrow();
            JsonNode resolved = bodies.stream()
                    .filter(b -> b.get("type").asText().equals("incident.resolved"))
                    .findFirst()
                    .orElseThrow();
            assertThat(memberKeys(firing)).containsExactlyInAnyOrderElementsOf(keys);
            assertThat(memberKeys(resolved)).containsExactlyInAnyOrderElementsOf(keys);
            assertThat(firing.at("/data/summary").asText())
                    .startsWith("3 monitors DOWN: ")
                    .contains("checkout (VA)", "payments (VA)", "search (VA)");
            assertThat(resolved.at("/data/members"))
                    .allSatisfy(m -> assertThat(m.path("state").asText()).isEqualTo("UP"));
            assertThat(db.count("SELECT count(DISTINCT group_id) FROM notifications WHERE incident_id > ?", baseline))
                    .isEqualTo(2);
        }
    }
}
