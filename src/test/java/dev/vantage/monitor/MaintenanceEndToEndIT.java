package dev.vantage.monitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

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
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The measure, on loopback: a real agent probes a target that fails during a maintenance window, a real monitor
 * module evaluates, and a webhook receiver gets what a person would be told. Zero notifications during the window;
 * one FIRING at its end if the target is still down; nothing at all if it recovered inside it.
 */
@ExtendWith(PostgresExtension.class)
class MaintenanceEndToEndIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final AtomicBoolean failing = new AtomicBoolean();
    private final List<AutoCloseable> running = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (int i = running.size() - 1; i >= 0; i--) {
            running.get(i).close();
        }
    }

    private String target() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        server.createContext("/health", exchange -> {
            try (exchange) {
                exchange.sendResponseHeaders(failing.get() ? 503 : 200, -1);
            }
        });
        server.start();
        running.add(() -> server.stop(0));
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/health";
    }

    /** One datacenter (VA), one monitor probed every second (down after 2, up after 2), a default webhook. */
    private void start(TestDatabase db, HttpReceiver receiver) throws IOException {
        db.execute("INSERT INTO regions (name, region_code) VALUES ('Everywhere', 'all')");
        db.execute("INSERT INTO datacenters (id, code, region_id) VALUES (1, 'VA', 1)");
        db.execute("INSERT INTO schedules (id, name, interval) VALUES (1, 'every second', 1)");
        db.execute(
                "INSERT INTO api_monitors (id, name, url, schedule_id, down_after, up_after)"
                        + " VALUES (1, 'checkout', ?, 1, 2, 2)",
                target());
        db.execute("INSERT INTO datacenter_monitors (datacenter_id, monitor_id) VALUES (1, 1)");
        db.execute(
                "INSERT INTO notification_channels (name, type, settings, is_default, group_seconds)"
                        + " VALUES ('hook', 'webhook', jsonb_build_object('url', ?::text), true, 0)",
                receiver.uri("/hook").toString());
        var agent = new AgentSettings(
                db.connection(),
                "VA",
                "maint-VA",
                64,
                Duration.ofSeconds(30),
                Duration.ofSeconds(2),
                Duration.ofSeconds(10),
                HeartbeatWriterSettings.DEFAULTS.withShutdownDeadline(Duration.ofSeconds(3)),
                LeaseSettings.DEFAULTS);
        running.add(Agent.start(agent, new SimpleMeterRegistry(), Clock.systemUTC()));
        running.add(MonitorModule.start(
                MonitorSettings.defaults(db.connection(), "maint-monitor"),
                new SimpleMeterRegistry(),
                Clock.systemUTC()));
        await().atMost(Duration.ofSeconds(30)).until(() -> "UP".equals(Evaluated.globalState(db)));
        // A window over monitor 1 from now for an hour; the test ends it as `vantage maintenance stop` would.
        db.execute("INSERT INTO maintenance_windows (id, reason, monitor_ids, starts_at, ends_at)"
                + " VALUES (1, 'deploy', '{1}', now(), now() + interval '1 hour')");
        await().atMost(Duration.ofSeconds(15)).until(() -> "MAINTENANCE".equals(Evaluated.globalState(db)));
    }

    @Test
    void anOutageDuringAWindowNotifiesNothingThenFiresOnceWhenTheWindowEnds(@Fresh TestDatabase db) throws Exception {
        try (var receiver = HttpReceiver.start()) {
            start(db, receiver);
            failing.set(true);
            await().atMost(Duration.ofSeconds(20)).until(() -> "DOWN".equals(underlyingState(db)));
            Evaluated.awaitEvaluatedPast(db, Evaluated.latestHeartbeat(db) + 3);

            assertThat(Evaluated.globalState(db)).isEqualTo("MAINTENANCE");
            assertThat(db.count("SELECT count(*) FROM incidents WHERE resolved_at IS NULL AND NOT notified"))
                    .isEqualTo(1);
            assertThat(db.count("SELECT count(*) FROM notifications")).isZero();
            assertThat(receiver.accepted()).isEmpty();
            assertThat(db.count("SELECT count(*) FROM api_heartbeats WHERE in_maintenance AND NOT success"))
                    .isGreaterThanOrEqualTo(2);

            db.execute("UPDATE maintenance_windows SET ends_at = now() WHERE id = 1");
            await().atMost(Duration.ofSeconds(15))
                    .until(() -> receiver.accepted().size() >= 1);
            Evaluated.awaitEvaluatedPast(db, Evaluated.latestHeartbeat(db) + 3);

            assertThat(receiver.accepted()).hasSize(1);
            assertThat(JSON.readTree(receiver.accepted().getFirst().body())
                            .get("type")
                            .asText())
                    .isEqualTo("incident.firing");
            assertThat(db.count("SELECT count(*) FROM notifications")).isEqualTo(1);
            assertThat(Evaluated.globalState(db)).isEqualTo("DOWN");
            long marked = db.count("SELECT count(*) FROM api_heartbeats WHERE in_maintenance");
            Evaluated.awaitEvaluatedPast(db, Evaluated.latestHeartbeat(db) + 2);
            assertThat(db.count("SELECT count(*) FROM api_heartbeats WHERE in_maintenance"))
                    .as("heartbeats after the window are not marked")
                    .isEqualTo(marked);
        }
    }

    @Test
    void anOutageThatRecoversInsideTheWindowSendsNothingAtAll(@Fresh TestDatabase db) throws Exception {
        try (var receiver = HttpReceiver.start()) {
            start(db, receiver);
            failing.set(true);
            await().atMost(Duration.ofSeconds(20)).until(() -> "DOWN".equals(underlyingState(db)));
            failing.set(false);
            await().atMost(Duration.ofSeconds(20)).until(() -> "UP".equals(underlyingState(db)));
            assertThat(db.count("SELECT count(*) FROM incidents WHERE resolved_at IS NOT NULL AND NOT notified"))
                    .isEqualTo(1);

            db.execute("UPDATE maintenance_windows SET ends_at = now() WHERE id = 1");
            await().atMost(Duration.ofSeconds(15)).until(() -> "UP".equals(Evaluated.globalState(db)));
            Evaluated.awaitEvaluatedPast(db, Evaluated.latestHeartbeat(db) + 3);

            assertThat(db.count("SELECT count(*) FROM notifications")).isZero();
            assertThat(receiver.accepted()).isEmpty();
        }
    }

    private static String underlyingState(TestDatabase db) {
        return db.jdbi().withHandle(h -> h.createQuery("SELECT coalesce(underlying_state, state) FROM monitor_states"
                        + " WHERE monitor_id = 1 AND datacenter_id = 1")
                .mapTo(String.class)
                .findOne()
                .orElse(null));
    }
}
