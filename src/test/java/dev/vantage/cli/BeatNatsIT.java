package dev.vantage.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vantage.testing.NatsServer;
import io.nats.client.Connection;
import io.nats.client.ErrorListener;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.Subscription;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/** {@code vantage beat} to a real nats-server ({@link NatsServer}): the message a subscriber receives, exactly. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(120)
class BeatNatsIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PASSWORD = "planted-beat-nats-pass-Kf3";
    private static final String TOKEN = "planted-beat-nats-token-Wm8";
    private static final String SUBJECT = "heartbeat.service.api";

    private NatsServer nats;

    @BeforeAll
    void startNats() {
        nats = NatsServer.create();
    }

    @AfterAll
    void stopNats() {
        nats.close();
    }

    @Test
    void aSubscriberReceivesTheGoAgentsMessageWithVantagesFields() throws Exception {
        String rid = "3f2b8c1e-7d4a-4c55-9b1e-2f6a0c9d8e71";
        Instant before = Instant.now();

        JsonNode received;
        try (Connection c = connect(nats.url())) {
            received = receive(
                    c,
                    Map.of(),
                    SUBJECT,
                    "--subject",
                    SUBJECT,
                    "--interval",
                    "1m30s",
                    "--grace",
                    "45s",
                    "--description",
                    "API service",
                    "--host",
                    "api-1",
                    "--exit-status",
                    "3",
                    "--message",
                    "disk full",
                    "--rid",
                    rid,
                    nats.url());
        }

        Instant generatedAt = Instant.parse(received.get("generated_at").asText());
        assertThat(generatedAt).isBetween(before, Instant.now());
        assertThat(received.get("generated_at").asText()).endsWith("Z");
        assertThat(JSON.writeValueAsString(
                        ((com.fasterxml.jackson.databind.node.ObjectNode) received).put("generated_at", "T")))
                .isEqualTo("{\"subject\":\"heartbeat.service.api\",\"generated_at\":\"T\",\"interval\":90000000000,"
                        + "\"grace_period\":45000000000,\"host\":\"api-1\",\"description\":\"API service\","
                        + "\"kind\":\"fail\",\"exit_status\":3,\"message\":\"disk full\",\"rid\":\"" + rid + "\"}");
    }

    @Test
    void aPlainBeatHasOnlyTheGoAgentsFieldsAndTheGoFlagsAndVariablesWork() throws Exception {
        JsonNode received;
        try (Connection c = connect(nats.url())) {
            received = receive(
                    c,
                    Map.of("NATS_URL", nats.url(), "SUBJECT", "heartbeat.worker", "INTERVAL", "10s", "GRACE", "0"),
                    "heartbeat.worker",
                    "-description",
                    "Worker",
                    "--host=worker-1");
        }

        assertThat(fieldNames(received)).containsExactly("subject", "generated_at", "interval", "host", "description");
        assertThat(received.get("subject").asText()).isEqualTo("heartbeat.worker");
        assertThat(received.get("interval").asLong()).isEqualTo(10_000_000_000L);
        assertThat(received.get("host").asText()).isEqualTo("worker-1");
        assertThat(received.get("description").asText()).isEqualTo("Worker");
    }

    @Test
    void userAndPasswordOrATokenInTheUrlAreSentAndAWrongOneIsRefusedWithoutShowingIt() throws Exception {
        try (var secured = NatsServer.create("--user", "vantage", "--pass", PASSWORD);
                var tokened = NatsServer.create("--auth", TOKEN)) {
            String right = "nats://vantage:" + PASSWORD + "@127.0.0.1:" + secured.port();
            try (Connection c =
                    connect(new Options.Builder().server(secured.url()).userInfo("vantage", PASSWORD))) {
                assertThat(receive(c, Map.of(), "a.b", "--subject", "a.b", right)
                                .get("subject")
                                .asText())
                        .isEqualTo("a.b");
            }
            String withToken = "nats://" + TOKEN + "@127.0.0.1:" + tokened.port();
            try (Connection c =
                    connect(new Options.Builder().server(tokened.url()).token(TOKEN.toCharArray()))) {
                assertThat(receive(c, Map.of(), "a.b", "-subject", "a.b", "-nats-url", withToken)
                                .get("subject")
                                .asText())
                        .isEqualTo("a.b");
            }

            var wrong = BeatCli.run(
                    "--subject",
                    "a.b",
                    "--timeout",
                    "2s",
                    "nats://vantage:wrong-" + PASSWORD + "@127.0.0.1:" + secured.port());

            assertThat(wrong.exit()).isEqualTo(BeatCommand.NOT_DELIVERED);
            assertThat(wrong.errLines())
                    .singleElement()
                    .asString()
                    .isEqualTo("vantage beat: not delivered: NATS at 127.0.0.1:" + secured.port()
                            + " refused the credentials");
        }
    }

    @Test
    void aServerThatIsDownExits1WithinTheTimeout() throws IOException {
        int port;
        try (var socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }

        var run = BeatCli.run(
                "--subject", SUBJECT, "--timeout", "2s", "nats://vantage:" + PASSWORD + "@127.0.0.1:" + port);

        assertThat(run.exit()).isEqualTo(BeatCommand.NOT_DELIVERED);
        assertThat(run.took()).isLessThan(Duration.ofSeconds(3));
        assertThat(run.errLines())
                .singleElement()
                .asString()
                .startsWith("vantage beat: not delivered: NATS at 127.0.0.1:" + port
                        + ": cannot connect (refused, unreachable or no answer) (")
                .doesNotContain(PASSWORD);
    }

    @Test
    void runPublishesStartAndTheExitStatusWithOneRunId() throws Exception {
        try (Connection c = connect(nats.url())) {
            Subscription subscription = c.subscribe("jobs.backup");
            c.flush(Duration.ofSeconds(5));

            var run = BeatCli.run("run", "--subject", "jobs.backup", nats.url(), "--", "sh", "-c", "echo done");

            assertThat(run.exit()).as(run.err()).isZero();
            JsonNode start = json(subscription.nextMessage(Duration.ofSeconds(5)));
            JsonNode end = json(subscription.nextMessage(Duration.ofSeconds(5)));
            assertThat(start.get("kind").asText()).isEqualTo("start");
            assertThat(end.has("kind")).as("success has no kind").isFalse();
            assertThat(end.get("exit_status").asInt()).isZero();
            assertThat(end.get("message").asText()).isEqualTo("done\n");
            assertThat(end.get("rid").asText())
                    .isEqualTo(start.get("rid").asText())
                    .hasSize(36);
        }
    }

    /** Runs the command while {@code c} is subscribed to {@code subject}, and returns the one message received. */
    private static JsonNode receive(Connection c, Map<String, String> env, String subject, String... args)
            throws Exception {
        Subscription subscription = c.subscribe(subject);
        c.flush(Duration.ofSeconds(5));

        var run = BeatCli.run(env, args);

        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.err()).isEmpty();
        JsonNode message = json(subscription.nextMessage(Duration.ofSeconds(5)));
        assertThat(subscription.nextMessage(Duration.ofMillis(200)))
                .as("one message")
                .isNull();
        subscription.unsubscribe();
        return message;
    }

    private static JsonNode json(Message message) throws IOException {
        assertThat(message).as("a message within 5 s").isNotNull();
        return JSON.readTree(new String(message.getData(), StandardCharsets.UTF_8));
    }

    private static List<String> fieldNames(JsonNode node) {
        var names = new ArrayList<String>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static Connection connect(String url) throws Exception {
        return connect(new Options.Builder().server(url));
    }

    private static Connection connect(Options.Builder options) throws Exception {
        return Nats.connect(options.errorListener(new ErrorListener() {}).build());
    }
}
