package dev.vantage.notify.redis;

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
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Settings, rendering and the contract; {@code RedisNotifierIT} sends to a real server. */
class RedisNotifierTest extends NotifierContractTest<RedisSettings, RedisNotifier.Message> {
    static final String PASSWORD = "planted-redis-pass-Qv3";
    static final String USER = "planted-redis-user-Lm8";

    private final RedisNotifier notifier = new RedisNotifier(CONTEXT);

    @Override
    protected Notifier<RedisSettings, RedisNotifier.Message> notifier() {
        return notifier;
    }

    @Override
    protected ObjectNode validSettings() {
        return JSON.createObjectNode()
                .put("url", "redis://" + USER + ":" + PASSWORD + "@redis.example.com:6380/2")
                .put("stream", "vantage:notices")
                .put("maxlen", 10000);
    }

    @Override
    protected Set<String> plantedSecrets() {
        return Set.of(PASSWORD, USER);
    }

    @Override
    protected Optional<Target<RedisSettings, RedisNotifier.Message>> unreachable(int closedPort) {
        return Optional.of(new Target<>(
                notifier,
                JSON.createObjectNode()
                        .put("url", "redis://:" + PASSWORD + "@127.0.0.1:" + closedPort)
                        .put("channel", "vantage")));
    }

    @Test
    void theUrlGivesServerDatabaseAndCredentials() throws Exception {
        RedisSettings s = configured();

        assertThat(s.host()).isEqualTo("redis.example.com");
        assertThat(s.port()).isEqualTo(6380);
        assertThat(s.database()).isEqualTo(2);
        assertThat(s.user()).isEqualTo(new Secret(USER));
        assertThat(s.password()).isEqualTo(new Secret(PASSWORD));
        assertThat(s.tls()).isFalse();
        assertThat(s.stream()).isEqualTo("vantage:notices");
        assertThat(s.channel()).isNull();
        assertThat(s.maxLength()).isEqualTo(10000);
        assertThat(s.timeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(s.address()).isEqualTo("redis.example.com:6380");
    }

    @Test
    void urlsOfEveryAcceptedForm() throws Exception {
        record Case(String url, String address, int database, String user, String password, boolean tls) {}
        for (Case c : List.of(
                new Case("redis://127.0.0.1", "127.0.0.1:6379", 0, null, null, false),
                new Case("redis://127.0.0.1/", "127.0.0.1:6379", 0, null, null, false),
                new Case("REDIS://cache:7000/15", "cache:7000", 15, null, null, false),
                new Case("rediss://cache.example.com", "cache.example.com:6379", 0, null, null, true),
                new Case("redis://:p%40ss+word@cache", "cache:6379", 0, null, "p@ss+word", false),
                new Case("redis://default:pw@cache", "cache:6379", 0, "default", "pw", false),
                new Case("redis://[::1]:6390", "[::1]:6390", 0, null, null, false))) {
            RedisSettings s = notifier.configure(
                    JSON.createObjectNode().put("url", c.url()).put("channel", "alerts"));
            assertThat(s.address()).as(c.url()).isEqualTo(c.address());
            assertThat(s.database()).as(c.url()).isEqualTo(c.database());
            assertThat(s.user()).as(c.url()).isEqualTo(c.user() == null ? null : new Secret(c.user()));
            assertThat(s.password()).as(c.url()).isEqualTo(c.password() == null ? null : new Secret(c.password()));
            assertThat(s.tls()).as(c.url()).isEqualTo(c.tls());
        }
    }

    @Test
    void badSettingsAreRejectedNamingTheField() {
        record Case(String why, ObjectNode settings, String field, String reason) {}
        String url = "redis://:" + PASSWORD + "@127.0.0.1:6379";
        for (Case c : List.of(
                new Case("no url", JSON.createObjectNode().put("channel", "a"), "settings.url", "is required"),
                new Case(
                        "http url",
                        JSON.createObjectNode()
                                .put("url", "http://" + PASSWORD + "@x")
                                .put("channel", "a"),
                        "settings.url",
                        "must be redis://"),
                new Case(
                        "no host",
                        JSON.createObjectNode()
                                .put("url", "redis://:" + PASSWORD + "@")
                                .put("channel", "a"),
                        "settings.url",
                        "must be redis://"),
                new Case(
                        "password without colon",
                        JSON.createObjectNode()
                                .put("url", "redis://" + PASSWORD + "@x")
                                .put("channel", "a"),
                        "settings.url",
                        "user info must be"),
                new Case(
                        "database not a number",
                        JSON.createObjectNode().put("url", "redis://x/db1").put("channel", "a"),
                        "settings.url",
                        "database number"),
                new Case(
                        "query",
                        JSON.createObjectNode()
                                .put("url", url + "?password=" + PASSWORD)
                                .put("channel", "a"),
                        "settings.url",
                        "query"),
                new Case("neither", JSON.createObjectNode().put("url", url), "settings.channel", "is required"),
                new Case(
                        "both",
                        JSON.createObjectNode()
                                .put("url", url)
                                .put("channel", "a")
                                .put("stream", "b"),
                        "settings.stream",
                        "not both"),
                new Case(
                        "maxlen with a channel",
                        JSON.createObjectNode()
                                .put("url", url)
                                .put("channel", "a")
                                .put("maxlen", 5),
                        "settings.maxlen",
                        "stream only"),
                new Case(
                        "maxlen zero",
                        JSON.createObjectNode()
                                .put("url", url)
                                .put("stream", "a")
                                .put("maxlen", 0),
                        "settings.maxlen",
                        "at least 1"),
                new Case(
                        "blank in a channel",
                        JSON.createObjectNode().put("url", url).put("channel", "a b"),
                        "settings.channel",
                        "blanks"),
                new Case(
                        "tiny timeout",
                        JSON.createObjectNode()
                                .put("url", url)
                                .put("channel", "a")
                                .put("timeout_ms", 5),
                        "settings.timeout_ms",
                        "between 100"))) {
            var e = catchThrowableOfType(InvalidChannelException.class, () -> notifier.configure(c.settings()));
            assertThat(e).as(c.why()).isNotNull();
            assertThat(e.field()).as(c.why()).isEqualTo(c.field());
            assertThat(e.reason()).as(c.why()).contains(c.reason()).doesNotContain(PASSWORD);
            assertThat(e.getMessage())
                    .as(c.why())
                    .isEqualTo(c.field() + ": " + e.reason())
                    .doesNotContain("\n");
        }
    }

    @Test
    void aFiringNoticeRendersAsTheWebhookBodyWithTheStreamFields() throws Exception {
        RedisNotifier.Message m = notifier.render(configured(), 17, Notices.firing());

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
        assertThat(m.fields())
                .containsExactly(
                        Map.entry("notice", m.body()),
                        Map.entry("event", "firing"),
                        Map.entry("dedup_key", "vantage-incident-42"),
                        Map.entry("message_id", "vantage-notification-17"));
        assertThat(NoticeJson.fromJson(JSON.readTree(m.body()).get("data"))).isEqualTo(Notices.firing());
    }

    @Test
    void aResolvedNoticeCarriesItsEventAndTheSameDedupKey() throws Exception {
        RedisNotifier.Message m = notifier.render(configured(), 18, Notices.resolved());

        assertThat(m.event()).isEqualTo("resolved");
        assertThat(m.dedupKey()).isEqualTo("vantage-incident-42");
        assertThat(m.id()).isEqualTo("vantage-notification-18");
        assertThat(JSON.readTree(m.body()).get("type").asText()).isEqualTo("incident.resolved");
        assertThat(NoticeJson.fromJson(JSON.readTree(m.body()).get("data"))).isEqualTo(Notices.resolved());
    }

    @Test
    void aRefusedConnectionNamesTheServerAndNotThePassword() throws Exception {
        var target = unreachable(closedPort()).orElseThrow();
        RedisSettings settings = notifier.configure(target.settings());

        Outcome outcome = notifier.send(
                settings,
                notifier.render(settings, 17, Notices.firing()),
                Instant.now().plusSeconds(3));

        assertThat(outcome.kind()).isEqualTo(Outcome.Kind.RETRY);
        assertThat(outcome.detail())
                .isEqualTo("Redis at " + settings.address() + ": connection refused")
                .doesNotContain(PASSWORD);
    }
}
