package dev.vantage.notify.nats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vantage.notify.Notices;
import dev.vantage.notify.NotifierContext;
import dev.vantage.notify.Outcome;
import dev.vantage.testing.NatsServer;
import io.nats.client.Connection;
import io.nats.client.ErrorListener;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.Subscription;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The nats notifier against a real nats-server with JetStream on loopback ({@link NatsServer}). */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(120)
class NatsNotifierIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PASSWORD = "planted-nats-pass-Xe6";
    private static final String TOKEN = "planted-nats-token-Ub1";

    private final NatsNotifier notifier = new NatsNotifier(NotifierContext.of(null, Clock.systemUTC()));
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
    void aSubscriberReceivesExactlyTheRenderedJsonWithTheMessageId() throws Exception {
        NatsSettings settings = configure(json(nats.url()).put("subject", "vantage.alerts"));
        NatsNotifier.Message message = notifier.render(settings, 17, Notices.firing());

        try (Connection c = connect(nats.url())) {
            Subscription subscription = c.subscribe("vantage.alerts");
            c.flush(Duration.ofSeconds(5));

            assertThat(send(settings, message)).isEqualTo(Outcome.delivered(null));

            Message received = subscription.nextMessage(Duration.ofSeconds(5));
            assertThat(received).as("a message within 5 s").isNotNull();
            assertThat(new String(received.getData(), StandardCharsets.UTF_8)).isEqualTo(message.body());
            assertThat(received.getHeaders().getFirst("Nats-Msg-Id")).isEqualTo("vantage-notification-17");
        }
    }

    @Test
    void aJetStreamStreamOnTheSubjectStoresARetriedNotificationOnce() throws Exception {
        try (Connection c = connect(nats.url())) {
            var jsm = c.jetStreamManagement();
            jsm.addStream(StreamConfiguration.builder()
                    .name("NOTICES")
                    .subjects("vantage.stored.>")
                    .storageType(StorageType.File)
                    .duplicateWindow(Duration.ofMinutes(2))
                    .build());
            NatsSettings settings = configure(json(nats.url()).put("subject", "vantage.stored.ops"));
            NatsNotifier.Message firing = notifier.render(settings, 17, Notices.firing());

            assertThat(send(settings, firing)).isEqualTo(Outcome.delivered(null));
            assertThat(send(settings, firing)).isEqualTo(Outcome.delivered(null)); // a retry after a lost answer
            assertThat(send(settings, notifier.render(settings, 18, Notices.resolved())))
                    .isEqualTo(Outcome.delivered(null));

            assertThat(jsm.getStreamInfo("NOTICES").getStreamState().getMsgCount())
                    .isEqualTo(2);
            assertThat(new String(jsm.getMessage("NOTICES", 1).getData(), StandardCharsets.UTF_8))
                    .isEqualTo(firing.body());
        }
    }

    @Test
    void userAndPasswordAreSentAndWrongOnesRejectedWithoutQuotingThem() throws Exception {
        try (var secured = NatsServer.create("--user", "vantage", "--pass", PASSWORD)) {
            String address = "127.0.0.1:" + secured.port();
            record Case(ObjectNode settings, Outcome expected) {}
            for (Case c : List.of(
                    new Case(
                            json(secured.url()).put("user", "vantage").put("password", PASSWORD),
                            Outcome.delivered(null)),
                    new Case(
                            json(secured.url()).put("user", "vantage").put("password", "wrong-" + PASSWORD),
                            Outcome.rejected(null, "NATS at " + address + " refused the credentials")),
                    new Case(
                            json(secured.url()),
                            Outcome.rejected(null, "NATS at " + address + " refused the credentials")))) {
                NatsSettings settings =
                        configure(c.settings().put("subject", "a").put("timeout_ms", 1000));

                long start = System.nanoTime();
                Outcome outcome = send(settings, notifier.render(settings, 17, Notices.firing()));

                assertThat(outcome).as("%s", settings).isEqualTo(c.expected());
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
            }
        }
    }

    @Test
    void aTokenIsSentAndAWrongOneRejected() throws Exception {
        try (var secured = NatsServer.create("--auth", TOKEN)) {
            NatsSettings right =
                    configure(json(secured.url()).put("token", TOKEN).put("subject", "a"));
            NatsSettings wrong = configure(json(secured.url())
                    .put("token", "wrong-" + TOKEN)
                    .put("subject", "a")
                    .put("timeout_ms", 1000));

            assertThat(send(right, notifier.render(right, 17, Notices.firing())))
                    .isEqualTo(Outcome.delivered(null));
            Outcome refused = send(wrong, notifier.render(wrong, 17, Notices.firing()));
            assertThat(refused)
                    .isEqualTo(
                            Outcome.rejected(null, "NATS at 127.0.0.1:" + secured.port() + " refused the credentials"));
        }
    }

    @Test
    void aPublishTheServerRefusesIsRejectedNotDelivered(@TempDir Path dir) throws Exception {
        Path config = dir.resolve("nats.conf");
        Files.writeString(
                config,
                """
                authorization {
                  users = [
                    {user: "writer", password: "%s", permissions: {publish: ["allowed.>"]}}
                  ]
                }
                """
                        .formatted(PASSWORD));
        try (var restricted = NatsServer.create("-c", config.toString())) {
            ObjectNode base = json(restricted.url()).put("user", "writer").put("password", PASSWORD);
            NatsSettings allowed = configure(base.deepCopy().put("subject", "allowed.ops"));
            NatsSettings forbidden = configure(base.deepCopy().put("subject", "forbidden.ops"));

            assertThat(send(allowed, notifier.render(allowed, 17, Notices.firing())))
                    .isEqualTo(Outcome.delivered(null));
            assertThat(send(forbidden, notifier.render(forbidden, 17, Notices.firing())))
                    .isEqualTo(Outcome.rejected(
                            null,
                            "NATS at 127.0.0.1:" + restricted.port() + " refused the publish: permissions violation"));
        }
    }

    @Test
    void aServerThatNeverAnswersIsARetryWithinTheTimeout() throws Exception {
        // A listening socket that nobody reads: the kernel completes the connection, no INFO ever comes.
        try (var silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            NatsSettings settings = configure(json("nats://127.0.0.1:" + silent.getLocalPort())
                    .put("subject", "a")
                    .put("timeout_ms", 1000));

            long start = System.nanoTime();
            Outcome outcome = send(settings, notifier.render(settings, 17, Notices.firing()));
            Duration took = Duration.ofNanos(System.nanoTime() - start);

            assertThat(outcome.kind()).isEqualTo(Outcome.Kind.RETRY);
            assertThat(outcome.detail()).startsWith("NATS at 127.0.0.1:" + silent.getLocalPort() + ": cannot connect");
            assertThat(took).isLessThan(Duration.ofMillis(2500));
        }
    }

    @Test
    void everyAttemptClosesItsConnection() throws Exception {
        NatsSettings settings = configure(json(nats.url()).put("subject", "closing"));
        long before = natsThreads();
        try (Connection open = connect(nats.url())) {
            assertThat(natsThreads())
                    .as("an open connection has threads of its own")
                    .isGreaterThan(before);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> natsThreads() <= before);

        for (int i = 0; i < 5; i++) {
            assertThat(send(settings, notifier.render(settings, i, Notices.firing())))
                    .isEqualTo(Outcome.delivered(null));
        }

        await().atMost(Duration.ofSeconds(10)).until(() -> natsThreads() <= before);
    }

    @Test
    void aStoppedServerFailsTheAttemptNamingItAndTheRestartedServerTakesTheNext() throws Exception {
        try (var restarting = NatsServer.create("--user", "vantage", "--pass", PASSWORD)) {
            String address = "127.0.0.1:" + restarting.port();
            try (Connection c = connect(restarting.url(), PASSWORD)) {
                c.jetStreamManagement()
                        .addStream(StreamConfiguration.builder()
                                .name("KEPT")
                                .subjects("kept")
                                .storageType(StorageType.File)
                                .build());
            }
            NatsSettings settings = configure(json(restarting.url())
                    .put("user", "vantage")
                    .put("password", PASSWORD)
                    .put("subject", "kept"));
            assertThat(send(settings, notifier.render(settings, 1, Notices.firing())))
                    .isEqualTo(Outcome.delivered(null));

            restarting.stop();
            Outcome whileDown = send(settings, notifier.render(settings, 2, Notices.resolved()));

            assertThat(whileDown.kind()).isEqualTo(Outcome.Kind.RETRY);
            assertThat(whileDown.detail())
                    .startsWith("NATS at " + address + ": cannot connect")
                    .doesNotContain(PASSWORD);

            restarting.start();
            assertThat(send(settings, notifier.render(settings, 2, Notices.resolved())))
                    .isEqualTo(Outcome.delivered(null));
            try (Connection c = connect(restarting.url(), PASSWORD)) {
                var jsm = c.jetStreamManagement();
                assertThat(jsm.getStreamInfo("KEPT").getStreamState().getMsgCount())
                        .isEqualTo(2);
                assertThat(jsm.getMessage("KEPT", 2).getHeaders().getFirst("Nats-Msg-Id"))
                        .isEqualTo("vantage-notification-2");
            }
        }
    }

    private Outcome send(NatsSettings settings, NatsNotifier.Message message) {
        return notifier.send(settings, message, Instant.now().plusSeconds(5));
    }

    private NatsSettings configure(ObjectNode settings) throws Exception {
        return notifier.configure(settings);
    }

    private static ObjectNode json(String url) {
        return JSON.createObjectNode().put("url", url);
    }

    private static Connection connect(String url) throws IOException, InterruptedException {
        return Nats.connect(options(url).build());
    }

    private static Connection connect(String url, String password) throws IOException, InterruptedException {
        return Nats.connect(options(url).userInfo("vantage", password).build());
    }

    private static Options.Builder options(String url) {
        return new Options.Builder()
                .server(url)
                .connectionTimeout(Duration.ofSeconds(5))
                .noReconnect()
                .errorListener(new ErrorListener() {});
    }

    /** Threads of jnats connections in this JVM (jnats names them {@code nats…}). */
    private static long natsThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("nats"))
                .count();
    }
}
