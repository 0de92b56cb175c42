package dev.vantage.push;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vantage.monitor.MonitorModule;
import dev.vantage.monitor.MonitorSettings;
import dev.vantage.testing.HttpReceiver;
import dev.vantage.testing.PostgresExtension;
import dev.vantage.testing.PostgresExtension.Fresh;
import dev.vantage.testing.RedisServer;
import dev.vantage.testing.RedisSubscriber;
import dev.vantage.testing.TestDatabase;
import dev.vantage.web.HttpAuth;
import dev.vantage.web.WebServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The Ruby Heartbeat gem's set-up, watched by Vantage: each node's {@code update_heartbeat} is a ping of its push
 * monitor, the gem's {@code timeout} is the monitor's period plus grace, a node that stops is DOWN (the gem's
 * {@code inactive}) and one that reports a failure is DOWN with FAIL ({@code failed}); the failure reaches a
 * {@code redis} channel (the gem's RedisNotifier, PUBLISH on {@code heartbeat_channel}) and a {@code webhook} channel
 * (its {@code on_failure} callback).
 */
@ExtendWith(PostgresExtension.class)
@Timeout(60)
class ComingFromHeartbeatGemIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CHANNEL = "heartbeat_channel";
    private static final Duration NOTICE_WITHIN = Duration.ofSeconds(10);

    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    @Test
    void aNodeThatStopsOrFailsIsDownAndTheFailureReachesTheRedisChannelAndTheCallback(@Fresh TestDatabase db)
            throws Exception {
        var running = new ArrayList<AutoCloseable>();
        try (var redis = RedisServer.create();
                var subscriber = RedisSubscriber.on(redis, CHANNEL);
                var onFailure = HttpReceiver.start();
                var ticks = Executors.newScheduledThreadPool(2)) {
            try {
                // config.timeout = 2: a node beats every second, and may be a second late.
                db.execute("INSERT INTO schedules (id, name, interval) VALUES (1, 'every second', 1)");
                Map<String, String> tokens = new ConcurrentHashMap<>();
                for (String node : new String[] {"node1", "node2"}) {
                    tokens.put(node, db.jdbi().withHandle(h -> h.createQuery(
                                    "INSERT INTO api_monitors (name, type, schedule_id,"
                                            + " grace_seconds) VALUES (?, 'push', 1, 1) RETURNING push_token")
                            .bind(0, node)
                            .mapTo(String.class)
                            .one()));
                }
                // Heartbeat::Notifiers::RedisNotifier.new('redis://…', 'heartbeat_channel'), and on_failure.
                db.execute(
                        "INSERT INTO notification_channels (name, type, settings, is_default, group_seconds) VALUES"
                                + " ('heartbeat_channel', 'redis', jsonb_build_object('url', ?::text, 'channel',"
                                + " ?::text), true, 0), ('on_failure', 'webhook', jsonb_build_object('url', ?::text),"
                                + " true, 0)",
                        redis.url(),
                        CHANNEL,
                        onFailure.uri("/on_failure").toString());
                var clock = Clock.systemUTC();
                var meters = new SimpleMeterRegistry();
                running.add(MonitorModule.start(MonitorSettings.defaults(db.connection(), "gem"), meters, clock));
                var push = PushIngest.start(PushSettings.DEFAULTS, db.connection(), "gem", meters, clock);
                running.add(push);
                var web = WebServer.start("127.0.0.1", 0, HttpAuth.NONE);
                running.add(web);
                push.mount(web);

                // node.update_heartbeat, twice a second.
                Map<String, ScheduledFuture<?>> nodes = new ConcurrentHashMap<>();
                for (String node : tokens.keySet()) {
                    nodes.put(
                            node,
                            ticks.scheduleAtFixedRate(
                                    () -> ping(web, tokens.get(node), ""), 0, 500, TimeUnit.MILLISECONDS));
                }
                running.add(() -> nodes.values().forEach(f -> f.cancel(false)));
                await().atMost(Duration.ofSeconds(15))
                        .until(() -> "UP".equals(state(db, "node1")) && "UP".equals(state(db, "node2")));

                // node2 stops: inactive past the timeout.
                nodes.remove("node2").cancel(false);
                JsonNode inactive = notice(subscriber);
                assertThat(inactive.get("type").asText()).isEqualTo("incident.firing");
                assertThat(inactive.at("/data/monitor_name").asText()).isEqualTo("node2");
                assertThat(inactive.at("/data/error_type").asText()).isEqualTo("MISSED");
                assertThat(state(db, "node2")).isEqualTo("DOWN");
                await().atMost(NOTICE_WITHIN).until(() -> onFailure.accepted().size() >= 1);
                JsonNode callback =
                        JSON.readTree(onFailure.accepted().getFirst().body());
                assertThat(callback.get("type").asText()).isEqualTo("incident.firing");
                assertThat(callback.at("/data/monitor_name").asText()).isEqualTo("node2");

                // node1 reports a failure: failed.
                assertThat(ping(web, tokens.get("node1"), "/fail")).isEqualTo(200);
                JsonNode failed = notice(subscriber);
                assertThat(failed.get("type").asText()).isEqualTo("incident.firing");
                assertThat(failed.at("/data/monitor_name").asText()).isEqualTo("node1");
                assertThat(failed.at("/data/error_type").asText()).isEqualTo("FAIL");
                assertThat(notice(subscriber).get("type").asText())
                        .as("node1's next heartbeat")
                        .isEqualTo("incident.resolved");
                assertThat(state(db, "node2")).as("still silent").isEqualTo("DOWN");
            } finally {
                for (AutoCloseable c : running.reversed()) {
                    c.close();
                }
            }
        }
    }

    /** A ping, as {@code curl -fsS -m 10 http://…/ping/<token>[/fail]}; its status, or -1 when it failed. */
    private int ping(WebServer web, String token, String suffix) {
        try {
            return http.send(
                            HttpRequest.newBuilder(URI.create(web.url() + "/ping/" + token + suffix))
                                    .timeout(Duration.ofSeconds(10))
                                    .GET()
                                    .build(),
                            HttpResponse.BodyHandlers.discarding())
                    .statusCode();
        } catch (Exception e) {
            return -1;
        }
    }

    private static JsonNode notice(RedisSubscriber subscriber) throws Exception {
        String message = subscriber.next(NOTICE_WITHIN);
        assertThat(message).as("a notice within %s", NOTICE_WITHIN).isNotNull();
        return JSON.readTree(message);
    }

    private static String state(TestDatabase db, String node) {
        return db.jdbi().withHandle(h -> h.createQuery(
                        """
                        SELECT s.state FROM monitor_states s JOIN api_monitors m ON m.id = s.monitor_id
                        WHERE m.name = :name AND s.datacenter_id IS NULL
                        """)
                .bind("name", node)
                .mapTo(String.class)
                .findOne()
                .orElse(null));
    }
}
