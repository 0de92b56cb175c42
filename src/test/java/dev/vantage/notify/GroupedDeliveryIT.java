package dev.vantage.notify;

import static dev.vantage.notify.DeliveryIT.attempts;
import static dev.vantage.notify.DeliveryIT.status;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.vantage.notify.pagerduty.PagerDutyNotifier;
import dev.vantage.notify.webhook.WebhookNotifier;
import dev.vantage.store.Fence;
import dev.vantage.testing.HttpReceiver;
import dev.vantage.testing.HttpReceiver.Answer;
import dev.vantage.testing.PostgresExtension;
import dev.vantage.testing.PostgresExtension.Fresh;
import dev.vantage.testing.TestDatabase;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Grouped notices against real PostgreSQL and a loopback receiver, through the real webhook and PagerDuty notifiers:
 * what one channel gets when several incidents open or end within its {@code group_seconds}.
 */
@ExtendWith(PostgresExtension.class)
class GroupedDeliveryIT {
    private static final NotifierContext CONTEXT = NotifierContext.of(null, Clock.systemUTC());
    private static final String ROUTING_KEY = "R0UT1NGKEY0000000000000000000000";
    /** DeliveryIT's settings with the default attempt timeout: at a load of 20 a loopback POST took over 2 s. */
    private static final DeliverySettings SETTINGS = DeliveryIT.FAST.withAttemptTimeout(Duration.ofSeconds(10));

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final HttpReceiver receiver = HttpReceiver.start();
    private final Map<Integer, Channel> channels = new HashMap<>();
    private final List<Delivery> deliveries = new ArrayList<>();

    @AfterEach
    void stop() {
        deliveries.forEach(Delivery::close);
        receiver.close();
    }

    /** The channels configured here, as the monitor module's configuration serves them. */
    private final ChannelDirectory directory = new ChannelDirectory() {
        @Override
        public Optional<Sender> find(int channelId) {
            Channel channel = channels.get(channelId);
            return Optional.ofNullable(channel)
                    .map(c -> (id, notice, deadline) -> c.send(c.render(id, notice), deadline));
        }

        @Override
        public Set<Integer> ungroupedChannels() {
            return channels.values().stream()
                    .filter(c -> !c.groups())
                    .map(Channel::id)
                    .collect(Collectors.toSet());
        }
    };

    private void start(TestDatabase db) {
        var d = new Delivery(db.jdbi(), directory, Fence.NONE, () -> true, SETTINGS, registry);
        deliveries.add(d);
        d.start();
    }

    private int webhook(TestDatabase db, String name, int groupSeconds) throws InvalidChannelException {
        int id = channel(db, name, "webhook", groupSeconds);
        var settings = JsonNodeFactory.instance
                .objectNode()
                .put("url", receiver.uri("/" + name).toString());
        channels.put(id, Channel.configure(id, name, new WebhookNotifier(CONTEXT), settings));
        return id;
    }

    private static int channel(TestDatabase db, String name, String type, int groupSeconds) {
        return (int) db.count(
                "INSERT INTO notification_channels (name, type, repeat_every, group_seconds) VALUES (?, ?, NULL, ?)"
                        + " RETURNING id",
                name,
                type,
                groupSeconds);
    }

    private static JsonNode body(HttpReceiver.Request request) {
        try {
            return NoticeJson.MAPPER.readTree(request.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<String> memberKeys(HttpReceiver.Request request) {
        return StreamSupport.stream(body(request).path("data").path("members").spliterator(), false)
                .map(m -> m.path("dedup_key").asText())
                .toList();
    }

    private static List<String> keys(List<Long> incidents) {
        return incidents.stream().map(i -> "vantage-incident-" + i).toList();
    }

    private static List<Long> incidents(OutboxSeed seed, int count) {
        var ids = new ArrayList<Long>();
        for (int m = 1; m <= count; m++) {
            ids.add(seed.incident(m));
        }
        return ids;
    }

    private static long groupOf(TestDatabase db, long id) {
        return db.count("SELECT group_id FROM notifications WHERE id = ?", id);
    }

    @Test
    void fiveIncidentsOpeningWithinTheWindowGoOutAsOneNoticeListingTheirFiveDedupKeys(@Fresh TestDatabase db)
            throws Exception {
        var seed = new OutboxSeed(db);
        int channel = webhook(db, "ops", 2);
        var incidents = incidents(seed, 5);
        var ids = new ArrayList<Long>();
        for (long incident : incidents) {
            ids.add(seed.enqueue(incident, channel, Event.FIRING));
        }

        start(db);
        await().atMost(Duration.ofSeconds(30))
                .until(() -> db.count("SELECT count(*) FROM notifications WHERE status = 'delivered'") == 5);

        var request = receiver.requests().getFirst();
        assertThat(receiver.requests()).hasSize(1);
        JsonNode body = body(request);
        assertThat(body.path("type").asText()).isEqualTo("incident.firing");
        assertThat(body.path("data").path("kind").asText()).isEqualTo("group");
        assertThat(body.path("data").path("dedup_key").asText()).isEqualTo("vantage-group-" + ids.getFirst());
        assertThat(body.path("data").path("incident_id").isNull()).isTrue();
        assertThat(body.path("data").path("summary").asText())
                .isEqualTo("5 monitors DOWN: checkout (NY, VA), checkout (NY, VA), checkout (NY, VA),"
                        + " checkout (NY, VA), checkout (NY, VA)");
        assertThat(memberKeys(request)).containsExactlyElementsOf(keys(incidents));
        assertThat(body.path("data").path("members").get(0).path("incident_id").asLong())
                .isEqualTo(incidents.getFirst());
        assertThat(request.header("webhook-id")).isEqualTo("vantage-notification-" + ids.getFirst());
        for (long id : ids) {
            assertThat(groupOf(db, id)).isEqualTo(ids.getFirst());
            assertThat(attempts(db, id)).containsExactly("1 delivered 200");
        }
        assertThat(db.count("SELECT count(*) FROM notifications WHERE delivered_at - created_at >= interval '2 s'"))
                .as("every member waited for the window of the first")
                .isEqualTo(5);
    }

    @Test
    void openingAndClosingNoticesGroupApart(@Fresh TestDatabase db) throws Exception {
        var seed = new OutboxSeed(db);
        int channel = webhook(db, "ops", 1);
        var incidents = incidents(seed, 5);
        // Incidents 4 and 5 fired long ago and end now; 1 to 3 open now.
        for (long incident : incidents.subList(3, 5)) {
            long firing = seed.enqueue(incident, channel, Event.FIRING);
            db.execute("UPDATE notifications SET status = 'delivered', group_id = id WHERE id = ?", firing);
        }
        for (long incident : incidents.subList(0, 3)) {
            seed.enqueue(incident, channel, Event.FIRING);
        }
        for (long incident : incidents.subList(3, 5)) {
            seed.enqueue(incident, channel, Event.RESOLVED);
        }

        start(db);
        await().atMost(Duration.ofSeconds(30))
                .until(() -> db.count("SELECT count(*) FROM notifications WHERE status = 'delivered'") == 7);

        assertThat(receiver.requests()).hasSize(2);
        Map<String, List<String>> byType = receiver.requests().stream()
                .collect(Collectors.toMap(r -> body(r).path("type").asText(), GroupedDeliveryIT::memberKeys));
        assertThat(byType)
                .containsOnly(
                        Map.entry("incident.firing", keys(incidents.subList(0, 3))),
                        Map.entry("incident.resolved", keys(incidents.subList(3, 5))));
        var resolved = receiver.requests().stream()
                .map(GroupedDeliveryIT::body)
                .filter(b -> b.path("type").asText().equals("incident.resolved"))
                .findFirst()
                .orElseThrow();
        assertThat(resolved.path("data").path("summary").asText())
                .isEqualTo("2 monitors UP: checkout (NY, VA), checkout (NY, VA)");
        assertThat(resolved.path("data").path("members"))
                .allSatisfy(m -> assertThat(m.path("event").asText()).isEqualTo("resolved"));
    }

    @Test
    void aChannelWithoutAWindowSendsEveryNoticeAtOnceAsBefore(@Fresh TestDatabase db) throws Exception {
        var seed = new OutboxSeed(db);
        int channel = webhook(db, "ops", 0);
        var incidents = incidents(seed, 5);
        var ids = new ArrayList<Long>();
        for (long incident : incidents) {
            ids.add(seed.enqueue(incident, channel, Event.FIRING));
        }

        start(db);
        await().atMost(Duration.ofSeconds(30))
                .until(() -> db.count("SELECT count(*) FROM notifications WHERE status = 'delivered'") == 5);

        assertThat(receiver.requests()).hasSize(5);
        assertThat(receiver.requests())
                .extracting(r -> body(r).path("data").path("dedup_key").asText())
                .containsExactlyInAnyOrderElementsOf(keys(incidents));
        assertThat(receiver.requests())
                .allSatisfy(r -> assertThat(body(r).path("data").has("members")).isFalse());
        for (long id : ids) {
            assertThat(groupOf(db, id)).isEqualTo(id);
        }
    }

    @Test
    void aRetryOfAFailedGroupSendsTheSameMembersAndLaterIncidentsGoInANoticeOfTheirOwn(@Fresh TestDatabase db)
            throws Exception {
        var seed = new OutboxSeed(db);
        // The retry is due (2 s) before the later incidents' window ends (3 s): they must not join it.
        int channel = webhook(db, "ops", 3);
        receiver.thenAnswer(Answer.status(503).withHeader("Retry-After", "2"));
        var incidents = incidents(seed, 5);
        var first = new ArrayList<Long>();
        for (long incident : incidents.subList(0, 3)) {
            first.add(seed.enqueue(incident, channel, Event.FIRING));
        }

        start(db);
        await().atMost(Duration.ofSeconds(30)).until(() -> receiver.requests().size() == 1);
        var later = new ArrayList<Long>();
        for (long incident : incidents.subList(3, 5)) {
            later.add(seed.enqueue(incident, channel, Event.FIRING));
        }
        await().atMost(Duration.ofSeconds(30))
                .until(() -> db.count("SELECT count(*) FROM notifications WHERE status = 'delivered'") == 5);

        var requests = receiver.requests();
        assertThat(requests).hasSize(3);
        var firstGroup = requests.stream()
                .filter(r -> r.header("webhook-id").equals("vantage-notification-" + first.getFirst()))
                .toList();
        assertThat(firstGroup).extracting(HttpReceiver.Request::answered).containsExactly(503, 200);
        assertThat(firstGroup)
                .allSatisfy(r -> assertThat(memberKeys(r)).containsExactlyElementsOf(keys(incidents.subList(0, 3))));
        assertThat(body(firstGroup.get(1)).path("data"))
                .as("the retry sends the same notice")
                .isEqualTo(body(firstGroup.get(0)).path("data"));
        for (long id : first) {
            assertThat(attempts(db, id)).containsExactly("1 retry 503", "2 delivered 200");
        }
        var second = requests.stream()
                .filter(r -> r.header("webhook-id").equals("vantage-notification-" + later.getFirst()))
                .toList();
        assertThat(second).singleElement().satisfies(r -> assertThat(memberKeys(r))
                .containsExactlyElementsOf(keys(incidents.subList(3, 5))));
    }

    @Test
    void aGroupWhoseSenderDiedIsSentAgainWithTheSameMembersOnceItsClaimExpires(@Fresh TestDatabase db)
            throws Exception {
        var seed = new OutboxSeed(db);
        int channel = webhook(db, "ops", 1);
        var incidents = incidents(seed, 4);
        var ids = new ArrayList<Long>();
        for (long incident : incidents) {
            ids.add(seed.enqueue(incident, channel, Event.FIRING));
        }
        // What a delivery killed while sending the first three as a group leaves: counted attempts, a group, a claim
        // that has just expired. The fourth was enqueued after that claim.
        db.execute(
                "UPDATE notifications SET attempts = 1, group_id = ?, claimed_until = now() - interval '1 second'"
                        + " WHERE id BETWEEN ? AND ?",
                ids.getFirst(),
                ids.get(0),
                ids.get(2));

        start(db);
        await().atMost(Duration.ofSeconds(30))
                .until(() -> db.count("SELECT count(*) FROM notifications WHERE status = 'delivered'") == 4);

        var again = receiver.requests().stream()
                .filter(r -> r.header("webhook-id").equals("vantage-notification-" + ids.getFirst()))
                .toList();
        assertThat(again).singleElement().satisfies(r -> assertThat(memberKeys(r))
                .containsExactlyElementsOf(keys(incidents.subList(0, 3))));
        assertThat(attempts(db, ids.getFirst())).containsExactly("2 delivered 200");
        assertThat(receiver.requests()).hasSize(2);
        assertThat(groupOf(db, ids.getLast())).isEqualTo(ids.getLast());
    }

    @Test
    void pagerDutyStillGetsOneEventPerIncidentAtOnce(@Fresh TestDatabase db) throws Exception {
        var seed = new OutboxSeed(db);
        // The default window: PagerDuty does not group, so it never waits for it either.
        int id = (int) db.count("INSERT INTO notification_channels (name, type, repeat_every) VALUES"
                + " ('pd', 'pagerduty', NULL) RETURNING id");
        var settings = JsonNodeFactory.instance
                .objectNode()
                .put("routing_key", ROUTING_KEY)
                .put("url", receiver.uri("/pd").toString());
        channels.put(id, Channel.configure(id, "pd", new PagerDutyNotifier(CONTEXT), settings));
        receiver.answer(Answer.status(202));
        var incidents = incidents(seed, 3);
        var ids = new ArrayList<Long>();
        for (long incident : incidents) {
            ids.add(seed.enqueue(incident, id, Event.FIRING));
        }

        start(db);
        await().atMost(Duration.ofSeconds(30))
                .until(() -> ids.stream().allMatch(n -> status(db, n).equals("delivered")));

        assertThat(receiver.requests())
                .extracting(r -> body(r).path("dedup_key").asText())
                .containsExactlyInAnyOrderElementsOf(keys(incidents));
        assertThat(db.count("SELECT count(*) FROM notifications WHERE delivered_at - created_at >= interval '30 s'"))
                .isZero();
        for (long n : ids) {
            assertThat(groupOf(db, n)).isEqualTo(n);
        }
    }
}
