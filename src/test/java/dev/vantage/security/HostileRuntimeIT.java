package dev.vantage.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import dev.vantage.Fatal;
import dev.vantage.Meters;
import dev.vantage.agent.Agent;
import dev.vantage.agent.AgentSettings;
import dev.vantage.demo.DemoTargets;
import dev.vantage.heartbeat.Heartbeat;
import dev.vantage.heartbeat.HeartbeatWriterSettings;
import dev.vantage.lease.Leadership;
import dev.vantage.lease.LeaseSettings;
import dev.vantage.probe.ErrorType;
import dev.vantage.probe.MonitorRegistry;
import dev.vantage.schedule.ConfigSnapshot;
import dev.vantage.schedule.ConfigWatcher;
import dev.vantage.schedule.Scheduler;
import dev.vantage.store.MonitorRow;
import dev.vantage.testing.PostgresExtension;
import dev.vantage.testing.TestDatabase;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile rows, hostile targets and dying threads against a real agent's parts, a real PostgreSQL and real loopback
 * targets (issue 12, items 4 and 6): the agent fails whole or not at all, and a target that hangs never makes a healthy
 * one look down.
 */
@ExtendWith(PostgresExtension.class)
class HostileRuntimeIT {

    private record Death(String thread, Throwable cause) {}

    @Test
    void aLongLivedThreadThatDiesOfAnErrorStopsTheProcessNamingTheThreadAndTheCause(TestDatabase db) {
        var death = new CompletableFuture<Death>();
        try (var exit = Fatal.exitWith((thread, cause) -> death.complete(new Death(thread, cause)));
                var watcher = new ConfigWatcher(
                        db.connection(),
                        reason -> {
                            throw new OutOfMemoryError("Java heap space (a 100 MB body)");
                        },
                        Duration.ofMinutes(1),
                        new SimpleMeterRegistry())) {
            watcher.start();

            var died = await().atMost(Duration.ofSeconds(10)).until(() -> death.getNow(null), d -> d != null);

            assertThat(died.thread()).isEqualTo("config-watcher");
            assertThat(died.cause()).isInstanceOf(OutOfMemoryError.class).hasMessageContaining("100 MB body");
        }
    }

    @Test
    void aBodyTooLargeToHoldIsAnInvalidRowNamingItsSizeAndEveryOtherMonitorKeepsReloading(TestDatabase db) {
        try (var targets = DemoTargets.start()) {
            db.execute("INSERT INTO regions (name, region_code, group_name) VALUES ('EU', 'eu-west-1', 'EU')");
            db.execute("INSERT INTO datacenters (code, name, region_id)"
                    + " SELECT 'LON', 'London', id FROM regions WHERE region_code = 'eu-west-1'");
            int dc = (int) db.count("SELECT id FROM datacenters WHERE code = 'LON'");
            long schedule = db.count("INSERT INTO schedules (name, interval) VALUES ('1 s', 1) RETURNING id");
            long healthy = db.count(
                    "INSERT INTO api_monitors (name, type, url, schedule_id) VALUES ('ok', 'http', ?, ?) RETURNING id",
                    targets.httpUrl("/fast"),
                    schedule);
            long huge = db.count(
                    "INSERT INTO api_monitors (name, type, method, url, body, schedule_id)"
                            + " VALUES ('huge', 'http', 'POST', ?, repeat('x', 100 * 1024 * 1024), ?) RETURNING id",
                    targets.httpUrl("/fast"),
                    schedule);
            long wide = db.count(
                    "INSERT INTO api_monitors (name, type, url, headers, schedule_id)"
                            + " VALUES ('wide', 'http', ?, jsonb_build_object('X-Pad', repeat('y', 40000)), ?)"
                            + " RETURNING id",
                    targets.httpUrl("/fast"),
                    schedule);
            for (long id : List.of(healthy, huge, wide)) {
                db.execute("INSERT INTO datacenter_monitors (datacenter_id, monitor_id) VALUES (?, ?)", dc, id);
            }
            var settings = new AgentSettings(
                    db.connection(),
                    "LON",
                    "hostile-runtime",
                    16,
                    Duration.ofSeconds(60),
                    Duration.ofSeconds(2),
                    Duration.ofSeconds(5),
                    HeartbeatWriterSettings.DEFAULTS.withLinger(Duration.ofMillis(20)),
                    LeaseSettings.DEFAULTS);
            try (var agent = Agent.start(settings, new SimpleMeterRegistry(), Clock.systemUTC())) {
                await().atMost(Duration.ofSeconds(15))
                        .until(() -> db.count(
                                        "SELECT count(*) FROM api_heartbeats WHERE monitor_id = ? AND error_type ="
                                                + " 'INVALID_CONFIG' AND error_message = 'body: 104857600 bytes, more"
                                                + " than the limit of 65536 bytes (64 KiB); the value was not loaded'",
                                        huge)
                                > 0);
                await().atMost(Duration.ofSeconds(5))
                        .until(() -> db.count(
                                        "SELECT count(*) FROM api_heartbeats WHERE monitor_id = ? AND error_type ="
                                                + " 'INVALID_CONFIG' AND error_message LIKE 'headers: % bytes, more"
                                                + " than the limit of 32768 bytes (32 KiB)%'",
                                        wide)
                                > 0);

                Instant edited = Instant.now();
                db.execute("UPDATE api_monitors SET url = ? WHERE id = ?", targets.httpUrl("/status/503"), healthy);

                await().atMost(Duration.ofSeconds(6))
                        .until(() -> db.count(
                                        "SELECT count(*) FROM api_heartbeats WHERE monitor_id = ?"
                                                + " AND response_status_code = 503 AND scheduled_at >= ?",
                                        healthy,
                                        java.time.OffsetDateTime.ofInstant(edited, java.time.ZoneOffset.UTC))
                                > 0);
            }
        }
    }

    @Test
    void anAgentWhoseJournalCannotBeOpenedFailsToStartAndDoesNotKeepTheLease(TestDatabase db, @TempDir Path tmp)
            throws Exception {
        db.execute("INSERT INTO regions (name, region_code, group_name) VALUES ('EU central', 'eu-central-1', 'EU')");
        db.execute("INSERT INTO datacenters (code, name, region_id)"
                + " SELECT 'FRA', 'Frankfurt', id FROM regions WHERE region_code = 'eu-central-1'");
        Path notADirectory = Files.writeString(tmp.resolve("journal"), "a file where the journal directory should be");
        var settings = new AgentSettings(
                db.connection(),
                "FRA",
                "hostile-journal",
                16,
                Duration.ofSeconds(60),
                Duration.ofSeconds(2),
                Duration.ofSeconds(5),
                HeartbeatWriterSettings.DEFAULTS.withJournalDir(notADirectory),
                LeaseSettings.DEFAULTS);

        assertThatThrownBy(() -> Agent.start(settings, new SimpleMeterRegistry(), Clock.systemUTC()))
                .isInstanceOf(RuntimeException.class);

        // The next replica takes the lease: the one that failed to start does not hold it.
        var healthy = new AgentSettings(
                db.connection(),
                "FRA",
                "hostile-journal-2",
                16,
                Duration.ofSeconds(60),
                Duration.ofSeconds(2),
                Duration.ofSeconds(5),
                HeartbeatWriterSettings.DEFAULTS,
                LeaseSettings.DEFAULTS);
        try (var next = Agent.start(healthy, new SimpleMeterRegistry(), Clock.systemUTC())) {
            await().atMost(Duration.ofSeconds(10))
                    .until(() ->
                            db.count("SELECT count(*) FROM agents WHERE id = ? AND role = 'leader'", next.agentId())
                                    == 1);
        }
    }

    @Test
    void aProbeThatStartsGetsItsWholeTimeoutAndTheSlotItRunsIntoIsSkippedAsOverrun() throws Exception {
        HttpServer target = slowTarget(Duration.ofMillis(2_500));
        var written = new ConcurrentLinkedQueue<Heartbeat>();
        var meters = new SimpleMeterRegistry();
        var scheduler = new Scheduler(Clock.systemUTC(), written::add, 1, null, Leadership.unleased(), 8, meters);
        try {
            // Interval 2 s, timeout 3 s, a target that answers after 2.5 s: it is up.
            scheduler.apply(ConfigSnapshot.build(List.of(row(1, url(target), 2, 3_000)), MonitorRegistry.load()));
            scheduler.start();

            await().atMost(Duration.ofSeconds(12)).until(() -> written.size() >= 2);

            assertThat(written).allSatisfy(h -> assertThat(h.result().success())
                    .as(
                            "slot %s: %s %s",
                            h.scheduledAt(), h.result().errorType(), h.result().errorMessage())
                    .isTrue());
            assertThat(meters.counter(Meters.SLOTS_SKIPPED, "reason", "overrun").count())
                    .isGreaterThanOrEqualTo(1);
        } finally {
            scheduler.stop(Duration.ofSeconds(1));
            target.stop(0);
        }
    }

    @Test
    void aHealthyTargetBesideBlackHoledOnesIsSkippedWhenNoPermitIsFreeButNeverReportedDown() throws Exception {
        HttpServer target = slowTarget(Duration.ofMillis(600));
        // Backlog 1, never accepted: once the backlog is full, Linux drops the SYNs and every connect hangs.
        try (var hole = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            String holeUrl = "http://127.0.0.1:" + hole.getLocalPort() + "/";
            var rows = new ArrayList<MonitorRow>();
            for (int i = 1; i <= 4; i++) {
                rows.add(row(i, url(target), 2, 1_900));
            }
            for (int i = 0; i < 24; i++) {
                rows.add(row(1_000 + i, holeUrl, 2, 1_900));
            }
            var written = new ConcurrentLinkedQueue<Heartbeat>();
            var meters = new SimpleMeterRegistry();
            var scheduler = new Scheduler(Clock.systemUTC(), written::add, 1, null, Leadership.unleased(), 8, meters);
            try {
                scheduler.apply(ConfigSnapshot.build(rows, MonitorRegistry.load()));
                scheduler.start();

                await().atMost(Duration.ofSeconds(20))
                        .until(() -> written.stream()
                                        .filter(h -> h.monitorId() < 1_000)
                                        .count()
                                >= 6);

                var healthy =
                        written.stream().filter(h -> h.monitorId() < 1_000).toList();
                assertThat(healthy).allSatisfy(h -> assertThat(h.result().success())
                        .as(
                                "monitor %d slot %s: %s %s",
                                h.monitorId(),
                                h.scheduledAt(),
                                h.result().errorType(),
                                h.result().errorMessage())
                        .isTrue());
                assertThat(written.stream().filter(h -> h.monitorId() >= 1_000))
                        .as("the black-holed targets do fail")
                        .anySatisfy(h -> assertThat(h.result().errorType()).isIn(ErrorType.CONNECT, ErrorType.TIMEOUT));
                assertThat(meters.counter(Meters.SLOTS_SKIPPED, "reason", "saturated")
                                .count())
                        .as("slots that found no permit in time are skipped and counted")
                        .isPositive();
            } finally {
                scheduler.stop(Duration.ofSeconds(1));
            }
        } finally {
            target.stop(0);
        }
    }

    private static HttpServer slowTarget(Duration delay) throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", exchange -> {
            try {
                TimeUnit.MILLISECONDS.sleep(delay.toMillis()); // the target's own latency, not a wait in the test
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            byte[] body = "ok".getBytes(StandardCharsets.US_ASCII);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        return server;
    }

    private static String url(HttpServer server) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/";
    }

    private static MonitorRow row(long id, String url, int intervalSeconds, int timeoutMs) {
        return new MonitorRow(
                id,
                "m" + id,
                "http",
                "GET",
                url,
                null,
                null,
                null,
                true,
                timeoutMs,
                1,
                intervalSeconds,
                false,
                null,
                null);
    }
}
