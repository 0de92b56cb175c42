package dev.vantage.notify.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vantage.notify.Notice;
import dev.vantage.notify.Notices;
import dev.vantage.notify.NotifierContext;
import dev.vantage.notify.Outcome;
import dev.vantage.testing.RedisServer;
import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPubSub;
import redis.clients.jedis.StreamEntryID;
import redis.clients.jedis.resps.StreamEntry;

/** The redis notifier against a real redis-server on loopback ({@link RedisServer}). */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(120)
class RedisNotifierIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PASSWORD = "planted-redis-pass-Hk4";

    private final RedisNotifier notifier = new RedisNotifier(NotifierContext.of(null, Clock.systemUTC()));
    private RedisServer redis;

    @BeforeAll
    void startRedis() {
        redis = RedisServer.create();
    }

    @AfterAll
    void stopRedis() {
        redis.close();
    }

    @Test
    void aSubscriberOfTheChannelReceivesExactlyTheRenderedJson() throws Exception {
        RedisSettings settings = configure(json(redis.url()).put("channel", "vantage.alerts"));
        RedisNotifier.Message message = notifier.render(settings, 17, Notices.firing());

        try (var subscriber = Subscriber.on(redis.port(), "vantage.alerts")) {
            Outcome outcome = send(settings, message);

            assertThat(outcome).isEqualTo(Outcome.delivered(null));
            assertThat(subscriber.next()).isEqualTo(message.body());
        }
    }

    @Test
    void aPublishThatNoSubscriberHearsIsRetried() throws Exception {
        RedisSettings settings = configure(json(redis.url()).put("channel", "nobody.listens"));

        Outcome outcome = send(settings, notifier.render(settings, 17, Notices.firing()));

        assertThat(outcome.kind()).isEqualTo(Outcome.Kind.RETRY);
        assertThat(outcome.detail())
                .isEqualTo("Redis at 127.0.0.1:" + redis.port() + ": no subscriber on channel nobody.listens");
    }

    @Test
    void aStreamEntryHoldsTheRenderedJsonBesideItsEventKeyAndId() throws Exception {
        RedisSettings settings = configure(json(redis.url()).put("stream", "vantage:notices"));
        RedisNotifier.Message firing = notifier.render(settings, 17, Notices.firing());
        RedisNotifier.Message resolved = notifier.render(settings, 18, Notices.resolved());

        assertThat(send(settings, firing)).isEqualTo(Outcome.delivered(null));
        assertThat(send(settings, resolved)).isEqualTo(Outcome.delivered(null));

        try (var jedis = jedis(redis.port(), 0)) {
            List<StreamEntry> entries = jedis.xrange("vantage:notices", (StreamEntryID) null, null);
            assertThat(entries).hasSize(2);
            assertThat(entries.get(0).getFields())
                    .containsExactlyInAnyOrderEntriesOf(Map.of(
                            "notice", firing.body(),
                            "event", "firing",
                            "dedup_key", "vantage-incident-42",
                            "message_id", "vantage-notification-17"));
            assertThat(entries.get(1).getFields()).containsEntry("notice", resolved.body());
            assertThat(JSON.readTree(entries.get(1).getFields().get("notice"))
                            .at("/data/resolved_at")
                            .asText())
                    .isEqualTo("2025-03-01T12:10:00Z");
        }
    }

    @Test
    void maxlenTrimsTheStreamApproximately() throws Exception {
        // Approximate trimming drops whole nodes of the stream's radix tree; small nodes make it visible.
        try (var small = RedisServer.create("--stream-node-max-entries", "4")) {
            RedisSettings settings =
                    configure(json(small.url()).put("stream", "trimmed").put("maxlen", 5));
            for (int i = 1; i <= 40; i++) {
                assertThat(send(settings, notifier.render(settings, i, Notices.firing())))
                        .isEqualTo(Outcome.delivered(null));
            }
            try (var jedis = jedis(small.port(), 0)) {
                assertThat(jedis.xlen("trimmed")).isBetween(5L, 5L + 4);
            }
        }
    }

    @Test
    void theDatabaseOfTheUrlIsTheOneWrittenTo() throws Exception {
        RedisSettings settings = configure(json(redis.url() + "/3").put("stream", "in-three"));

        assertThat(send(settings, notifier.render(settings, 17, Notices.firing())))
                .isEqualTo(Outcome.delivered(null));

        try (var zero = jedis(redis.port(), 0);
                var three = jedis(redis.port(), 3)) {
            assertThat(zero.exists("in-three")).isFalse();
            assertThat(three.xlen("in-three")).isEqualTo(1);
        }
    }

    @Test
    void aKeyOfAnotherTypeIsRejected() throws Exception {
        try (var jedis = jedis(redis.port(), 0)) {
            jedis.set("not-a-stream", "x");
        }
        RedisSettings settings = configure(json(redis.url()).put("stream", "not-a-stream"));

        Outcome outcome = send(settings, notifier.render(settings, 17, Notices.firing()));

        assertThat(outcome)
                .isEqualTo(Outcome.rejected(
                        null,
                        "Redis at 127.0.0.1:" + redis.port()
                                + " refused XADD: the key holds another type (WRONGTYPE)"));
    }

    @Test
    void wrongCredentialsAndMissingPermissionsAreRejectedWithoutQuotingThem() throws Exception {
        try (var secured = RedisServer.create("--requirepass", PASSWORD)) {
            String address = "127.0.0.1:" + secured.port();
            try (var admin = jedis(secured.port(), 0, PASSWORD)) {
                admin.aclSetUser("writer", "on", ">" + PASSWORD + "-writer", "~allowed:*", "+xadd");
            }
            record Case(String url, String stream, Outcome expected) {}
            for (Case c : List.of(
                    new Case("redis://:" + PASSWORD + "@" + address, "allowed:a", Outcome.delivered(null)),
                    new Case("redis://default:" + PASSWORD + "@" + address, "allowed:a", Outcome.delivered(null)),
                    new Case("redis://writer:" + PASSWORD + "-writer@" + address, "allowed:b", Outcome.delivered(null)),
                    new Case(
                            "redis://:wrong-" + PASSWORD + "@" + address,
                            "allowed:a",
                            Outcome.rejected(null, "Redis at " + address + " refused the credentials (WRONGPASS)")),
                    new Case(
                            "redis://" + address,
                            "allowed:a",
                            Outcome.rejected(null, "Redis at " + address + " requires a password (NOAUTH)")),
                    new Case(
                            "redis://writer:" + PASSWORD + "-writer@" + address,
                            "forbidden",
                            Outcome.rejected(
                                    null, "Redis at " + address + " refused the command: no permission (NOPERM)")))) {
                RedisSettings settings = configure(json(c.url()).put("stream", c.stream()));
                assertThat(send(settings, notifier.render(settings, 17, Notices.firing())))
                        .as(c.url().replace(PASSWORD, "***") + " " + c.stream())
                        .isEqualTo(c.expected());
            }
        }
    }

    @Test
    void everyAttemptClosesItsConnection() throws Exception {
        RedisSettings settings = configure(json(redis.url()).put("stream", "closing"));
        for (int i = 0; i < 5; i++) {
            send(settings, notifier.render(settings, i, Notices.firing()));
        }
        send(configure(json(redis.url()).put("channel", "nobody")), notifier.render(settings, 9, Notices.firing()));

        try (var jedis = jedis(redis.port(), 0)) {
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> !jedis.clientList().contains("name=" + RedisNotifier.CLIENT_NAME));
        }
    }

    @Test
    void aServerThatNeverAnswersIsARetryWithinTheTimeout() throws Exception {
        // A listening socket that nobody reads: the kernel completes the connection, no reply ever comes.
        try (var silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            RedisSettings settings = configure(json("redis://127.0.0.1:" + silent.getLocalPort())
                    .put("stream", "s")
                    .put("timeout_ms", 500));

            long start = System.nanoTime();
            Outcome outcome = send(settings, notifier.render(settings, 17, Notices.firing()));
            Duration took = Duration.ofNanos(System.nanoTime() - start);

            assertThat(outcome.kind()).isEqualTo(Outcome.Kind.RETRY);
            assertThat(outcome.detail())
                    .isEqualTo("Redis at 127.0.0.1:" + silent.getLocalPort() + ": timed out after 500 ms");
            assertThat(took).isLessThan(Duration.ofSeconds(2));
        }
    }

    @Test
    void aStoppedServerFailsTheAttemptNamingItAndTheRestartedServerTakesTheNext() throws Exception {
        try (var restarting = RedisServer.create("--requirepass", PASSWORD)) {
            String address = "127.0.0.1:" + restarting.port();
            RedisSettings settings =
                    configure(json("redis://:" + PASSWORD + "@" + address).put("stream", "survives"));
            Notice notice = Notices.firing();
            assertThat(send(settings, notifier.render(settings, 1, notice))).isEqualTo(Outcome.delivered(null));

            restarting.stop();
            Outcome whileDown = send(settings, notifier.render(settings, 2, notice));

            assertThat(whileDown.kind()).isEqualTo(Outcome.Kind.RETRY);
            assertThat(whileDown.detail())
                    .isEqualTo("Redis at " + address + ": connection refused")
                    .doesNotContain(PASSWORD);

            restarting.start();
            assertThat(send(settings, notifier.render(settings, 2, notice))).isEqualTo(Outcome.delivered(null));
            try (var jedis = jedis(restarting.port(), 0, PASSWORD)) {
                assertThat(jedis.xrange("survives", (StreamEntryID) null, null))
                        .extracting(e -> e.getFields().get("message_id"))
                        .containsExactly("vantage-notification-1", "vantage-notification-2");
            }
        }
    }

    @Test
    void aRedissUrlVerifiesTheServersCertificate(@TempDir Path dir) throws Exception {
        Path certificate = dir.resolve("server.crt");
        Path key = dir.resolve("server.key");
        writeSelfSignedPem(certificate, key);
        int tlsPort = freePort();
        try (var tls = RedisServer.create(
                "--tls-port",
                Integer.toString(tlsPort),
                "--tls-cert-file",
                certificate.toString(),
                "--tls-key-file",
                key.toString(),
                "--tls-auth-clients",
                "no")) {
            RedisSettings settings =
                    configure(json("rediss://localhost:" + tlsPort).put("channel", "c"));

            Outcome outcome = send(settings, notifier.render(settings, 17, Notices.firing()));

            // Nobody trusts the certificate: the handshake fails, where a client that skipped verification would
            // have published (and been told that nobody listens).
            assertThat(outcome.kind()).isEqualTo(Outcome.Kind.RETRY);
            assertThat(outcome.detail()).startsWith("Redis at localhost:" + tlsPort + ": TLS failed: ");
        }
    }

    private Outcome send(RedisSettings settings, RedisNotifier.Message message) {
        return notifier.send(settings, message, Instant.now().plusSeconds(5));
    }

    private RedisSettings configure(ObjectNode settings) throws Exception {
        return notifier.configure(settings);
    }

    private static ObjectNode json(String url) {
        return JSON.createObjectNode().put("url", url);
    }

    private static Jedis jedis(int port, int database) {
        return jedis(port, database, null);
    }

    private static Jedis jedis(int port, int database, String password) {
        return new Jedis(
                new HostAndPort("127.0.0.1", port),
                DefaultJedisClientConfig.builder()
                        .database(database)
                        .password(password)
                        .timeoutMillis(5_000)
                        .autoNegotiateProtocol(false)
                        .build());
    }

    /** A self-signed certificate for localhost and its key, as PEM files: what redis-server's TLS takes. */
    private static void writeSelfSignedPem(Path certificate, Path key) throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(256);
        KeyPair keys = generator.generateKeyPair();
        X500Name name = new X500Name("CN=localhost");
        Instant now = Instant.now();
        var builder = new JcaX509v3CertificateBuilder(
                name,
                BigInteger.valueOf(now.toEpochMilli()),
                Date.from(now.minus(Duration.ofDays(1))),
                Date.from(now.plus(Duration.ofDays(1))),
                name,
                keys.getPublic());
        builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
            new GeneralName(GeneralName.dNSName, "localhost"), new GeneralName(GeneralName.iPAddress, "127.0.0.1")
        }));
        var signer = new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate());
        X509Certificate x509 = new JcaX509CertificateConverter().getCertificate(builder.build(signer));
        Files.writeString(certificate, pem("CERTIFICATE", x509.getEncoded()));
        Files.writeString(key, pem("PRIVATE KEY", keys.getPrivate().getEncoded())); // PKCS#8
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    private static int freePort() throws IOException {
        try (var socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** A SUBSCRIBE on a connection of its own, in a thread of its own; ready once the server confirmed it. */
    private static final class Subscriber implements AutoCloseable {
        private final BlockingQueue<String> received = new LinkedBlockingQueue<>();
        private final CountDownLatch subscribed = new CountDownLatch(1);
        private final Jedis jedis;
        private final JedisPubSub pubSub = new JedisPubSub() {
            @Override
            public void onSubscribe(String channel, int subscribedChannels) {
                subscribed.countDown();
            }

            @Override
            public void onMessage(String channel, String message) {
                received.add(message);
            }
        };
        private final Thread thread;

        private Subscriber(int port, String channel) {
            this.jedis = jedis(port, 0);
            this.thread = Thread.ofVirtual().name("redis-subscriber").start(() -> jedis.subscribe(pubSub, channel));
        }

        static Subscriber on(int port, String channel) throws InterruptedException {
            var subscriber = new Subscriber(port, channel);
            assertThat(subscriber.subscribed.await(5, TimeUnit.SECONDS))
                    .as("subscribed")
                    .isTrue();
            return subscriber;
        }

        String next() throws InterruptedException {
            String message = received.poll(5, TimeUnit.SECONDS);
            assertThat(message).as("a message within 5 s").isNotNull();
            return message;
        }

        @Override
        public void close() {
            pubSub.unsubscribe();
            try {
                thread.join(Duration.ofSeconds(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            jedis.close();
        }
    }
}
