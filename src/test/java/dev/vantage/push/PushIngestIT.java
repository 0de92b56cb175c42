package dev.vantage.push;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vantage.Meters;
import dev.vantage.config.DbConnection;
import dev.vantage.heartbeat.BeatKind;
import dev.vantage.heartbeat.HeartbeatRow;
import dev.vantage.heartbeat.HeartbeatWriter;
import dev.vantage.heartbeat.HeartbeatWriterSettings;
import dev.vantage.heartbeat.PushedBeat;
import dev.vantage.heartbeat.Receipt;
import dev.vantage.testing.PostgresExtension;
import dev.vantage.testing.TestDatabase;
import dev.vantage.web.HttpAuth;
import dev.vantage.web.WebServer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The ping endpoints on a real HTTP server on loopback, writing through a real heartbeat writer into the real
 * database, logged in as a member of vantage_monitor (so its grants are what is tested).
 */
@ExtendWith(PostgresExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PushIngestIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private final List<AutoCloseable> running = new ArrayList<>();
    private TestDatabase db;
    private String login;
    private DbConnection asMonitor;
    private long schedule;
    private SimpleMeterRegistry meters;
    private WebServer web;

    @BeforeAll
    void start(TestDatabase db) {
        this.db = db;
        login = "it_push_" + UUID.randomUUID().toString().substring(0, 8);
        String password = UUID.randomUUID().toString();
        db.execute("CREATE ROLE " + login + " LOGIN PASSWORD '" + password + "' IN ROLE vantage_monitor");
        asMonitor = new DbConnection(db.connection().jdbcUrl(), login, password);
        schedule = db.count("INSERT INTO schedules (name, interval) VALUES ('daily', 86400) RETURNING id");
        meters = new SimpleMeterRegistry();
        web = serve(PushSettings.DEFAULTS, meters);
    }

    /** A web server with the push endpoints, as the monitor command mounts them. */
    private WebServer serve(PushSettings settings, MeterRegistry registry) {
        var ingest = PushIngest.start(settings, asMonitor, "push-it", registry, Clock.systemUTC());
        running.add(ingest);
        var server = WebServer.start("127.0.0.1", 0, HttpAuth.of("the-server's-own-token", null));
        running.add(server);
        ingest.mount(server);
        return server;
    }

    @AfterAll
    void stop() throws Exception {
        for (AutoCloseable c : running.reversed()) {
            c.close();
        }
        db.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = ?", login);
        db.execute("DROP ROLE " + login);
    }

    private record Push(int id, String token) {}

    private Push pushMonitor(String name) {
        return db.jdbi().withHandle(h -> h.createQuery(
                        "INSERT INTO api_monitors (name, type, schedule_id) VALUES (?, 'push', ?)"
                                + " RETURNING id, push_token")
                .bind(0, name)
                .bind(1, schedule)
                .map((rs, ctx) -> new Push(rs.getInt(1), rs.getString(2)))
                .one());
    }

    private HttpResponse<String> send(WebServer server, String method, String path, String body, String... headers)
            throws Exception {
        var request = HttpRequest.newBuilder(URI.create(server.url() + path))
                .timeout(Duration.ofSeconds(20))
                .method(
                        method,
                        body == null
                                ? HttpRequest.BodyPublishers.noBody()
                                : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        if (headers.length > 0) {
            request.headers(headers);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String path) throws Exception {
        return send(web, "GET", path, null);
    }

    private List<Map<String, Object>> rows(int monitorId) {
        return db.jdbi().withHandle(h -> h.createQuery(
                        "SELECT * FROM api_heartbeats WHERE monitor_id = ? ORDER BY scheduled_at")
                .bind(0, monitorId)
                .mapToMap()
                .list());
    }

    private double beats(MeterRegistry registry, String outcome) {
        return registry.get(Meters.PUSH_BEATS).tag("outcome", outcome).counter().count();
    }

    private static Instant instant(Object timestamp) {
        return timestamp instanceof OffsetDateTime t ? t.toInstant() : ((java.sql.Timestamp) timestamp).toInstant();
    }

    private static JsonNode json(Object jsonb) throws IOException {
        return jsonb == null ? null : JSON.readTree(jsonb.toString());
    }

    @Test
    void everyEndpointAnswersOkAndWritesOneRowWithItsColumns() throws Exception {
        var m = pushMonitor("nightly export");
        String ping = "/ping/" + m.token();
        Instant before = Instant.now().truncatedTo(ChronoUnit.MICROS);

        var responses = List.of(
                get(ping),
                send(web, "HEAD", ping, null),
                send(web, "POST", ping + "/", "backup done: 3 files\n", "User-Agent", "cron-it/1"),
                get(ping + "/start"),
                send(web, "POST", ping + "/fail", "disk full"),
                send(web, "POST", ping + "/log", "step 2 of 3"),
                get(ping + "/0"),
                get(ping + "/3"));
        Instant after = Instant.now();

        assertThat(responses).extracting(HttpResponse::statusCode).containsOnly(200);
        assertThat(responses)
                .extracting(HttpResponse::body)
                .containsExactly("OK\n", "", "OK\n", "OK\n", "OK\n", "OK\n", "OK\n", "OK\n");
        var rows = rows(m.id());
        assertThat(rows)
                .extracting(r -> r.get("beat_kind"))
                .containsExactly("success", "success", "success", "start", "fail", "log", "success", "fail");
        assertThat(rows)
                .extracting(r -> r.get("success"))
                .containsExactly(true, true, true, true, false, true, true, false);
        assertThat(rows)
                .extracting(r -> r.get("error_type"))
                .containsExactly(null, null, null, null, "FAIL", null, null, "EXIT_STATUS");
        assertThat(rows)
                .extracting(r -> r.get("error_message"))
                .containsExactly(null, null, null, null, "the job reported a failure", null, null, "exit status 3");
        assertThat(rows)
                .extracting(r -> r.get("message"))
                .containsExactly(null, null, "backup done: 3 files\n", null, "disk full", "step 2 of 3", null, null);
        assertThat(json(rows.get(0).get("details")))
                .isEqualTo(JSON.readTree("{\"source\": \"http\", \"method\": \"GET\", \"remote\": \"127.0.0.1\","
                        + " \"user_agent\": \"" + "Java-http-client/" + System.getProperty("java.version") + "\"}"));
        assertThat(json(rows.get(1).get("details")).get("method").asText()).isEqualTo("HEAD");
        assertThat(json(rows.get(2).get("details")))
                .isEqualTo(JSON.readTree("{\"source\": \"http\", \"method\": \"POST\", \"remote\": \"127.0.0.1\","
                        + " \"user_agent\": \"cron-it/1\", \"body_bytes\": 21}"));
        assertThat(json(rows.get(6).get("details")).get("exit_status").asInt()).isZero();
        assertThat(json(rows.get(7).get("details")).get("exit_status").asInt()).isEqualTo(3);

        assertThat((Double) rows.get(4).get("response_time_ms"))
                .as("the fail ends the run the start began")
                .isPositive()
                .isLessThan(Duration.between(before, after).toNanos() / 1e6);
        for (int i : List.of(0, 1, 2, 3, 5, 6, 7)) {
            assertThat(rows.get(i).get("response_time_ms")).as("row %d", i).isNull();
        }
        Instant previous = before.minusNanos(1_000);
        for (var row : rows) {
            Instant key = instant(row.get("scheduled_at"));
            Instant received = instant(row.get("executed_at"));
            assertThat(key).isAfter(previous).isEqualTo(received);
            assertThat(received).isBetween(before, after);
            previous = key;
            assertThat(row)
                    .containsEntry("datacenter_id", 0)
                    .containsEntry("agent_id", null)
                    .containsEntry("lease_epoch", null)
                    .containsEntry("response_status_code", null)
                    .containsEntry("response_size_bytes", null)
                    .containsEntry("dns_lookup_ms", null)
                    .containsEntry("remote_address", null)
                    .containsEntry("raw_response_body", null);
        }
    }

    @Test
    void aRunIdPairsAStartWithItsFinishEvenWhenAnotherReplicaSawTheStart() throws Exception {
        var m = pushMonitor("backup with run ids");
        String ping = "/ping/" + m.token();
        String a = UUID.randomUUID().toString();
        String b = UUID.randomUUID().toString();
        var otherReplica = serve(PushSettings.DEFAULTS, new SimpleMeterRegistry());
        Instant began = Instant.now();

        assertThat(get(ping + "/start?rid=" + a).statusCode()).isEqualTo(200);
        assertThat(get(ping + "/start?rid=" + b).statusCode()).isEqualTo(200);
        assertThat(get(ping + "/0?rid=" + b).statusCode()).isEqualTo(200);
        assertThat(send(otherReplica, "GET", ping + "/fail?rid=" + a, null).statusCode())
                .isEqualTo(200);
        assertThat(get(ping + "?rid=" + UUID.randomUUID()).statusCode()).isEqualTo(200);
        double elapsed = Duration.between(began, Instant.now()).toNanos() / 1e6;

        var rows = rows(m.id());
        assertThat(rows)
                .extracting(r -> r.get("beat_kind"))
                .containsExactly("start", "start", "success", "fail", "success");
        double runB = (Double) rows.get(2).get("response_time_ms");
        double runA = (Double) rows.get(3).get("response_time_ms");
        assertThat(runB).isPositive();
        assertThat(runA)
                .as("started before b, ended after it, on another replica")
                .isGreaterThan(runB)
                .isLessThan(elapsed);
        assertThat(rows.get(4).get("response_time_ms"))
                .as("a run id nobody started")
                .isNull();
        assertThat(json(rows.get(3).get("details")).get("rid").asText()).isEqualTo(a);
    }

    @Test
    void unknownAndDisabledTokensGetTheSame404AndAreCounted() throws Exception {
        var disabled = pushMonitor("paused job");
        db.execute("UPDATE api_monitors SET enabled = false WHERE id = ?", disabled.id());
        String probedToken = "a-token-on-a-probed-monitor-0123";
        db.execute(
                "INSERT INTO api_monitors (name, type, url, schedule_id, push_token) VALUES ('probed', 'http',"
                        + " 'http://127.0.0.1:9/', ?, ?)",
                schedule,
                probedToken);
        double counted = beats(meters, "unknown_token");

        var answers = new ArrayList<HttpResponse<String>>();
        await().atMost(Duration.ofSeconds(5))
                .until(() -> get("/ping/" + disabled.token()).statusCode() == 404); // once the reload saw it
        for (String path : List.of(
                "/ping/" + disabled.token(),
                "/ping/" + disabled.token() + "/start",
                "/ping/" + probedToken,
                "/ping/never-issued-but-well-formed-token-0123",
                "/ping/short")) {
            answers.add(get(path));
            answers.add(send(web, "POST", path, "body"));
        }

        assertThat(answers).extracting(HttpResponse::statusCode).containsOnly(404);
        assertThat(answers).extracting(HttpResponse::body).containsOnly("not found\n");
        assertThat(answers)
                .extracting(r -> r.headers().map().keySet())
                .as("nothing tells one kind of 404 from another")
                .containsOnly(answers.getFirst().headers().map().keySet());
        assertThat(beats(meters, "unknown_token") - counted).isGreaterThanOrEqualTo(10);
        assertThat(rows(disabled.id())).isEmpty();
    }

    @Test
    void aMalformedPathIs400AndAnotherMethod405() throws Exception {
        var m = pushMonitor("malformed");
        double counted = beats(meters, "bad_request");

        var answers = List.of(
                get("/ping/" + m.token() + "/256"),
                get("/ping/" + m.token() + "/finish"),
                get("/ping/" + m.token() + "/start/now"),
                get("/ping/" + m.token() + "?rid=42"));
        var put = send(web, "PUT", "/ping/" + m.token(), "x");

        assertThat(answers).extracting(HttpResponse::statusCode).containsOnly(400);
        assertThat(answers.getFirst().body()).isEqualTo("bad request: an exit status is from 0 to 255\n");
        assertThat(answers).allSatisfy(a -> assertThat(a.body()).doesNotContain(m.token()));
        assertThat(beats(meters, "bad_request") - counted).isEqualTo(4);
        assertThat(put.statusCode()).isEqualTo(405);
        assertThat(put.headers().firstValue("Allow")).hasValue("GET, HEAD, POST");
        assertThat(rows(m.id())).isEmpty();
    }

    @Test
    void aFloodOnOneTokenIsHeldBackWith429AndOtherTokensAreNot() throws Exception {
        var flooded = pushMonitor("flooded");
        var quiet = pushMonitor("quiet");
        double counted = beats(meters, "rate_limited");

        var answers = new ArrayList<HttpResponse<String>>();
        for (int i = 0; i < 80; i++) {
            answers.add(get("/ping/" + flooded.token()));
        }
        var other = get("/ping/" + quiet.token());

        long ok = answers.stream().filter(a -> a.statusCode() == 200).count();
        var limited = answers.stream().filter(a -> a.statusCode() == 429).toList();
        assertThat(ok + limited.size()).isEqualTo(80);
        assertThat(ok).as("the burst of 50, and what 5/s refilled meanwhile").isBetween(50L, 65L);
        assertThat(limited.getFirst().headers().firstValue("Retry-After")).hasValue("1");
        assertThat(other.statusCode()).isEqualTo(200);
        assertThat(beats(meters, "rate_limited") - counted).isEqualTo(limited.size());
        assertThat(rows(flooded.id())).hasSize((int) ok);
    }

    @Test
    void aTenMebibyteBodyIsReadWithItsFirst100KibKeptAndMarkedCut() throws Exception {
        var m = pushMonitor("verbose job");
        long size = 10L << 20;
        double cut = meters.get(Meters.PUSH_MESSAGES_CUT).counter().count();

        var response = http.send(
                HttpRequest.newBuilder(URI.create(web.url() + "/ping/" + m.token() + "/fail"))
                        .timeout(Duration.ofSeconds(30))
                        .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new Repeated(size)))
                        .build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(200);
        var row = rows(m.id()).getFirst();
        String message = (String) row.get("message");
        assertThat(message)
                .hasSize(PushSettings.MESSAGE_BYTES + "… [cut: 10485760 bytes received]".length())
                .startsWith("log line 0000000\nlog line 0000001\n")
                .endsWith("… [cut: 10485760 bytes received]");
        assertThat(json(row.get("details")).get("body_bytes").asLong()).isEqualTo(size);
        assertThat(meters.get(Meters.PUSH_MESSAGES_CUT).counter().count()).isEqualTo(cut + 1);
    }

    @Test
    void aBodyPastSixteenMebibytesIs413AndNoBeat() throws Exception {
        var m = pushMonitor("runaway job");
        double counted = beats(meters, "too_large");

        // Announced: answered before a byte of it is read.
        try (var socket = new Socket("127.0.0.1", web.port())) {
            socket.getOutputStream()
                    .write(("POST /ping/" + m.token() + " HTTP/1.1\r\nHost: x\r\nContent-Length: " + (20L << 20)
                                    + "\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
            String status = new String(socket.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
            assertThat(status).isEqualTo("HTTP/1.1 413");
        }
        // Chunked: read up to the bound, then answered; the client may see the 413 or the connection closed on it.
        try {
            var chunked = http.send(
                    HttpRequest.newBuilder(URI.create(web.url() + "/ping/" + m.token()))
                            .timeout(Duration.ofSeconds(30))
                            .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new Repeated(17L << 20)))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(chunked.statusCode()).isEqualTo(413);
        } catch (IOException closed) {
            // the server closed the connection while the client was still sending: as good as a 413
        }

        await().atMost(Duration.ofSeconds(5)).until(() -> beats(meters, "too_large") - counted == 2);
        assertThat(rows(m.id())).isEmpty();
    }

    @Test
    void aBodyThatComesTooSlowlyIsCutOffAtTheReadDeadline() throws Exception {
        var registry = new SimpleMeterRegistry();
        var server = serve(
                PushSettings.DEFAULTS.withDeadlines(
                        Duration.ofSeconds(5), Duration.ofSeconds(1), Duration.ofMillis(500)),
                registry);
        var m = pushMonitor("slow sender");

        try (var socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream()
                    .write(("POST /ping/" + m.token() + " HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nonly a"
                                    + " part")
                            .getBytes(StandardCharsets.US_ASCII));
            long started = System.nanoTime();
            assertThat(socket.getInputStream().read())
                    .as("closed without an answer")
                    .isEqualTo(-1);
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
        } catch (java.net.SocketException reset) {
            // closed by a reset: cut off all the same
        }

        await().atMost(Duration.ofSeconds(5)).until(() -> beats(registry, "timeout") == 1);
        assertThat(rows(m.id())).isEmpty();
        assertThat(send(server, "GET", "/ping/" + m.token(), null).statusCode())
                .as("the handler threads are fine")
                .isEqualTo(200);
    }

    @Test
    void aNewMonitorAnswersAtOnceAndDisablingOrRotatingATokenTakesEffectWithinTwoSeconds() throws Exception {
        var m = pushMonitor("brand new");
        assertThat(get("/ping/" + m.token()).statusCode())
                .as("looked up: not loaded yet")
                .isEqualTo(200);

        db.execute("UPDATE api_monitors SET push_token = NULL WHERE id = ?", m.id());
        String rotated = db.jdbi().withHandle(h -> h.createQuery("SELECT push_token FROM api_monitors WHERE id = ?")
                .bind(0, m.id())
                .mapTo(String.class)
                .one());
        await().atMost(Duration.ofSeconds(2))
                .until(() -> get("/ping/" + m.token()).statusCode() == 404);
        assertThat(get("/ping/" + rotated).statusCode()).isEqualTo(200);

        db.execute("UPDATE api_monitors SET enabled = false WHERE id = ?", m.id());
        await().atMost(Duration.ofSeconds(2))
                .until(() -> get("/ping/" + rotated).statusCode() == 404);
        db.execute("UPDATE api_monitors SET enabled = true WHERE id = ?", m.id());
        await().atMost(Duration.ofSeconds(2))
                .until(() -> get("/ping/" + rotated).statusCode() == 200);
    }

    @Test
    void aBeatWrittenAgainIsNoSecondRow() throws Exception {
        var m = pushMonitor("replayed");
        Instant received = Instant.now().truncatedTo(ChronoUnit.MICROS);
        var beat = new PushedBeat(m.id(), received, received, BeatKind.SUCCESS, null, null, null, "once", null);
        var outcomes = new ArrayList<Receipt.Outcome>();
        // Twice through one writer (the second meets a filled slot and goes through the staging table), then once
        // through another, as a replayed journal would.
        for (int writes = 0; writes < 3; writes += 2) {
            try (var pool = dev.vantage.db.Database.pool(asMonitor, "push-it-replay", 1);
                    var writer = HeartbeatWriter.start(
                            pool,
                            HeartbeatWriterSettings.DEFAULTS.withLinger(Duration.ZERO),
                            new SimpleMeterRegistry())) {
                for (int i = writes; i < Math.min(3, writes + 2); i++) {
                    var receipt = new PingHandler.Waiting();
                    assertThat(writer.offer(HeartbeatRow.of(beat, receipt))).isTrue();
                    outcomes.add(receipt.await(Duration.ofSeconds(10).toNanos()));
                }
            }
        }

        assertThat(outcomes).containsExactly(Receipt.Outcome.WRITTEN, Receipt.Outcome.WRITTEN, Receipt.Outcome.WRITTEN);
        assertThat(rows(m.id())).hasSize(1);
    }

    @Test
    void pushedRowsBreakNeitherTheStatusNorTheRollups() throws Exception {
        var m = pushMonitor("rolled up");
        assertThat(get("/ping/" + m.token()).statusCode()).isEqualTo(200);
        assertThat(get("/ping/" + m.token() + "/fail").statusCode()).isEqualTo(200);

        var report = dev.vantage.status.StatusQuery.load(db.jdbi(), Clock.systemUTC());
        db.execute("SELECT vantage_rollup_heartbeats(date_trunc('hour', now()), date_trunc('hour', now()) + interval"
                + " '1 hour')");

        assertThat(report.monitors()).extracting(s -> s.name()).contains("rolled up");
        assertThat(report.invalidConfig())
                .as("nothing probes a push monitor: it is no invalid probe")
                .noneMatch(r -> r.id() == m.id());
        assertThat(db.count(
                        "SELECT probes FROM api_heartbeat_rollups WHERE monitor_id = ? AND datacenter_id = 0", m.id()))
                .isEqualTo(2);
    }

    /** {@code size} bytes of numbered log lines, generated as they are read. */
    private static final class Repeated extends InputStream {
        private static final int LINE = 17;
        private final long size;
        private long served;
        private byte[] line = new byte[0];
        private long lineNumber = -1;

        Repeated(long size) {
            this.size = size;
        }

        @Override
        public int read() {
            if (served >= size) {
                return -1;
            }
            long number = served / LINE;
            if (number != lineNumber) {
                line = "log line %07d\n".formatted(number).getBytes(StandardCharsets.US_ASCII);
                lineNumber = number;
            }
            return line[(int) (served++ % LINE)];
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (served >= size) {
                return -1;
            }
            int n = (int) Math.min(len, size - served);
            for (int i = 0; i < n; i++) {
                b[off + i] = (byte) read();
            }
            return n;
        }
    }
}
