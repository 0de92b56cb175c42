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
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A cron-style job reporting over ping URLs to a real monitor replica: beats keep the monitor UP, silence past period +
 * grace makes it DOWN (MISSED) and fires once, beats resuming resolve it with the same dedup key, and a job that
 * pings {@code /fail} is DOWN at once.
 */
@ExtendWith(PostgresExtension.class)
class PushMonitorEndToEndIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private final List<AutoCloseable> running = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (int i = running.size() - 1; i >= 0; i--) {
            running.get(i).close();
        }
    }

    @Test
    void silencePastPeriodAndGraceFiresOnceAndBeatsResolve(@Fresh TestDatabase db) throws Exception {
        try (var receiver = HttpReceiver.start()) {
            db.execute("INSERT INTO schedules (id, name, interval) VALUES (1, 'every second', 1)");
            db.execute(
                    "INSERT INTO notification_channels (name, type, settings, is_default, group_seconds)"
                            + " VALUES ('hook', 'webhook', jsonb_build_object('url', ?::text), true, 0)",
                    receiver.uri("/hook").toString());
            String token = db.jdbi()
                    .withHandle(h -> h.createQuery("INSERT INTO api_monitors (name, type, schedule_id, grace_seconds)"
                                    + " VALUES ('nightly export', 'push', 1, 2) RETURNING push_token")
                            .mapTo(String.class)
                            .one());
            String ping = start(db) + "/ping/" + token;

            ScheduledExecutorService job = Executors.newSingleThreadScheduledExecutor();
            running.add(job::shutdownNow);
            var beating = job.scheduleAtFixedRate(() -> send(ping), 0, 300, TimeUnit.MILLISECONDS);
            awaitState(db, "UP", Duration.ofSeconds(20));

            beating.cancel(false);
            await().atMost(Duration.ofSeconds(15))
                    .until(() -> receiver.accepted().size() == 1);
            assertThat(state(db)).isEqualTo("DOWN");
            JsonNode firing = body(receiver, 0);
            assertThat(firing.path("type").asText()).isEqualTo("incident.firing");
            JsonNode incident = firing.path("data");
            assertThat(incident.path("monitor_name").asText()).isEqualTo("nightly export");
            assertThat(incident.path("datacenters")).isEmpty();
            assertThat(incident.toString())
                    .contains("MISSED")
                    .contains("expected every 1 s, grace 2 s")
                    .doesNotContain(token)
                    .doesNotContain("#0");

            job.scheduleAtFixedRate(() -> send(ping), 0, 300, TimeUnit.MILLISECONDS);
            await().atMost(Duration.ofSeconds(15))
                    .until(() -> receiver.accepted().size() == 2);
            assertThat(body(receiver, 1).path("type").asText()).isEqualTo("incident.resolved");
            assertThat(db.count("SELECT count(*) FROM incidents")).isEqualTo(1);
            assertThat(db.count("SELECT count(DISTINCT dedup_key) FROM notifications"))
                    .isEqualTo(1);
        }
    }

    @Test
    void aJobThatReportsItsFailureIsDownAtOnceWithItsExitStatus(@Fresh TestDatabase db) throws Exception {
        db.execute("INSERT INTO schedules (id, name, interval) VALUES (1, 'hourly', 3600)");
        String token = db.jdbi().withHandle(h -> h.createQuery(
                        "INSERT INTO api_monitors (name, type, schedule_id) VALUES ('backup', 'push', 1)"
                                + " RETURNING push_token")
                .mapTo(String.class)
                .one());
        String ping = start(db) + "/ping/" + token;
        assertThat(send(ping)).isEqualTo(200);
        awaitState(db, "UP", Duration.ofSeconds(20));

        assertThat(send(ping + "/3")).isEqualTo(200);
        awaitState(db, "DOWN", Duration.ofSeconds(10));
        String error = db.jdbi().withHandle(h -> h.createQuery(
                        "SELECT error_type || ': ' || error_message FROM incidents WHERE resolved_at IS NULL")
                .mapTo(String.class)
                .one());
        assertThat(error).isEqualTo("EXIT_STATUS: exit status 3");
    }

    /** A monitor replica as `vantage monitor` runs one: the module, the ping endpoints, an HTTP server. */
    private String start(TestDatabase db) {
        var meters = new SimpleMeterRegistry();
        running.add(
                MonitorModule.start(MonitorSettings.defaults(db.connection(), "push-e2e"), meters, Clock.systemUTC()));
        var push = PushIngest.start(PushSettings.DEFAULTS, db.connection(), "push-e2e", meters, Clock.systemUTC());
        running.add(push);
        var web = WebServer.start("127.0.0.1", 0, HttpAuth.NONE);
        running.add(web);
        push.mount(web);
        return web.url();
    }

    private int send(String url) {
        try {
            return http.send(
                            HttpRequest.newBuilder(URI.create(url))
                                    .timeout(Duration.ofSeconds(10))
                                    .GET()
                                    .build(),
                            HttpResponse.BodyHandlers.discarding())
                    .statusCode();
        } catch (java.io.IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /**
     * Waits for the monitor's global state; on a timeout, says what the evaluation was waiting for: the heartbeat rows,
     * the cursor, and every session of the cluster holding an xid or a snapshot (the cursor reads only below the
     * oldest running transaction, see README, Reading heartbeats in commit order).
     */
    private static void awaitState(TestDatabase db, String expected, Duration within) {
        try {
            await().atMost(within).until(() -> expected.equals(state(db)));
        } catch (ConditionTimeoutException e) {
            String dump = db.jdbi()
                    .withHandle(h -> String.join(
                            "\n",
                            h.createQuery("SELECT concat_ws(' ', id, scheduled_at, beat_kind, success, commit_xid)"
                                            + " FROM api_heartbeats ORDER BY id")
                                    .mapTo(String.class)
                                    .list()
                                    .toString(),
                            h.createQuery(
                                            "SELECT concat_ws(' ', commit_xid, heartbeat_id, updated_at) FROM monitor_cursor")
                                    .mapTo(String.class)
                                    .list()
                                    .toString(),
                            h.createQuery("SELECT concat_ws(' ', datname, pid, application_name, state, backend_xid,"
                                            + " backend_xmin, xact_start, left(query, 80)) FROM pg_stat_activity"
                                            + " WHERE backend_xid IS NOT NULL OR backend_xmin IS NOT NULL")
                                    .mapTo(String.class)
                                    .list()
                                    .toString()));
            throw new AssertionError(
                    "state " + state(db) + ", expected " + expected + " within " + within + "; heartbeats, cursor,"
                            + " sessions holding an xid or snapshot:\n" + dump,
                    e);
        }
    }

    private static String state(TestDatabase db) {
        return db.jdbi().withHandle(h -> h.createQuery("SELECT state FROM monitor_states WHERE datacenter_id IS NULL")
                .mapTo(String.class)
                .findOne()
                .orElse(null));
    }

    private static JsonNode body(HttpReceiver receiver, int index) throws Exception {
        return JSON.readTree(receiver.accepted().get(index).body());
    }
}
