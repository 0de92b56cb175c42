package dev.vantage.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.vantage.Meters;
import dev.vantage.store.Fence;
import dev.vantage.testing.HttpReceiver;
import dev.vantage.testing.HttpReceiver.Answer;
import dev.vantage.testing.PostgresExtension;
import dev.vantage.testing.PostgresExtension.Fresh;
import dev.vantage.testing.TestDatabase;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The delivery loop against real PostgreSQL and a loopback HTTP receiver: retries, backoff, order, isolation. */
@ExtendWith(PostgresExtension.class)
class DeliveryIT {
    static final DeliverySettings FAST = DeliverySettings.DEFAULTS
            .withPollInterval(Duration.ofMillis(50))
            .withBackoff(Duration.ofMillis(50), Duration.ofMillis(200))
            .withAttemptTimeout(Duration.ofSeconds(2));

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final HttpReceiver receiver = HttpReceiver.start();
    private final Map<Integer, ChannelDirectory.Sender> senders = new HashMap<>();
    private final List<Delivery> deliveries = new ArrayList<>();

    @AfterEach
    void stop() {
        deliveries.forEach(Delivery::close);
        receiver.close();
    }

    private Delivery start(TestDatabase db, DeliverySettings settings) {
        var d = new Delivery(
                db.jdbi(), id -> Optional.ofNullable(senders.get(id)), Fence.NONE, () -> true, settings, registry);
        deliveries.add(d);
        d.start();
        return d;
    }

    private int webhook(OutboxSeed seed, String name) {
        int id = seed.channel(name, "webhook");
        senders.put(id, new LoopbackWebhook(receiver.uri("/" + name)));
        return id;
    }

    static String status(TestDatabase db, long id) {
        return db.jdbi().withHandle(h -> h.createQuery("SELECT status FROM notifications WHERE id = :id")
                .bind("id", id)
                .mapTo(String.class)
                .one());
    }

    static List<String> attempts(TestDatabase db, long id) {
        return db.jdbi().withHandle(h -> h.createQuery(
                        "SELECT attempt || ' ' || outcome || ' ' || coalesce(status_code::text, '-')"
                                + " FROM notification_attempts WHERE notification_id = :id ORDER BY attempt")
                .bind("id", id)
                .mapTo(String.class)
                .list());
    }

    private static List<Long> webhookIds(List<HttpReceiver.Request> requests) {
        return requests.stream()
                .map(r -> Long.parseLong(r.header("webhook-id")))
                .toList();
    }

    @Test
    void aNotificationRetriedThrough503sIsAcceptedOnceAndWaitsForRetryAfter(@Fresh TestDatabase db) {
        var seed = new OutboxSeed(db);
        int channel = webhook(seed, "ops");
        receiver.thenAnswer(Answer.status(503), Answer.status(503).withHeader("Retry-After", "1"));
        long id = seed.enqueue(seed.incident(1), channel, Event.FIRING);

        start(db, FAST);
        await().atMost(Duration.ofSeconds(10)).until(() -> status(db, id).equals("delivered"));

        var requests = receiver.requests();
        assertThat(requests).extracting(HttpReceiver.Request::answered).containsExactly(503, 503, 200);
        assertThat(webhookIds(requests)).containsOnly(id);
        assertThat(requests).extracting(r -> r.header("x-dedup-key")).containsOnly("vantage-incident-1");
        assertThat(Duration.between(
                        requests.get(1).receivedAt(), requests.get(2).receivedAt()))
                .isGreaterThanOrEqualTo(Duration.ofMillis(950));
        assertThat(attempts(db, id)).containsExactly("1 retry 503", "2 retry 503", "3 delivered 200");
        assertThat(db.count("SELECT attempts FROM notifications WHERE id = ?", id))
                .isEqualTo(3);
        assertThat(db.count(
                        "SELECT count(*) FROM notifications WHERE id = ? AND delivered_at IS NOT NULL"
                                + " AND last_error IS NULL AND claimed_until IS NULL",
                        id))
                .isEqualTo(1);
        assertThat(registry.get(Meters.NOTIFICATIONS)
                        .tags("type", "webhook", "outcome", "retry")
                        .counter()
                        .count())
                .isEqualTo(2);
        assertThat(registry.get(Meters.NOTIFICATION_LATENCY).timer().count()).isEqualTo(1);
    }

    @Test
    void everyNotificationQueuedDuringAnOutageIsAcceptedExactlyOnceWhenTheReceiverRecovers(@Fresh TestDatabase db) {
        var seed = new OutboxSeed(db);
        int a = webhook(seed, "a");
        int b = webhook(seed, "b");
        receiver.answer(503);
        var ids = new ArrayList<Long>();
        for (int m = 1; m <= 6; m++) {
            long incident = seed.incident(m);
            ids.add(seed.enqueue(incident, a, Event.FIRING));
            ids.add(seed.enqueue(incident, b, Event.FIRING));
        }

        start(db, FAST);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> db.count("SELECT count(*) FROM notifications WHERE attempts >= 2") == ids.size());
        receiver.answer(200);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> db.count("SELECT count(*) FROM notifications WHERE status = 'delivered'") == ids.size());

        var accepted = webhookIds(receiver.accepted());
        assertThat(accepted).containsExactlyInAnyOrderElementsOf(ids);
        for (long id : ids) {
            var tried = attempts(db, id);
            assertThat(tried.getLast()).endsWith("delivered 200");
            assertThat(tried.subList(0, tried.size() - 1))
                    .allSatisfy(t -> assertThat(t).endsWith("retry 503"));
        }
    }

    @ParameterizedTest(name = "HTTP {0}: {1} after {2} request(s)")
    @CsvSource({
        "400, failed,    1, 1 rejected 400",
        "404, failed,    1, 1 rejected 404",
        "429, delivered, 2, 1 retry 429",
        "408, delivered, 2, 1 retry 408",
        "500, delivered, 2, 1 retry 500",
    })
    void anAnswerIsRetriedOnlyWhenItMayChange(
            int code, String finalStatus, int requests, String firstAttempt, @Fresh TestDatabase db) {
        var seed = new OutboxSeed(db);
        int channel = webhook(seed, "ops");
        receiver.thenAnswer(Answer.status(code));
        long id = seed.enqueue(seed.incident(1), channel, Event.FIRING);

        start(db, FAST);
        await().atMost(Duration.ofSeconds(10)).until(() -> !status(db, id).equals("pending"));

        assertThat(status(db, id)).isEqualTo(finalStatus);
        assertThat(receiver.requests()).hasSize(requests);
        assertThat(attempts(db, id)).hasSize(requests).first().isEqualTo(firstAttempt);
        if (finalStatus.equals("failed")) {
            assertThat(db.count("SELECT count(*) FROM notifications WHERE last_error = 'HTTP " + code + "'"))
                    .isEqualTo(1);
        }
    }

    @Test
    void aResolvedNeverOvertakesItsFiringEvenWhenTheFiringNeedsRetries(@Fresh TestDatabase db) {
        var seed = new OutboxSeed(db);
        int channel = webhook(seed, "ops");
        receiver.thenAnswer(Answer.status(503), Answer.status(502), Answer.status(503));
        long incident = seed.incident(1);
        long firing = seed.enqueue(incident, channel, Event.FIRING);
        long resolved = seed.enqueue(incident, channel, Event.RESOLVED);

        start(db, FAST);
        await().atMost(Duration.ofSeconds(10)).until(() -> status(db, resolved).equals("delivered"));

        assertThat(webhookIds(receiver.requests())).containsExactly(firing, firing, firing, firing, resolved);
        assertThat(receiver.accepted())
                .extracting(r -> r.body().contains("\"event\":\"resolved\""))
                .containsExactly(false, true);
    }

    @Test
    void aSlowChannelLeavesRoomForTheOthers(@Fresh TestDatabase db) throws Exception {
        var seed = new OutboxSeed(db);
        try (var blackHole = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            // Connections wait in the backlog and are never answered: every send runs to its deadline.
            int slow = seed.channel("slow", "webhook");
            senders.put(slow, new LoopbackWebhook(URI.create("http://127.0.0.1:" + blackHole.getLocalPort() + "/")));
            for (int m = 1; m <= 6; m++) {
                seed.enqueue(seed.incident(m), slow, Event.FIRING);
            }
            int fast = webhook(seed, "fast");
            long quick = seed.enqueue(seed.incident(100), fast, Event.FIRING);

            start(db, FAST.withAttemptTimeout(Duration.ofSeconds(5)).withConcurrency(4, 2));
            await().atMost(Duration.ofSeconds(3)).until(() -> status(db, quick).equals("delivered"));

            assertThat(db.count("SELECT count(*) FROM notification_attempts a JOIN notifications n"
                            + " ON n.id = a.notification_id WHERE n.channel_id = " + slow))
                    .as("no slow send has finished yet")
                    .isZero();
            assertThat(db.count(
                            "SELECT count(*) FROM notifications WHERE channel_id = ? AND claimed_until > now()", slow))
                    .as("sends in flight to the slow channel")
                    .isEqualTo(2);
        }
    }

    @Test
    void unusableChannelsFailTheirNotificationsAndTheOthersContinue(@Fresh TestDatabase db) {
        var seed = new OutboxSeed(db);
        int disabled = webhook(seed, "disabled");
        db.execute("UPDATE notification_channels SET enabled = false WHERE id = ?", disabled);
        int invalid = seed.channel("invalid", "webhook");
        int good = webhook(seed, "good");
        long incident = seed.incident(1);
        long toDisabled = seed.enqueue(incident, disabled, Event.FIRING);
        long toInvalid = seed.enqueue(incident, invalid, Event.FIRING);
        long toGood = seed.enqueue(incident, good, Event.FIRING);

        var d = new Delivery(
                db.jdbi(),
                new ChannelDirectory() {
                    @Override
                    public Optional<Sender> find(int channelId) {
                        return Optional.ofNullable(senders.get(channelId));
                    }

                    @Override
                    public String whyUnavailable(int channelId) {
                        return "invalid channel: settings.url: missing";
                    }
                },
                Fence.NONE,
                () -> true,
                FAST,
                registry);
        deliveries.add(d);
        d.start();
        await().atMost(Duration.ofSeconds(10))
                .until(() -> db.count("SELECT count(*) FROM notifications WHERE status = 'pending'") == 0);

        assertThat(status(db, toGood)).isEqualTo("delivered");
        Map<Long, String> errors = db.jdbi().withHandle(h -> h
                .createQuery("SELECT id, last_error FROM notifications WHERE status = 'failed' AND attempts = 0")
                .map((rs, ctx) -> Map.entry(rs.getLong(1), rs.getString(2)))
                .list()
                .stream()
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue)));
        assertThat(errors)
                .containsOnly(
                        Map.entry(toDisabled, "channel disabled"),
                        Map.entry(toInvalid, "invalid channel: settings.url: missing"));
        assertThat(webhookIds(receiver.requests())).containsExactly(toGood);
        assertThat(registry.get(Meters.NOTIFICATIONS_FAILED)
                        .tags("reason", "channel")
                        .counter()
                        .count())
                .isEqualTo(2);
    }

    @Test
    void aNotificationOlderThanTheMaximumAgeIsGivenUpWithoutSending(@Fresh TestDatabase db) {
        var seed = new OutboxSeed(db);
        int channel = webhook(seed, "ops");
        long id = seed.enqueue(seed.incident(1), channel, Event.FIRING);
        db.execute("UPDATE notifications SET created_at = now() - interval '25 hours' WHERE id = ?", id);

        start(db, FAST);
        await().atMost(Duration.ofSeconds(10)).until(() -> status(db, id).equals("failed"));

        assertThat(receiver.requests()).isEmpty();
        assertThat(
                        db.count(
                                "SELECT count(*) FROM notifications WHERE last_error LIKE 'gave up: not delivered within 24 h%'"))
                .isEqualTo(1);
    }

    @Test
    void retriesStopAtTheMaximumAge(@Fresh TestDatabase db) {
        var seed = new OutboxSeed(db);
        int channel = webhook(seed, "ops");
        receiver.answer(503);
        long id = seed.enqueue(seed.incident(1), channel, Event.FIRING);

        start(db, FAST.withMaxAge(Duration.ofSeconds(1)));
        await().atMost(Duration.ofSeconds(10)).until(() -> status(db, id).equals("failed"));

        assertThat(receiver.requests()).hasSizeGreaterThanOrEqualTo(2);
        assertThat(attempts(db, id)).allSatisfy(a -> assertThat(a).endsWith("retry 503"));
        assertThat(db.count("SELECT count(*) FROM notifications WHERE last_error LIKE 'gave up: not delivered within"
                        + " 1 s of being enqueued%HTTP 503'"))
                .isEqualTo(1);
    }

    @Test
    void theGaugesShowThePendingRowsAndTheOldestAge(@Fresh TestDatabase db) {
        var seed = new OutboxSeed(db);
        int channel = webhook(seed, "ops");
        receiver.answer(Answer.status(503).withHeader("Retry-After", "60"));
        for (int m = 1; m <= 3; m++) {
            seed.enqueue(seed.incident(m), channel, Event.FIRING);
        }
        db.execute("UPDATE notifications SET created_at = now() - interval '30 seconds'");

        start(db, FAST);
        await().atMost(Duration.ofSeconds(5))
                .until(() -> registry.get(Meters.OUTBOX_PENDING).gauge().value() == 3);
        assertThat(registry.get(Meters.OUTBOX_OLDEST_AGE).gauge().value()).isBetween(30.0, 60.0);
    }
}
