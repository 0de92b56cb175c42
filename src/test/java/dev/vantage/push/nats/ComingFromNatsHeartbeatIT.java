package dev.vantage.push.nats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vantage.beat.Rfc3339;
import dev.vantage.monitor.MonitorModule;
import dev.vantage.monitor.MonitorSettings;
import dev.vantage.push.PushIngest;
import dev.vantage.push.PushSettings;
import dev.vantage.testing.HttpReceiver;
import dev.vantage.testing.NatsServer;
import dev.vantage.testing.PostgresExtension;
import dev.vantage.testing.PostgresExtension.Fresh;
import dev.vantage.testing.TestDatabase;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.nats.client.Nats;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A Go nats-heartbeat agent's publisher, unchanged, watched by Vantage instead of the Go monitor: its messages
 * register a push monitor, its silence past interval + grace is DOWN (MISSED) with one firing webhook, and its beats
 * coming back resolve it.
 */
@ExtendWith(PostgresExtension.class)
class ComingFromNatsHeartbeatIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SUBJECT = "heartbeat.service.api";

    /** What {@code go run ./cmd/agent -subject heartbeat.service.api -interval 1s -grace 2s} publishes. */
    private static byte[] goAgentBeat() {
        return ("{\"subject\":\"" + SUBJECT + "\",\"generated_at\":\"" + Rfc3339.format(Instant.now())
                        + "\",\"interval\":1000000000,\"grace_period\":2000000000,\"description\":\"API service\"}")
                .getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void silencePastIntervalPlusGraceFiresOnceAndBeatsComingBackResolve(@Fresh TestDatabase db) throws Exception {
        var running = new ArrayList<AutoCloseable>();
        try (var receiver = HttpReceiver.start();
                var nats = NatsServer.create();
                var publisher = Nats.connect(nats.url());
                var ticks = Executors.newSingleThreadScheduledExecutor()) {
            // Everything stops before the agent, the receiver and the server go: their going is no outage to report.
            try {
                db.execute(
                        "INSERT INTO notification_channels (name, type, settings, is_default, group_seconds)"
                                + " VALUES ('hook', 'webhook', jsonb_build_object('url', ?::text), true, 0)",
                        receiver.uri("/hook").toString());
                var clock = Clock.systemUTC();
                var meters = new SimpleMeterRegistry();
                running.add(MonitorModule.start(MonitorSettings.defaults(db.connection(), "from-go"), meters, clock));
                var push = PushIngest.start(PushSettings.DEFAULTS, db.connection(), "from-go", meters, clock);
                running.add(push);
                running.add(NatsIngest.start(
                        NatsIngestSettings.of(nats.url(), null, null, null, null), push, "from-go", meters, clock));

                ScheduledFuture<?> agent = ticks.scheduleAtFixedRate(
                        () -> publisher.publish(SUBJECT, goAgentBeat()), 0, 1, TimeUnit.SECONDS);
                await().atMost(Duration.ofSeconds(15)).until(() -> "UP".equals(state(db)));
                assertThat(db.count(
                                "SELECT count(*) FROM api_monitors m JOIN schedules s ON s.id = m.schedule_id"
                                        + " WHERE m.push_subject = ? AND m.name = 'API service' AND s.interval = 1"
                                        + " AND m.grace_seconds = 2",
                                SUBJECT))
                        .isEqualTo(1);

                agent.cancel(false);
                await().atMost(Duration.ofSeconds(10))
                        .until(() -> receiver.accepted().size() >= 1);
                assertThat(state(db)).isEqualTo("DOWN");
                assertThat(db.count("SELECT count(*) FROM incidents WHERE error_type = 'MISSED'"))
                        .isEqualTo(1);

                ticks.scheduleAtFixedRate(() -> publisher.publish(SUBJECT, goAgentBeat()), 0, 1, TimeUnit.SECONDS);
                await().atMost(Duration.ofSeconds(10))
                        .until(() -> receiver.accepted().size() >= 2);
                await().atMost(Duration.ofSeconds(5)).until(() -> "UP".equals(state(db)));

                List<JsonNode> bodies = new ArrayList<>();
                for (var r : receiver.accepted()) {
                    bodies.add(JSON.readTree(r.body()));
                }
                assertThat(bodies)
                        .extracting(b -> b.get("type").asText())
                        .containsExactly("incident.firing", "incident.resolved");
                assertThat(bodies.get(0).get("data").get("monitor_name").asText())
                        .isEqualTo("API service");
                assertThat(bodies.get(0).get("data").get("error_type").asText()).isEqualTo("MISSED");
            } finally {
                for (AutoCloseable c : running.reversed()) {
                    c.close();
                }
            }
        }
    }

    private static String state(TestDatabase db) {
        return db.jdbi().withHandle(h -> h.createQuery(
                        """
                        SELECT s.state FROM monitor_states s JOIN api_monitors m ON m.id = s.monitor_id
                        WHERE m.push_subject = :subject AND s.datacenter_id IS NULL
                        """)
                .bind("subject", SUBJECT)
                .mapTo(String.class)
                .findOne()
                .orElse(null));
    }
}
