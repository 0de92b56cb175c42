package dev.vantage.notify.nats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vantage.notify.InvalidChannelException;
import dev.vantage.notify.NoticeJson;
import dev.vantage.notify.Notices;
import dev.vantage.notify.Notifier;
import dev.vantage.notify.NotifierContractTest;
import dev.vantage.notify.Outcome;
import dev.vantage.notify.Secret;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Settings, rendering and the contract; {@code NatsNotifierIT} publishes to a real server. */
class NatsNotifierTest extends NotifierContractTest<NatsSettings, NatsNotifier.Message> {
    static final String USER = "planted-nats-user-Tb2";
    static final String PASSWORD = "planted-nats-pass-Wc9";
    static final String TOKEN = "planted-nats-token-Rj5";

    private final NatsNotifier notifier = new NatsNotifier(CONTEXT);

    @Override
    protected Notifier<NatsSettings, NatsNotifier.Message> notifier() {
        return notifier;
    }

    @Override
    protected ObjectNode validSettings() {
        return JSON.createObjectNode()
                .put("url", "nats://nats.example.com:4223")
                .put("user", USER)
                .put("password", PASSWORD)
                .put("subject", "vantage.notices.ops");
    }

    @Override
    protected Set<String> plantedSecrets() {
        return Set.of(USER, PASSWORD);
    }

    @Override
    protected Optional<Target<NatsSettings, NatsNotifier.Message>> unreachable(int closedPort) {
        return Optional.of(new Target<>(
                notifier,
                JSON.createObjectNode()
                        .put("url", "nats://127.0.0.1:" + closedPort)
                        .put("user", USER)
                        .put("password", PASSWORD)
                        .put("subject", "vantage")));
    }

    @Test
    void validSettingsGiveServerCredentialsAndSubject() throws Exception {
        NatsSettings s = configured();

        assertThat(s.url()).isEqualTo("nats://nats.example.com:4223");
        assertThat(s.address()).isEqualTo("nats.example.com:4223");
        assertThat(s.user()).isEqualTo(new Secret(USER));
        assertThat(s.password()).isEqualTo(new Secret(PASSWORD));
        assertThat(s.token()).isNull();
        assertThat(s.subject()).isEqualTo("vantage.notices.ops");
        assertThat(s.timeout()).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void urlsOfEveryAcceptedForm() throws Exception {
        for (String[] c : new String[][] {
            {"nats://127.0.0.1", "nats://127.0.0.1:4222"},
            {"nats://127.0.0.1/", "nats://127.0.0.1:4222"},
            {"NATS://bus:5000", "nats://bus:5000"},
            {"nats://[::1]:4333", "nats://[::1]:4333"},
        }) {
            NatsSettings s = notifier.configure(
                    JSON.createObjectNode().put("url", c[0]).put("subject", "a").put("token", TOKEN));
            assertThat(s.url()).as(c[0]).isEqualTo(c[1]);
            assertThat(s.token()).isEqualTo(new Secret(TOKEN));
        }
    }

    @Test
    void badSettingsAreRejectedNamingTheField() {
        record Case(String why, ObjectNode settings, String field, String reason) {}
        for (Case c : List.of(
                new Case("no url", settings(null, "a"), "settings.url", "is required"),
                new Case("tls url", settings("tls://bus:4222", "a"), "settings.url", "must be nats://"),
                new Case("http url", settings("http://bus", "a"), "settings.url", "must be nats://"),
                new Case(
                        "credentials in the url",
                        settings("nats://" + TOKEN + "@bus", "a"),
                        "settings.url",
                        "must not hold credentials"),
                new Case("a path", settings("nats://bus/x", "a"), "settings.url", "path"),
                new Case("no subject", settings("nats://bus", null), "settings.subject", "is required"),
                new Case("a blank", settings("nats://bus", "a b"), "settings.subject", "NATS subject"),
                new Case("a * wildcard", settings("nats://bus", "alerts.*"), "settings.subject", "wildcards"),
                new Case("a > wildcard", settings("nats://bus", "alerts.>"), "settings.subject", "wildcards"),
                new Case("an empty token", settings("nats://bus", "alerts..ops"), "settings.subject", "tokens"),
                new Case("a leading dot", settings("nats://bus", ".alerts"), "settings.subject", "tokens"),
                new Case("a trailing dot", settings("nats://bus", "alerts."), "settings.subject", "tokens"),
                new Case("too long", settings("nats://bus", "a".repeat(256)), "settings.subject", "255"),
                new Case(
                        "user without password",
                        settings("nats://bus", "a").put("user", USER),
                        "settings.password",
                        "is required with user"),
                new Case(
                        "password without user",
                        settings("nats://bus", "a").put("password", PASSWORD),
                        "settings.user",
                        "is required with password"),
                new Case(
                        "token and user",
                        settings("nats://bus", "a")
                                .put("user", USER)
                                .put("password", PASSWORD)
                                .put("token", TOKEN),
                        "settings.token",
                        "choose one"),
                new Case(
                        "tiny timeout",
                        settings("nats://bus", "a").put("timeout_ms", 1),
                        "settings.timeout_ms",
                        "between 100"))) {
            var e = catchThrowableOfType(InvalidChannelException.class, () -> notifier.configure(c.settings()));
            assertThat(e).as(c.why()).isNotNull();
            assertThat(e.field()).as(c.why()).isEqualTo(c.field());
            assertThat(e.reason()).as(c.why()).contains(c.reason());
            assertThat(e.getMessage())
                    .as(c.why())
                    .doesNotContain(TOKEN, PASSWORD, USER)
                    .doesNotContain("\n");
        }
    }

    @Test
    void aFiringNoticeRendersAsTheWebhookBodyWithItsMessageId() throws Exception {
        NatsNotifier.Message m = notifier.render(configured(), 17, Notices.firing());

        assertThat(m.id()).isEqualTo("vantage-notification-17");
        assertThat(m.body())
                .isEqualTo(
                        "{\"type\":\"incident.firing\",\"timestamp\":\"2025-03-01T12:00:30Z\",\"data\":{"
                                + "\"event\":\"firing\",\"dedup_key\":\"vantage-incident-42\",\"incident_id\":42,"
                                + "\"kind\":\"monitor\",\"scope\":\"global\",\"monitor_id\":7,\"monitor_name\":\"checkout\","
                                + "\"target\":\"https://shop.example.com/checkout\",\"datacenters\":[\"NY\",\"VA\"],"
                                + "\"state\":\"DOWN\",\"error_type\":\"HTTP_STATUS\","
                                + "\"error_message\":\"[STATUS] (503) == 200\",\"opened_at\":\"2025-03-01T12:00:00Z\","
                                + "\"resolved_at\":null,\"at\":\"2025-03-01T12:00:30Z\","
                                + "\"summary\":\"checkout is DOWN in NY, VA: HTTP_STATUS [STATUS] (503) == 200\",\"suppressed\":[]}}");
        assertThat(NoticeJson.fromJson(JSON.readTree(m.body()).get("data"))).isEqualTo(Notices.firing());
    }

    @Test
    void aResolvedNoticeHasItsOwnMessageId() throws Exception {
        NatsNotifier.Message m = notifier.render(configured(), 18, Notices.resolved());

        assertThat(m.id()).isEqualTo("vantage-notification-18");
        assertThat(JSON.readTree(m.body()).get("type").asText()).isEqualTo("incident.resolved");
        assertThat(NoticeJson.fromJson(JSON.readTree(m.body()).get("data"))).isEqualTo(Notices.resolved());
    }

    @Test
    void aRefusedConnectionNamesTheServerAndNoCredential() throws Exception {
        var target = unreachable(closedPort()).orElseThrow();
        NatsSettings settings = notifier.configure(target.settings());

        Outcome outcome = notifier.send(
                settings,
                notifier.render(settings, 17, Notices.firing()),
                Instant.now().plusSeconds(3));

        assertThat(outcome.kind()).isEqualTo(Outcome.Kind.RETRY);
        assertThat(outcome.detail())
                .startsWith("NATS at " + settings.address() + ": cannot connect")
                .doesNotContain(USER, PASSWORD);
    }

    private static ObjectNode settings(String url, String subject) {
        ObjectNode s = JSON.createObjectNode();
        if (url != null) {
            s.put("url", url);
        }
        if (subject != null) {
            s.put("subject", subject);
        }
        return s;
    }
}
