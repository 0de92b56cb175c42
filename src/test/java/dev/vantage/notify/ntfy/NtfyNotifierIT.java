package dev.vantage.notify.ntfy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vantage.notify.Event;
import dev.vantage.notify.HttpNotifierContractTest;
import dev.vantage.notify.InvalidChannelException;
import dev.vantage.notify.Notices;
import dev.vantage.notify.Notifier;
import dev.vantage.notify.Outcome;
import dev.vantage.notify.http.HttpMessage;
import dev.vantage.testing.HttpReceiver.Answer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Set;
import org.junit.jupiter.api.Test;

class NtfyNotifierIT extends HttpNotifierContractTest<NtfySettings, HttpMessage> {
    static final String TOPIC = "vantage-plantedTopic42";
    static final String TOKEN = "tk_plantedntfytoken0000000000042";
    static final String PASSWORD = "plantedNtfyPassword42";

    private final NtfyNotifier notifier = new NtfyNotifier(CONTEXT);

    @Override
    protected Notifier<NtfySettings, HttpMessage> notifier() {
        return notifier;
    }

    @Override
    protected ObjectNode validSettings() {
        return JSON.createObjectNode().put("topic", TOPIC).put("token", TOKEN);
    }

    @Override
    protected ObjectNode settingsFor(URI url) {
        return validSettings().put("server", url.toString());
    }

    @Override
    protected Set<String> plantedSecrets() {
        return Set.of(TOPIC, TOKEN, PASSWORD);
    }

    @Test
    void aFiringNoticeIsPublishedAsJsonWithHighPriority() throws Exception {
        HttpMessage m = notifier.render(configured(), 17, Notices.firing());

        assertThat(m.contentType()).isEqualTo("application/json");
        assertThat(JSON.readTree(m.body()))
                .isEqualTo(
                        JSON.readTree(
                                """
                {"topic": "vantage-plantedTopic42",
                 "title": "FIRING: checkout",
                 "message": "checkout is DOWN in NY, VA: HTTP_STATUS [STATUS] (503) == 200\\nError: HTTP_STATUS: [STATUS] (503) == 200\\nIncident: vantage-incident-42",
                 "priority": 4,
                 "tags": ["rotating_light", "monitor"]}
                """));
    }

    @Test
    void aResolvedNoticeHasTheDefaultPriorityAndACheckMark() throws Exception {
        HttpMessage m = notifier.render(configured(), 18, Notices.resolved());

        assertThat(JSON.readTree(m.body()))
                .isEqualTo(
                        JSON.readTree(
                                """
                {"topic": "vantage-plantedTopic42",
                 "title": "RESOLVED: checkout",
                 "message": "checkout is UP again after 10 min\\nIncident: vantage-incident-42",
                 "priority": 3,
                 "tags": ["white_check_mark", "monitor"]}
                """));
    }

    @Test
    void aTitleInAnyScriptGoesIntoTheJsonAsItIs() throws Exception {
        var notice = Notices.with(Notices.firing(), Event.FIRING, "Kasse ist ausgefallen");
        var named = new dev.vantage.notify.Notice(
                notice.event(),
                notice.dedupKey(),
                notice.incidentId(),
                notice.kind(),
                notice.scope(),
                notice.monitorId(),
                "Bestellübersicht 東京",
                notice.target(),
                notice.datacenters(),
                notice.state(),
                notice.errorType(),
                notice.errorMessage(),
                notice.openedAt(),
                notice.resolvedAt(),
                notice.at(),
                notice.summary());
        receiver.thenAnswer(Answer.status(200));
        var settings = notifier.configure(settingsFor(receiver.uri("/")));

        Outcome outcome = notifier.send(
                settings, notifier.render(settings, 1, named), Instant.now().plusSeconds(5));

        assertThat(outcome).isEqualTo(Outcome.delivered(200));
        assertThat(JSON.readTree(receiver.requests().getLast().body())
                        .get("title")
                        .asText())
                .isEqualTo("FIRING: Bestellübersicht 東京");
    }

    @Test
    void aLongMessageStaysWithinNtfysLimitInBytes() {
        assertThat(NtfyNotifier.fit("ö".repeat(3000))).endsWith("…").satisfies(m -> assertThat(
                        m.getBytes(StandardCharsets.UTF_8).length)
                .isLessThanOrEqualTo(4000)
                .isGreaterThan(3900));
        assertThat(NtfyNotifier.fit("東".repeat(5000)).getBytes(StandardCharsets.UTF_8).length)
                .isLessThanOrEqualTo(4000);
        assertThat(NtfyNotifier.fit("short")).isEqualTo("short");
    }

    @Test
    void priorityFollowsTheSettingButGoodNewsNeverNotifiesLouderThanDefault() {
        record Case(Integer configured, Event event, int expected) {}
        for (Case c : new Case[] {
            new Case(null, Event.FIRING, 4),
            new Case(null, Event.REMINDER, 4),
            new Case(null, Event.FLAPPING, 4),
            new Case(null, Event.LOST, 4),
            new Case(null, Event.RESOLVED, 3),
            new Case(null, Event.FOUND, 3),
            new Case(null, Event.RENEWED, 3),
            new Case(null, Event.CERTIFICATE, 3),
            new Case(5, Event.FIRING, 5),
            new Case(5, Event.RESOLVED, 3),
            new Case(2, Event.FIRING, 2),
            new Case(2, Event.RESOLVED, 2),
            new Case(1, Event.CERTIFICATE, 1),
        }) {
            assertThat(NtfyNotifier.priority(c.configured(), c.event()))
                    .as("%s", c)
                    .isEqualTo(c.expected());
        }
        for (Event e : Event.values()) {
            assertThat(NtfyNotifier.tag(e)).isIn("rotating_light", "warning", "white_check_mark");
        }
    }

    @Test
    void aTokenIsSentAsBearerToTheServersRoot() throws Exception {
        receiver.thenAnswer(Answer.status(200));
        var settings = notifier.configure(settingsFor(receiver.uri("/")));
        HttpMessage m = notifier.render(settings, 17, Notices.firing());

        assertThat(notifier.send(settings, m, Instant.now().plusSeconds(5))).isEqualTo(Outcome.delivered(200));
        var request = receiver.requests().getLast();
        assertThat(request.path()).isEqualTo("/");
        assertThat(request.header("authorization")).isEqualTo("Bearer " + TOKEN);
        assertThat(request.body()).isEqualTo(m.body());
    }

    @Test
    void aUsernameAndPasswordAreSentAsBasic() throws Exception {
        receiver.thenAnswer(Answer.status(200));
        var settings = notifier.configure(JSON.createObjectNode()
                .put("server", receiver.uri("/").toString())
                .put("topic", TOPIC)
                .put("username", "phil")
                .put("password", PASSWORD));

        notifier.send(
                settings,
                notifier.render(settings, 1, Notices.firing()),
                Instant.now().plusSeconds(5));

        String expected =
                "Basic " + Base64.getEncoder().encodeToString(("phil:" + PASSWORD).getBytes(StandardCharsets.UTF_8));
        assertThat(receiver.requests().getLast().header("authorization")).isEqualTo(expected);
        assertThat(settings.toString())
                .doesNotContain(PASSWORD)
                .doesNotContain("phil")
                .doesNotContain(TOPIC);
    }

    @Test
    void badSettingsAreRejectedNamingTheField() {
        record Case(ObjectNode settings, String field) {}
        for (Case c : new Case[] {
            new Case(JSON.createObjectNode().put("topic", "has space"), "settings.topic"),
            new Case(JSON.createObjectNode().put("topic", "x".repeat(65)), "settings.topic"),
            new Case(JSON.createObjectNode().put("topic", "a/b"), "settings.topic"),
            new Case(JSON.createObjectNode(), "settings.topic"),
            new Case(validSettings().put("priority", 6), "settings.priority"),
            new Case(validSettings().put("priority", 0), "settings.priority"),
            new Case(validSettings().put("username", "phil").put("password", PASSWORD), "settings.token"),
            new Case(JSON.createObjectNode().put("topic", TOPIC).put("username", "phil"), "settings.password"),
            new Case(validSettings().put("server", "https://u:p@ntfy.example.com"), "settings.server"),
        }) {
            var e = catchThrowableOfType(InvalidChannelException.class, () -> notifier.configure(c.settings()));
            assertThat(e).as("%s", c.settings()).isNotNull();
            assertThat(e.field()).as("%s", c.settings()).isEqualTo(c.field());
            assertThat(e.getMessage()).doesNotContain(PASSWORD).doesNotContain("has space");
        }
    }
}
