package dev.vantage.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vantage.Main;
import dev.vantage.status.StatusSeed;
import dev.vantage.testing.PostgresExtension;
import dev.vantage.testing.PostgresExtension.Empty;
import dev.vantage.testing.PostgresExtension.Fresh;
import dev.vantage.testing.TestDatabase;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@code vantage status} run in-process through picocli, as Main runs it, with its output captured. */
@ExtendWith(PostgresExtension.class)
class StatusCommandIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    record Run(int exit, String stdout, String stderr) {
        List<String> stderrLines() {
            return stderr.lines().toList();
        }
    }

    private static Run vantage(String... args) {
        var out = new StringWriter();
        var err = new StringWriter();
        int exit = Main.commandLine()
                .setOut(new PrintWriter(out, true))
                .setErr(new PrintWriter(err, true))
                .execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    private static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.SECONDS);
    }

    @Test
    void aHealthyDeploymentPrintsTheTablesAndExits0(@Fresh TestDatabase db) {
        StatusSeed.healthy(db, now());

        var run = vantage("status", "--db", db.libpqUrl());

        assertThat(run.exit()).as(run.stdout() + run.stderr()).isZero();
        var lines = run.stdout().lines().toList();
        assertThat(lines.get(0)).matches("MONITOR +STATE +VA +NY +LON +LAST +P50 +P95 +UPTIME +DETAILS");
        // 95.5 in floating point may round either way.
        assertThat(lines.get(1)).matches("API +UP +UP +UP +- +\\d+s +55ms +9[56]ms +93\\.33% +UP");
        // Columns line up: every cell starts where its header does.
        assertThat(lines.get(1).indexOf("55ms")).isEqualTo(lines.get(0).indexOf("P50"));
        assertThat(run.stdout())
                .contains("AGENTS\nDATACENTER   NAME   ROLE      EPOCH")
                .containsPattern("VA +va-1 +leader +7 +\\d+s ago +host-a +0\\.1\\.0")
                .contains("OPEN INCIDENTS\nnone\n")
                .contains("RESOLVED IN THE LAST 24 H")
                .doesNotContain("INVALID CONFIG");
        assertThat(run.stderr()).isEmpty();
    }

    @Test
    void aDownOrUnknownMonitorExits1AndShowsInvalidRowsAndIncidents(@Fresh TestDatabase db) {
        StatusSeed.full(db, now());

        var run = vantage("status", "--db", db.libpqUrl());

        assertThat(run.exit()).as(run.stdout() + run.stderr()).isEqualTo(1);
        assertThat(run.stdout())
                .containsPattern("Checkout +PARTIAL +UP +DOWN +- .* DOWN in NY \\(1 of 2, quorum 2\\)")
                .containsPattern("Stale +UNKNOWN +UNKNOWN +- +- .* no data for \\d+ s")
                .containsPattern("Paused +DISABLED +DISABLED +- +- .* disabled")
                .containsPattern("New +PENDING +PENDING +- +- .* not evaluated yet")
                .contains("INVALID CONFIG")
                .containsPattern("monitor +6 +Broken +url: ")
                .containsPattern("channel +\\d+ +pigeon +type: unknown notifier type 'carrier-pigeon'")
                .containsPattern(
                        "OPEN INCIDENTS\nID +MONITOR +SCOPE +DATACENTERS +OPENED +DURATION +ERROR\n\\d+ +Checkout"
                                + " +datacenter +NY +3m ago +3m +HTTP_STATUS: status 503")
                .doesNotContain("hunter2", "s3cret", "sekrit-value", "T0KEN123");
    }

    @Test
    void jsonParsesWithSnakeCaseFieldsInTheDocumentedOrder(@Fresh TestDatabase db) throws Exception {
        StatusSeed.full(db, now());

        var run = vantage("status", "--json", "--db", db.libpqUrl());

        assertThat(run.exit()).isEqualTo(1);
        JsonNode root = JSON.readTree(run.stdout());
        assertThat(fields(root))
                .containsExactly(
                        "generated_at",
                        "healthy",
                        "datacenters",
                        "monitors",
                        "agents",
                        "invalid_config",
                        "open_incidents",
                        "recent_incidents",
                        "evaluation",
                        "maintenance");
        assertThat(fields(root.get("evaluation")))
                .containsExactly(
                        "last_round_at",
                        "last_round_age_seconds",
                        "stall_after_seconds",
                        "stalled",
                        "lock_holder",
                        "details");
        assertThat(root.get("healthy").asBoolean()).isFalse();
        JsonNode api = root.get("monitors").get(0);
        assertThat(fields(api))
                .containsExactly(
                        "id",
                        "name",
                        "type",
                        "enabled",
                        "state",
                        "since",
                        "flapping",
                        "details",
                        "last_heartbeat_at",
                        "last_heartbeat_age_seconds",
                        "p50_ms",
                        "p95_ms",
                        "uptime_24h_percent",
                        "probes_24h",
                        "datacenters",
                        "latency_24h",
                        "last_beat_at",
                        "expected_every_seconds",
                        "grace_seconds",
                        "last_message",
                        "recent_results");
        assertThat(api.get("p50_ms").asDouble()).isEqualTo(55.0);
        assertThat(api.get("type").asText()).isEqualTo("http");
        assertThat(api.get("last_beat_at").isNull()).isTrue();
        assertThat(api.get("last_message").isNull()).isTrue();
        assertThat(api.get("recent_results").isNull())
                .as("per datacenter for a probed monitor")
                .isTrue();
        assertThat(api.get("datacenters").get(1).get("code").asText()).isEqualTo("NY");
        assertThat(api.get("latency_24h")).hasSize(24);
        assertThat(root.get("generated_at").asText()).endsWith("Z");
        assertThat(run.stdout()).doesNotContain("hunter2", "s3cret", "sekrit-value", "T0KEN123");
    }

    @Test
    void aPushMonitorDownExits1AndShowsItsLastBeatAndMessageInsteadOfDatacenters(@Fresh TestDatabase db) {
        Instant now = now();
        StatusSeed.healthy(db, now);
        StatusSeed.missed(db, now);

        var run = vantage("status", "--db", db.libpqUrl());

        assertThat(run.exit()).as(run.stdout() + run.stderr()).isEqualTo(1);
        var lines = run.stdout().lines().toList();
        assertThat(lines.get(0)).matches("MONITOR +STATE +VA +NY +LON +LAST +P50 +P95 +UPTIME +DETAILS");
        assertThat(lines.get(2))
                .isEqualTo(
                        "Backup    DOWN    -    -    -     3m     -      -      100.00%   DOWN: MISSED no heartbeat for"
                                + " 3 min (expected every 15 s, grace 30 s); last beat 3 min ago, expected every 15 s; message:"
                                + " backup done: 3 files");
        // Its incident lists the pseudo-datacenter 0 of its beats, which is no datacenter.
        assertThat(run.stdout())
                .containsPattern("\\d+ +Backup +global +- +2m ago +2m +MISSED: no heartbeat for 47 s")
                .doesNotContain("#0");
    }

    @Test
    void aPushMonitorWaitingForItsFirstBeatIsNoFailure(@Fresh TestDatabase db) throws Exception {
        Instant now = now();
        StatusSeed.healthy(db, now);
        StatusSeed.neverBeaten(db, now);

        var run = vantage("status", "--db", db.libpqUrl());
        var json = vantage("status", "--json", "--db", db.libpqUrl());

        assertThat(run.exit()).as(run.stdout() + run.stderr()).isZero();
        assertThat(run.stdout())
                .containsPattern(
                        "\nNightly export +UNKNOWN +- +- +- +- +- +- +- +no beat yet \\(expected every 24 h\\)\n");
        assertThat(json.exit()).isZero();
        JsonNode nightly = JSON.readTree(json.stdout()).get("monitors").get(1);
        assertThat(nightly.get("type").asText()).isEqualTo("push");
        assertThat(nightly.get("datacenters")).isEmpty();
        assertThat(nightly.get("last_beat_at").isNull()).isTrue();
        assertThat(nightly.get("expected_every_seconds").asInt()).isEqualTo(86400);
        assertThat(nightly.get("grace_seconds").asInt()).isEqualTo(3600);
        assertThat(nightly.get("last_message").isNull()).isTrue();
    }

    @Test
    void anUnreachableDatabaseIsOneLineNamingTheHostWithoutThePassword() throws Exception {
        int port;
        try (var s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }

        var run = vantage("status", "--db", "postgres://vantage:hunter2@127.0.0.1:" + port + "/vantage");

        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.stdout()).isEmpty();
        assertThat(run.stderrLines())
                .singleElement()
                .asString()
                .startsWith("vantage status: cannot reach the database at 127.0.0.1:" + port + "/vantage: ")
                .doesNotContain("hunter2");
    }

    @Test
    void anUnmigratedDatabaseOrAWrongFlagExits2(@Empty TestDatabase db) {
        var unmigrated = vantage("status", "--db", db.libpqUrl());
        var wrongFlag = vantage("status", "--colour");

        assertThat(unmigrated.exit()).isEqualTo(2);
        assertThat(unmigrated.stderrLines())
                .singleElement()
                .asString()
                .startsWith("vantage status: database schema is empty (no Vantage tables)");
        assertThat(wrongFlag.exit()).isEqualTo(2);
        assertThat(wrongFlag.stderr()).contains("Unknown option: '--colour'");
    }

    private static List<String> fields(JsonNode node) {
        var names = new ArrayList<String>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
