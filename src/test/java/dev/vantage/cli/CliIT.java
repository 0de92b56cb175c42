package dev.vantage.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vantage.demo.DemoTargets;
import dev.vantage.testing.PostgresExtension;
import dev.vantage.testing.PostgresExtension.Empty;
import dev.vantage.testing.PostgresExtension.Fresh;
import dev.vantage.testing.TestDatabase;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The packaged jar run as a user runs it: a separate JVM, settings from the environment, signals to stop it. */
@ExtendWith(PostgresExtension.class)
class CliIT {
    /** The newest migration in db/migration: what an empty database is told to reach. */
    private static final int LATEST = latestMigration();

    private static final Path JAR = Path.of("target", "vantage.jar");

    record Run(int exit, List<String> stdout, List<String> stderr) {}

    private static ProcessBuilder vantage(Map<String, String> env, Path dir, String... args) {
        String java = ProcessHandle.current().info().command().orElse("java");
        var command = new ArrayList<>(List.of(java, "-jar", JAR.toAbsolutePath().toString()));
        command.addAll(List.of(args));
        var pb = new ProcessBuilder(command);
        pb.environment().clear();
        // Tests run side by side: never the default HTTP port, unless a test chooses one.
        pb.environment().put("VANTAGE_HTTP_PORT", "0");
        pb.environment().putAll(env);
        pb.redirectOutput(dir.resolve("out.txt").toFile());
        pb.redirectError(dir.resolve("err.txt").toFile());
        return pb;
    }

    private static Run run(Map<String, String> env, Path dir, String... args) throws Exception {
        Process p = vantage(env, dir, args).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("vantage exits").isTrue();
        return new Run(p.exitValue(), lines(dir.resolve("out.txt")), lines(dir.resolve("err.txt")));
    }

    /** Output lines, without the JVM's own warnings about libraries (not ours to print). */
    private static List<String> lines(Path file) throws IOException {
        return Files.readAllLines(file, StandardCharsets.UTF_8).stream()
                .filter(l -> !l.startsWith("WARNING:"))
                .toList();
    }

    @Test
    void aMissingDatabaseUrlIsOneLineAndExitStatus2(@TempDir Path dir) throws Exception {
        var run = run(Map.of("DATACENTER_ID", "VA"), dir, "agent");

        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.stderr())
                .containsExactly("vantage agent: DB_CONN_STRING is not set: give the database URL"
                        + " with --db or the DB_CONN_STRING variable");
    }

    @Test
    void aMalformedDatabaseUrlIsOneLineThatHidesThePassword(@TempDir Path dir) throws Exception {
        var run = run(Map.of("DB_CONN_STRING", "postgres://u:hunter2@/db", "DATACENTER_ID", "VA"), dir, "agent");

        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.stderr()).containsExactly("vantage agent: DB_CONN_STRING: no host in the URL");
    }

    @Test
    void aWrongTlsProviderIsOneLineAndExitStatus2(@TempDir Path dir) throws Exception {
        var run = run(
                Map.of(
                        "DB_CONN_STRING",
                        "postgres://u:p@127.0.0.1:1/db",
                        "DATACENTER_ID",
                        "VA",
                        "VANTAGE_TLS_PROVIDER",
                        "boringssl"),
                dir,
                "agent");

        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.stderr())
                .containsExactly("vantage agent: VANTAGE_TLS_PROVIDER: expected auto, jsse or native, got 'boringssl'");
    }

    @Test
    void aWrongHttpPortOrAddressIsOneLineAndExitStatus2(@TempDir Path dir) throws Exception {
        var env = Map.of("DB_CONN_STRING", "postgres://u:hunter2@127.0.0.1:1/db", "DATACENTER_ID", "VA");

        var outOfRange = run(env, dir, "agent", "--http-port", "70000");
        var notANumber = run(
                Map.of("DB_CONN_STRING", "postgres://u:p@127.0.0.1:1/db", "VANTAGE_HTTP_PORT", "http"), dir, "monitor");
        // 192.0.2.1 is TEST-NET-1: never an address of this host.
        var foreign = run(env, dir, "agent", "--http-address", "192.0.2.1");

        assertThat(outOfRange.exit()).isEqualTo(2);
        assertThat(outOfRange.stderr())
                .containsExactly("vantage agent: VANTAGE_HTTP_PORT: expected a port from 0 to 65535, got 70000");
        assertThat(notANumber.exit()).isEqualTo(2);
        assertThat(notANumber.stderr())
                .containsExactly("vantage monitor: VANTAGE_HTTP_PORT: expected a whole number, got 'http'");
        assertThat(foreign.exit()).isEqualTo(2);
        assertThat(foreign.stderr())
                .containsExactly("vantage agent: cannot serve HTTP on 192.0.2.1:0: this host has no such address;"
                        + " set VANTAGE_HTTP_ADDRESS/--http-address and VANTAGE_HTTP_PORT/--http-port, or --no-http");
    }

    @Test
    void aTakenHttpPortStopsTheAgentAtOnceWithOneLine(@TempDir Path dir) throws Exception {
        try (var taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            // An unreachable database: the port is checked before the agent waits for it.
            var run = run(
                    Map.of(
                            "DB_CONN_STRING",
                            "postgres://u:hunter2@127.0.0.1:1/db",
                            "DATACENTER_ID",
                            "VA",
                            "VANTAGE_HTTP_PORT",
                            Integer.toString(taken.getLocalPort())),
                    dir,
                    "agent");

            assertThat(run.exit()).isEqualTo(2);
            assertThat(run.stderr())
                    .containsExactly("vantage agent: cannot serve HTTP on 127.0.0.1:" + taken.getLocalPort()
                            + ": the port is already in use; set VANTAGE_HTTP_ADDRESS/--http-address and"
                            + " VANTAGE_HTTP_PORT/--http-port, or --no-http");
        }
    }

    @Test
    void anUnknownDatacenterIsOneLine(@Fresh TestDatabase db, @TempDir Path dir) throws Exception {
        var run = run(Map.of("DB_CONN_STRING", db.libpqUrl(), "DATACENTER_ID", "ZZ"), dir, "agent");

        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.stderr())
                .as(String.join("\n", run.stderr()))
                .containsExactly("vantage agent: DATACENTER_ID=ZZ: no datacenter with that id or code"
                        + " (the datacenters table is empty)");
    }

    @Test
    void theMonitorNamesAWrongSettingAndAnUnmigratedDatabaseInOneLine(@Empty TestDatabase db, @TempDir Path dir)
            throws Exception {
        var tooShort = run(Map.of("DB_CONN_STRING", db.libpqUrl()), dir, "monitor", "--lost-after", "1");
        var notANumber = run(Map.of("DB_CONN_STRING", db.libpqUrl(), "VANTAGE_BATCH_SIZE", "lots"), dir, "monitor");
        var unmigrated = run(Map.of("DB_CONN_STRING", db.libpqUrl()), dir, "monitor");

        assertThat(tooShort.exit()).isEqualTo(2);
        assertThat(tooShort.stderr())
                .containsExactly("vantage monitor: VANTAGE_LOST_AFTER must be at least 5 s (agents refresh their row"
                        + " every 2 s), was 1 s");
        assertThat(notANumber.exit()).isEqualTo(2);
        assertThat(notANumber.stderr())
                .containsExactly("vantage monitor: VANTAGE_BATCH_SIZE: expected a whole number, got 'lots'");
        assertThat(unmigrated.exit()).isEqualTo(2);
        assertThat(unmigrated.stderr())
                .containsExactly("vantage monitor: database schema is empty (no Vantage tables),"
                        + " this Vantage needs version " + LATEST + ": run 'vantage migrate' first");
    }

    @Test
    void anUnmigratedDatabaseIsRefusedThenMigrateFixesIt(@Empty TestDatabase db, @TempDir Path dir) throws Exception {
        var env = Map.of("DB_CONN_STRING", db.libpqUrl(), "DATACENTER_ID", "VA");

        var refused = run(env, dir, "agent");
        var migrated = run(env, dir, "migrate");

        assertThat(refused.exit()).isEqualTo(2);
        assertThat(refused.stderr())
                .containsExactly("vantage agent: database schema is empty (no Vantage tables),"
                        + " this Vantage needs version " + LATEST + ": run 'vantage migrate' first");
        assertThat(migrated.exit()).isZero();
        assertThat(migrated.stdout())
                .containsExactly("Schema is at version " + LATEST + " (" + LATEST + " migrations applied)");
    }

    @Test
    void anAgentProbesLogsJsonWithItsIdentityAndStopsCleanlyOnSigterm(TestDatabase db, @TempDir Path dir)
            throws Exception {
        try (var targets = DemoTargets.start()) {
            db.execute("INSERT INTO datacenters (code, name) VALUES ('VA', 'Virginia')");
            db.execute("INSERT INTO schedules (name, interval) VALUES ('every second', 1)");
            db.execute(
                    "INSERT INTO api_monitors (name, url, schedule_id) VALUES ('fast', ?, 1)",
                    targets.httpUrl("/fast"));
            db.execute("INSERT INTO datacenter_monitors VALUES (1, 1)");
            Process agent = vantage(
                            Map.of(
                                    "DB_CONN_STRING",
                                    db.libpqUrl(),
                                    "DATACENTER_ID",
                                    "va",
                                    "VANTAGE_AGENT_NAME",
                                    "cli-it",
                                    // Not the default under the system temporary directory, which outlives the run.
                                    "VANTAGE_JOURNAL_DIR",
                                    dir.resolve("journal").toString()),
                            dir,
                            "agent")
                    .start();
            try {
                // A fresh JVM loading a 100 MB jar: generous on a loaded machine, quick on an idle one.
                await().atMost(Duration.ofSeconds(60))
                        .until(() -> db.count("SELECT count(*) FROM api_heartbeats WHERE success") >= 2);
                // Its HTTP server, on the free port it logged.
                String http = lines(dir.resolve("out.txt")).stream()
                        .map(l -> java.util.regex.Pattern.compile("\"message\":\"HTTP on ([0-9.:]+)\"")
                                .matcher(l))
                        .filter(java.util.regex.Matcher::find)
                        .map(m -> "http://" + m.group(1))
                        .findFirst()
                        .orElseThrow();
                var client = java.net.http.HttpClient.newHttpClient();
                var ready = client.send(
                        java.net.http.HttpRequest.newBuilder(java.net.URI.create(http + "/readyz"))
                                .build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString());
                assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);

                agent.destroy(); // SIGTERM
                assertThat(agent.waitFor(20, TimeUnit.SECONDS)).isTrue();
            } finally {
                agent.destroyForcibly();
            }

            assertThat(db.count("SELECT count(*) FROM agents WHERE name = 'cli-it' AND role = 'stopped'"
                            + " AND stopped_at IS NOT NULL"))
                    .isEqualTo(1);
            var json = new ObjectMapper();
            var logLines = lines(dir.resolve("out.txt"));
            assertThat(logLines).isNotEmpty();
            for (String line : logLines) {
                var event = json.readTree(line);
                assertThat(event.has("message")).as(line).isTrue();
                assertThat(event.has("level")).as(line).isTrue();
            }
            assertThat(logLines)
                    .anySatisfy(l -> assertThat(json.readTree(l).path("message").asText())
                            .startsWith("Agent cli-it (id 1) started for datacenter VA"));
            assertThat(logLines)
                    .anySatisfy(l -> assertThat(json.readTree(l).path("message").asText())
                            .isEqualTo("Agent stopped"));
            assertThat(logLines.stream()
                            .map(l -> {
                                try {
                                    return json.readTree(l);
                                } catch (IOException e) {
                                    throw new AssertionError(e);
                                }
                            })
                            .filter(e -> e.path("logger_name").asText().startsWith("dev.vantage.agent")))
                    .allSatisfy(e -> {
                        assertThat(e.path("agent").asText()).isEqualTo("cli-it");
                        assertThat(e.path("dc").asText()).isEqualTo("VA");
                    });
        }
    }

    private static int latestMigration() {
        try (var files = java.nio.file.Files.list(java.nio.file.Path.of("db", "migration"))) {
            return files.map(f -> f.getFileName().toString())
                    .filter(n -> n.matches("V\\d+__.*\\.sql"))
                    .mapToInt(n -> Integer.parseInt(n.substring(1, n.indexOf("__"))))
                    .max()
                    .orElseThrow();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
