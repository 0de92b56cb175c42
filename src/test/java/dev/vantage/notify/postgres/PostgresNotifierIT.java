package dev.vantage.notify.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vantage.db.Database;
import dev.vantage.notify.Event;
import dev.vantage.notify.InvalidChannelException;
import dev.vantage.notify.Notice;
import dev.vantage.notify.NoticeGroup;
import dev.vantage.notify.NoticeJson;
import dev.vantage.notify.Notices;
import dev.vantage.notify.Notifier;
import dev.vantage.notify.NotifierContext;
import dev.vantage.notify.NotifierContractTest;
import dev.vantage.notify.Outcome;
import dev.vantage.notify.Text;
import dev.vantage.testing.PostgresExtension;
import dev.vantage.testing.PostgresExtension.Fresh;
import dev.vantage.testing.TestDatabase;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.postgresql.ds.PGSimpleDataSource;

@ExtendWith(PostgresExtension.class)
class PostgresNotifierIT extends NotifierContractTest<PostgresSettings, String> {
    private final PostgresNotifier notifier = new PostgresNotifier(CONTEXT);

    @Override
    protected Notifier<PostgresSettings, String> notifier() {
        return notifier;
    }

    @Override
    protected ObjectNode validSettings() {
        return JSON.createObjectNode().put("channel", "vantage_alerts");
    }

    @Override
    protected Set<String> plantedSecrets() {
        return Set.of();
    }

    @Override
    protected Optional<Target<PostgresSettings, String>> unreachable(int closedPort) {
        var ds = new PGSimpleDataSource();
        ds.setServerNames(new String[] {"127.0.0.1"});
        ds.setPortNumbers(new int[] {closedPort});
        ds.setDatabaseName("vantage");
        ds.setConnectTimeout(2);
        return Optional.of(new Target<>(
                new PostgresNotifier(new NotifierContext(ds, Clock.systemUTC(), CONTEXT.http())), validSettings()));
    }

    @Test
    void theChannelDefaultsToVantageNotificationsAndMustBeALowerCaseIdentifier() throws Exception {
        assertThat(notifier.configure(JSON.createObjectNode()).channel()).isEqualTo("vantage_notifications");
        for (String bad : new String[] {"Vantage", "1abc", "a-b", "a b", "x".repeat(64), "drop;table"}) {
            var e = catchThrowableOfType(
                    InvalidChannelException.class,
                    () -> notifier.configure(JSON.createObjectNode().put("channel", bad)));
            assertThat(e).as(bad).isNotNull();
            assertThat(e.field()).isEqualTo("settings.channel");
        }
    }

    @Test
    void thePayloadIsTheNoticeAsCompactJsonWithTheNotificationId() throws Exception {
        String payload = notifier.render(configured(), 17, Notices.firing());

        assertThat(payload)
                .isEqualTo("{\"notification_id\":17,\"event\":\"firing\",\"dedup_key\":\"vantage-incident-42\","
                        + "\"incident_id\":42,\"kind\":\"monitor\",\"scope\":\"global\",\"monitor_id\":7,"
                        + "\"monitor_name\":\"checkout\",\"target\":\"https://shop.example.com/checkout\","
                        + "\"datacenters\":[\"NY\",\"VA\"],\"state\":\"DOWN\",\"error_type\":\"HTTP_STATUS\","
                        + "\"error_message\":\"[STATUS] (503) == 200\",\"opened_at\":\"2025-03-01T12:00:00Z\","
                        + "\"resolved_at\":null,\"at\":\"2025-03-01T12:00:30Z\","
                        + "\"summary\":\"checkout is DOWN in NY, VA: HTTP_STATUS [STATUS] (503) == 200\","
                        + "\"suppressed\":[]}");
        assertThat(NoticeJson.fromJson(JSON.readTree(payload))).isEqualTo(Notices.firing());
    }

    @Test
    void twoThousandSuppressedDependentsAreDroppedFromTheEndToFitAndTheSummaryStillCountsThem() throws Exception {
        var dependents = java.util.stream.IntStream.rangeClosed(1, 2000)
                .mapToObj(i -> new dev.vantage.notify.Notice.Suppressed(i, "api-" + i, "vantage-incident-" + i))
                .toList();
        String payload = notifier.render(configured(), 17, Notices.firing().withSuppressed(dependents));

        assertThat(dev.vantage.notify.Text.utf8Length(payload)).isLessThanOrEqualTo(PostgresNotifier.MAX_BYTES);
        var json = JSON.readTree(payload);
        assertThat(json.get("suppressed").size()).isBetween(10, 1999);
        assertThat(json.get("suppressed").get(0).get("monitor_name").asText()).isEqualTo("api-1");
        assertThat(json.get("summary").asText()).contains("and 2000 dependent monitors suppressed: api-1, api-2");
    }

    @Test
    void aResolvedPayloadCarriesWhenItEnded() throws Exception {
        var payload = JSON.readTree(notifier.render(configured(), 18, Notices.resolved()));

        assertThat(payload.get("event").asText()).isEqualTo("resolved");
        assertThat(payload.get("resolved_at").asText()).isEqualTo("2025-03-01T12:10:00Z");
        assertThat(NoticeJson.fromJson(payload)).isEqualTo(Notices.resolved());
    }

    @Test
    void aHugeErrorMessageIsCutSoThePayloadFitsInANotify() throws Exception {
        for (String unit : new String[] {"x", "é", "\"", "\u0001", "😀"}) {
            var base = Notices.firing();
            var notice = new dev.vantage.notify.Notice(
                    Event.FIRING,
                    base.dedupKey(),
                    base.incidentId(),
                    base.kind(),
                    base.scope(),
                    base.monitorId(),
                    base.monitorName(),
                    base.target(),
                    base.datacenters(),
                    base.state(),
                    base.errorType(),
                    unit.repeat(20_000),
                    base.openedAt(),
                    null,
                    base.at(),
                    base.summary());

            String payload = notifier.render(configured(), 17, notice);

            assertThat(payload.getBytes(StandardCharsets.UTF_8).length).as(unit).isLessThanOrEqualTo(7900);
            var json = JSON.readTree(payload);
            assertThat(json.get("error_message").asText())
                    .as(unit)
                    .startsWith(unit)
                    // cut where every notice is (Notice, TargetText), before the notifier's own NOTIFY bound
                    .containsPattern("… \\[cut, \\d+ bytes\\]$");
            assertThat(json.get("summary").asText()).isEqualTo(base.summary());
        }
    }

    @Test
    void listenersOfTheChannelReceiveThePayload(@Fresh TestDatabase db) throws Exception {
        var sender = new PostgresNotifier(new NotifierContext(db.dataSource(), Clock.systemUTC(), CONTEXT.http()));
        PostgresSettings settings = sender.configure(JSON.createObjectNode());
        String payload = sender.render(settings, 17, Notices.firing());
        try (var listener = Database.dedicated(db.connection(), "test-listen");
                var statement = listener.createStatement()) {
            statement.execute("LISTEN vantage_notifications");

            Outcome outcome = sender.send(settings, payload, Instant.now().plusSeconds(5));

            assertThat(outcome).isEqualTo(Outcome.delivered(null));
            List<PGNotification> received = new ArrayList<>();
            PGConnection pg = listener.unwrap(PGConnection.class);
            await().atMost(Duration.ofSeconds(5)).until(() -> {
                PGNotification[] batch = pg.getNotifications(100);
                if (batch != null) {
                    received.addAll(List.of(batch));
                }
                return !received.isEmpty();
            });
            assertThat(received).hasSize(1);
            assertThat(received.getFirst().getName()).isEqualTo("vantage_notifications");
            assertThat(received.getFirst().getParameter()).isEqualTo(payload);
        }
    }

    @Test
    void aGroupTooLongForOnePayloadKeepsItsFirstMembersAndCountsTheOthers() throws Exception {
        var members = new ArrayList<Notice>();
        for (int i = 0; i < 40; i++) {
            members.add(Notices.firing(100 + i, i, "monitor-" + i, List.of("NY", "VA")));
        }
        String rendered = notifier.render(configured(), 100, NoticeGroup.of(100, members));

        var payload = JSON.readTree(rendered);
        assertThat(Text.utf8Length(rendered)).isLessThanOrEqualTo(PostgresNotifier.MAX_BYTES);
        assertThat(payload.path("notification_id").asLong()).isEqualTo(100);
        assertThat(payload.path("dedup_key").asText()).isEqualTo("vantage-group-100");
        int kept = payload.path("members").size();
        assertThat(kept).isBetween(1, 39);
        assertThat(payload.path("members_omitted").asInt()).isEqualTo(40 - kept);
        assertThat(payload.path("members").get(0).path("dedup_key").asText()).isEqualTo("vantage-incident-100");
        assertThat(JSON.readTree(notifier.render(configured(), 101, Notices.group()))
                        .has("members_omitted"))
                .as("a group that fits is whole")
                .isFalse();
    }
}
