package dev.vantage.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vantage.config.DbConnection;
import dev.vantage.db.Database;
import dev.vantage.status.StatusQuery;
import dev.vantage.status.StatusTable;
import dev.vantage.testing.AgentProcess;
import dev.vantage.testing.PostgresExtension;
import dev.vantage.testing.PostgresExtension.Fresh;
import dev.vantage.testing.TestDatabase;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12, item 1: a login that holds the monitor module's advisory lock and never evaluates silences all alerting.
 * Two real monitor replicas; the leader is killed while a login with no grant at all waits for the lock, so that it,
 * not the standby, gets it. Nothing evaluates from then on: the standby's {@code /readyz}, {@code /metrics} and
 * {@code /api/status}, and {@code vantage status}, must say so within the stall bound.
 */
@ExtendWith(PostgresExtension.class)
@Timeout(150)
class EvaluationStallIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern HTTP_ON = Pattern.compile("HTTP on 127\\.0\\.0\\.1:(\\d+)");
    private static final Duration START = Duration.ofSeconds(60);
    private static final int STALL_AFTER_SECONDS = 5;
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void aForeignLoginHoldingTheMonitorLockIsReportedAsAStallByTheStandbyAndTheStatus(
            @Fresh TestDatabase db, @TempDir(cleanup = CleanupMode.ON_SUCCESS) Path logs) throws Exception {
        String intruder = "it_intruder_" + UUID.randomUUID().toString().substring(0, 8);
        String password = UUID.randomUUID().toString();
        db.execute("CREATE ROLE " + intruder + " LOGIN PASSWORD '" + password + "'");
        // Explicit, so the case stays meaningful once PUBLIC may no longer connect.
        db.execute("GRANT CONNECT ON DATABASE " + db.name() + " TO " + intruder);
        var env = Map.of("DB_CONN_STRING", db.libpqUrl(), "VANTAGE_STALL_AFTER", Integer.toString(STALL_AFTER_SECONDS));

        try (var leader = AgentProcess.startMonitor("monitor-a", env, logs)) {
            Awaitility.await("monitor-a leads and evaluates")
                    .atMost(START)
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> holder(db).equals(Optional.of("monitor-a"))
                            && db.count("SELECT count(*) FROM monitor_cursor") == 1);
            try (var standby = AgentProcess.startMonitor("monitor-b", env, logs);
                    Connection foreign = Database.dedicated(
                            new DbConnection(db.connection().jdbcUrl(), intruder, password), "psql")) {
                standby.awaitLog("Standing by for the monitor lease", START);
                int port = port(standby);
                Awaitility.await("the standby is ready")
                        .atMost(START)
                        .pollInterval(Duration.ofMillis(200))
                        .until(() -> get(port, "/readyz").statusCode() == 200);
                assertThat(metric(get(port, "/metrics").body(), "vantage_evaluation_stalled"))
                        .isEqualTo(0.0);

                // The intruder queues for the lock; PostgreSQL grants it to the queue before any try-lock.
                var taken = CompletableFuture.runAsync(() -> {
                    try (var s = foreign.createStatement()) {
                        s.execute("SELECT pg_advisory_lock(1447120468, 0)");
                    } catch (java.sql.SQLException e) {
                        throw new IllegalStateException(e);
                    }
                });
                Awaitility.await("the intruder waits for the lock")
                        .atMost(Duration.ofSeconds(10))
                        .until(() -> db.count("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'"
                                        + " AND classid = 1447120468 AND objid = 0 AND NOT granted")
                                == 1);
                leader.sigkill();
                taken.get(10, java.util.concurrent.TimeUnit.SECONDS);
                var grantedAt = java.time.Instant.now();

                var readyz = Awaitility.await("the standby's /readyz reports the stall")
                        .atMost(Duration.ofSeconds(STALL_AFTER_SECONDS + 15))
                        .pollInterval(Duration.ofMillis(500))
                        .until(() -> get(port, "/readyz"), r -> r.statusCode() == 503);
                System.out.printf(
                        "EvaluationStallIT: /readyz reported the stall %d ms after the intruder got the lock"
                                + " (VANTAGE_STALL_AFTER=%d s): %s",
                        Duration.between(grantedAt, java.time.Instant.now()).toMillis(),
                        STALL_AFTER_SECONDS,
                        readyz.body());
                assertThat(readyz.body())
                        .startsWith("not ready: evaluation stalled since ")
                        .contains(intruder);

                String metrics = get(port, "/metrics").body();
                assertThat(metric(metrics, "vantage_evaluation_stalled")).isEqualTo(1.0);
                assertThat(metric(metrics, "vantage_evaluation_last_round_age_seconds"))
                        .isGreaterThanOrEqualTo(STALL_AFTER_SECONDS);

                JsonNode evaluation =
                        JSON.readTree(get(port, "/api/status").body()).path("evaluation");
                assertThat(evaluation.path("stalled").asBoolean())
                        .as(evaluation.toString())
                        .isTrue();
                assertThat(evaluation.path("details").asText())
                        .startsWith("evaluation stalled since ")
                        .contains("lease held by")
                        .contains(intruder);
                assertThat(JSON.readTree(get(port, "/api/status").body())
                                .path("healthy")
                                .asBoolean())
                        .isFalse();

                // vantage status reads the database alone, with the same bound.
                var report =
                        new StatusQuery(db.jdbi(), Clock.systemUTC(), Duration.ofSeconds(STALL_AFTER_SECONDS)).load();
                assertThat(report.evaluation().stalled()).isTrue();
                assertThat(report.healthy()).isFalse();
                assertThat(StatusTable.render(report)).contains("evaluation stalled since ");
            }
        }
    }

    private static Optional<String> holder(TestDatabase db) {
        return db.jdbi().withHandle(h -> h.createQuery("SELECT holder FROM monitor_leases WHERE name = 'monitor'")
                .mapTo(String.class)
                .findOne());
    }

    private static int port(AgentProcess monitor) {
        var matcher = HTTP_ON.matcher(monitor.awaitLog("HTTP on", START));
        assertThat(matcher.find()).isTrue();
        return Integer.parseInt(matcher.group(1));
    }

    private static HttpResponse<String> get(int port, String path) throws Exception {
        return HTTP.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                        .timeout(Duration.ofSeconds(10))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** The value of an untagged series in a Prometheus text exposition; NaN when it is not there. */
    private static double metric(String exposition, String name) {
        return exposition
                .lines()
                .filter(l -> l.startsWith(name + " ") || l.startsWith(name + "{"))
                .map(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .findFirst()
                .orElse(Double.NaN);
    }
}
