package dev.vantage.notify.pushover;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vantage.notify.Event;
import dev.vantage.notify.HttpNotifierContractTest;
import dev.vantage.notify.Notices;
import dev.vantage.notify.Notifier;
import dev.vantage.notify.Outcome;
import dev.vantage.notify.http.HttpMessage;
import dev.vantage.testing.HttpReceiver.Answer;
import java.net.URI;
import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PushoverNotifierIT extends HttpNotifierContractTest<PushoverSettings, HttpMessage> {
    static final String TOKEN = "azGDORePKplantedTOKEN000000001";
    static final String USER = "uQiRzpo4DXplantedUSER000000002";

    private final PushoverNotifier notifier = new PushoverNotifier(CONTEXT);

    @Override
    protected Notifier<PushoverSettings, HttpMessage> notifier() {
        return notifier;
    }

    @Override
    protected ObjectNode validSettings() {
        return JSON.createObjectNode().put("token", TOKEN).put("user", USER);
    }

    @Override
    protected ObjectNode settingsFor(URI url) {
        return validSettings().put("url", url.toString());
    }

    @Override
    protected Set<String> plantedSecrets() {
        return Set.of(TOKEN, USER);
    }

    @Test
    void aFiringNoticeIsAHighPriorityForm() throws Exception {
        HttpMessage m = notifier.render(configured(), 17, Notices.firing());

        assertThat(m.contentType()).isEqualTo("application/x-www-form-urlencoded");
        assertThat(m.body())
                .isEqualTo("token=azGDORePKplantedTOKEN000000001&user=uQiRzpo4DXplantedUSER000000002"
                        + "&title=Vantage+FIRING"
                        + "&message=checkout+is+DOWN+in+NY%2C+VA%3A+HTTP_STATUS+%5BSTATUS%5D+%28503%29+%3D%3D+200"
                        + "&priority=1&timestamp=1740830430");
    }

    @Test
    void aGroupIsOneMessageWithALinePerIncidentUnderATitleThatCountsThem() throws Exception {
        HttpMessage m = notifier.render(configured(), 101, Notices.group());

        assertThat(m.body())
                .isEqualTo("token=azGDORePKplantedTOKEN000000001&user=uQiRzpo4DXplantedUSER000000002"
                        + "&title=Vantage+FIRING%3A+3+monitors+DOWN"
                        + "&message=checkout+is+DOWN+in+NY%2C+VA%3A+HTTP_STATUS+%5BSTATUS%5D+%28503%29+%3D%3D+200"
                        + "%0Apayments+is+DOWN+in+VA%3A+HTTP_STATUS+%5BSTATUS%5D+%28503%29+%3D%3D+200"
                        + "%0Asearch+is+DOWN+in+SYD%3A+HTTP_STATUS+%5BSTATUS%5D+%28503%29+%3D%3D+200"
                        + "&priority=1&timestamp=1740830439");
    }

    @Test
    void aResolvedNoticeIsANormalPriorityForm() throws Exception {
        HttpMessage m = notifier.render(configured(), 18, Notices.resolved());

        assertThat(m.body())
                .isEqualTo("token=azGDORePKplantedTOKEN000000001&user=uQiRzpo4DXplantedUSER000000002"
                        + "&title=Vantage+RESOLVED&message=checkout+is+UP+again+after+10+min"
                        + "&priority=0&timestamp=1740831000");
    }

    @Test
    void priorityFollowsTheSettingButGoodNewsNeverPagesLouderThanNormal() {
        record Case(Integer configured, Event event, int expected) {}
        for (Case c : new Case[] {
            new Case(null, Event.FIRING, 1),
            new Case(null, Event.RESOLVED, 0),
            new Case(2, Event.FIRING, 2),
            new Case(2, Event.FOUND, 0),
            new Case(-1, Event.REMINDER, -1),
            new Case(-1, Event.RESOLVED, -1),
            new Case(0, Event.LOST, 0),
            new Case(null, Event.CERTIFICATE, 0),
            new Case(2, Event.CERTIFICATE, 0),
            new Case(-2, Event.CERTIFICATE, -2),
            new Case(1, Event.RENEWED, 0),
        }) {
            assertThat(PushoverNotifier.priority(c.configured(), Notices.with(Notices.firing(), c.event(), "x")))
                    .as("%s", c)
                    .isEqualTo(c.expected());
        }
    }

    @Test
    void anEmergencyRepeatsUntilAcknowledgedForAtMostAnHour() throws Exception {
        var settings = notifier.configure(validSettings().put("priority", 2));
        assertThat(notifier.render(settings, 1, Notices.firing()).body()).contains("&priority=2&retry=60&expire=3600&");
    }

    @Test
    void theFormReachesPushoverAsSent() throws Exception {
        receiver.thenAnswer(Answer.status(200));
        var settings = notifier.configure(settingsFor(receiver.uri("/1/messages.json")));
        HttpMessage m = notifier.render(settings, 17, Notices.firing());

        assertThat(notifier.send(settings, m, Instant.now().plusSeconds(5))).isEqualTo(Outcome.delivered(200));
        var request = receiver.requests().getLast();
        assertThat(request.body()).isEqualTo(m.body());
        assertThat(request.header("content-type")).startsWith("application/x-www-form-urlencoded");
    }
}
