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
import java.util.concurrent.Executors;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Slow-response alerts end to end on loopback: real agents probe a target that delays its first byte, a real monitor
 * module judges the {@code time_to_first_byte_ms} phase against {@code phase_thresholds}, and a webhook receiver gets
 * one {@code degraded} notice, then one {@code recovered} once the target is fast again.
 */
@ExtendWith(PostgresExtension.class)
class SlowResponseEndToEndIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern DATACENTER = Pattern.compile("\\(datacenter (\\w+)\\)");
    /** How long the target holds its first byte for a slow datacenter: twice the threshold of 150 ms. */
    private static final Duration DELAY = Duration.ofMillis(300);

    /** Datacenters whose probes the target answers late. */
    private final Set<String> slow = ConcurrentHashMap.newKeySet();

    private final List<AutoCloseable> running = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (int i = running.size() - 1; i >= 0; i--) {
            running.get(i).close();
        }
    }

    /** 200 for every probe, after {@link #DELAY} for a datacenter in {@link #slow}. */
    private String target() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        var executor = Executors.newVirtualThreadPerTaskExecutor();
        server.setExecutor(executor);
        server.createContext("/health", exchange -> {
            try (exchange) {
                var m = DATACENTER.matcher(
                        String.valueOf(exchange.getRequestHeaders().getFirst("User-Agent")));
                if (m.find() && slow.contains(m.group(1))) {
                    try {
                        Thread.sleep(DELAY);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                exchange.sendResponseHeaders(200, -1);
            }
        });
        server.start();
        running.add(executor::close);
        running.add(() -> server.stop(0));
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/health";
    }

    private void agent(TestDatabase db, String code) {
        var settings = new AgentSettings(
                db.connection(),
                code,
                "slow-" + code,
                64,
                Duration.ofSeconds(30),
                Duration.ofSeconds(2),
                Duration.ofSeconds(10),
                HeartbeatWriterSettings.DEFAULTS.withShutdownDeadline(Duration.ofSeconds(3)),
                LeaseSettings.DEFAULTS);
        running.add(Agent.start(settings, new SimpleMeterRegistry(), Clock.systemUTC()));
    }

    /** Monitor 1 probed every second from {@code codes} (ids 1, 2, ...): DEGRADED after 2 slow, notified 2 slots on. */
    private HttpReceiver setUp(TestDatabase db, List<String> codes) throws IOException {
        String url = target();
        var receiver = HttpReceiver.start();
        running.add(receiver);
        db.execute("INSERT INTO regions (name, region_code) VALUES ('Everywhere', 'all')");
        db.execute("INSERT INTO schedules (id, name, interval) VALUES (1, 'every second', 1)");
        db.execute(
                "INSERT INTO api_monitors (id, name, url, schedule_id, degraded_after, notify_degraded_after)"
                        + " VALUES (1, 'checkout', ?, 1, 2, 2)",
                url);
        for (int i = 0; i < codes.size(); i++) {
            db.execute("INSERT INTO datacenters (id, code, region_id) VALUES (?, ?, 1)", i + 1, codes.get(i));
            db.execute("INSERT INTO datacenter_monitors (datacenter_id, monitor_id) VALUES (?, 1)", i + 1);
        }
        db.execute(
                "INSERT INTO notification_channels (name, type, settings, is_default, group_seconds)"
                        + " VALUES ('hook', 'webhook', jsonb_build_object('url', ?::text), true, 0)",
                receiver.uri("/hook").toString());
        return receiver;
    }

    private void start(TestDatabase db, List<String> codes) {
        for (String code : codes) {
            agent(db, code);
        }
        running.add(MonitorModule.start(
                MonitorSettings.defaults(db.connection(), "slow-monitor").withLease(LeaseSettings.DEFAULTS),
                new SimpleMeterRegistry(),
                Clock.systemUTC()));
    }

    @Test
    void aSlowFirstByteIsNotifiedOnceAsDegradedAndOnceAsRecovered(@Fresh TestDatabase db) throws Exception {
        var receiver = setUp(db, List.of("VA"));
        db.execute("INSERT INTO phase_thresholds (monitor_id, phase, warning_ms)"
                + " VALUES (1, 'time_to_first_byte_ms', 150)");
        start(db, List.of("VA"));
        await().atMost(Duration.ofSeconds(30)).until(() -> "UP".equals(Evaluated.globalState(db)));

        slow.add("VA");
        await().atMost(Duration.ofSeconds(30)).until(() -> receiver.accepted().size() >= 1);
        assertThat(Evaluated.globalState(db)).isEqualTo("DEGRADED");
        assertThat(datacenterDetails(db, 1))
                .matches("first byte slow in VA: time_to_first_byte_ms \\d+(\\.\\d)? > 150 \\(2 in a row\\)");

        slow.clear();
        await().atMost(Duration.ofSeconds(30)).until(() -> receiver.accepted().size() >= 2);
        await().atMost(Duration.ofSeconds(10)).until(() -> "UP".equals(Evaluated.globalState(db)));
        Evaluated.awaitEvaluatedPast(db, Evaluated.latestHeartbeat(db) + 3);

        List<JsonNode> bodies = bodies(receiver);
        assertThat(bodies)
                .extracting(b -> b.get("type").asText())
                .containsExactly("incident.degraded", "incident.recovered");
        JsonNode degraded = bodies.get(0).get("data");
        JsonNode recovered = bodies.get(1).get("data");
        assertThat(degraded.get("kind").asText()).isEqualTo("degraded");
        assertThat(degraded.get("summary").asText())
                .matches("checkout is DEGRADED: first byte slow in VA: time_to_first_byte_ms \\d+(\\.\\d)? > 150"
                        + " \\(3 in a row\\)");
        assertThat(degraded.get("dedup_key").asText())
                .matches("vantage-degraded-\\d+")
                .isEqualTo(recovered.get("dedup_key").asText());
        assertThat(recovered.get("summary").asText()).startsWith("checkout is fast again after ");
        assertThat(db.count("SELECT count(*) FROM incidents WHERE kind = 'degraded' AND resolved_at IS NOT NULL"))
                .isEqualTo(1);
        assertThat(db.count("SELECT count(*) FROM incidents WHERE kind <> 'degraded'"))
                .isZero();
        String stored = db.jdbi()
                .withHandle(h -> h.createQuery("SELECT dedup_key FROM incidents WHERE kind = 'degraded'")
                        .mapTo(String.class)
                        .one());
        assertThat(stored).isEqualTo(degraded.get("dedup_key").asText());
    }

    @Test
    void aDatacentersOwnThresholdKeepsItQuietWhileTheOtherIsSlow(@Fresh TestDatabase db) throws Exception {
        var receiver = setUp(db, List.of("VA", "SYD"));
        // 150 ms everywhere, but VA (id 1) allows 2 s: the same delay is slow only in SYD.
        db.execute("INSERT INTO phase_thresholds (monitor_id, datacenter_id, phase, warning_ms)"
                + " VALUES (1, NULL, 'time_to_first_byte_ms', 150), (1, 1, 'time_to_first_byte_ms', 2000)");
        start(db, List.of("VA", "SYD"));
        await().atMost(Duration.ofSeconds(30)).until(() -> "UP".equals(Evaluated.globalState(db)));

        slow.addAll(List.of("VA", "SYD"));
        await().atMost(Duration.ofSeconds(30)).until(() -> receiver.accepted().size() >= 1);
        assertThat(datacenterState(db, 1)).isEqualTo("UP");
        assertThat(datacenterState(db, 2)).isEqualTo("DEGRADED");

        slow.clear();
        await().atMost(Duration.ofSeconds(30)).until(() -> receiver.accepted().size() >= 2);
        Evaluated.awaitEvaluatedPast(db, Evaluated.latestHeartbeat(db) + 3);

        List<JsonNode> bodies = bodies(receiver);
        assertThat(bodies)
                .extracting(b -> b.get("type").asText())
                .containsExactly("incident.degraded", "incident.recovered");
        assertThat(bodies.get(0).at("/data/summary").asText()).contains("first byte slow in SYD");
        assertThat(bodies.get(0).at("/data/datacenters"))
                .extracting(JsonNode::asText)
                .containsExactly("SYD");
    }

    private static List<JsonNode> bodies(HttpReceiver receiver) throws IOException {
        List<JsonNode> bodies = new ArrayList<>();
        for (var r : receiver.accepted()) {
            bodies.add(JSON.readTree(r.body()));
        }
        return bodies;
    }

    private static String datacenterState(TestDatabase db, int datacenterId) {
        return datacenterColumn(db, datacenterId, "state");
    }

    private static String datacenterDetails(TestDatabase db, int datacenterId) {
        return datacenterColumn(db, datacenterId, "details");
    }

    private static String datacenterColumn(TestDatabase db, int datacenterId, String column) {
        return db.jdbi().withHandle(h -> h.createQuery(
                        "SELECT " + column + " FROM monitor_states WHERE monitor_id = 1 AND datacenter_id = :dc")
                .bind("dc", datacenterId)
                .mapTo(String.class)
                .one());
    }
}
