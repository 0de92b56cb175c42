package dev.vantage.notify.slack;

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

class SlackNotifierIT extends HttpNotifierContractTest<SlackSettings, HttpMessage> {
    private final SlackNotifier notifier = new SlackNotifier(CONTEXT);

    @Override
    protected Notifier<SlackSettings, HttpMessage> notifier() {
        return notifier;
    }

    @Override
    protected ObjectNode validSettings() {
        return settingsFor(URI.create("https://hooks.slack.com/services/T000/B000/plantedSlackToken42"));
    }

    @Override
    protected ObjectNode settingsFor(URI url) {
        return JSON.createObjectNode().put("url", url.toString());
    }

    @Override
    protected Set<String> plantedSecrets() {
        return Set.of("plantedSlackToken42");
    }

    @Test
    void aFiringNoticeIsRedWithTheIncidentFields() throws Exception {
        HttpMessage m = notifier.render(configured(), 17, Notices.firing());

        assertThat(m.contentType()).isEqualTo("application/json");
        assertThat(JSON.readTree(m.body()))
                .isEqualTo(
                        JSON.readTree(
                                """
                {"text": "[FIRING] checkout is DOWN in NY, VA: HTTP_STATUS [STATUS] (503) == 200",
                 "attachments": [{
                   "color": "#d00000",
                   "fields": [
                     {"title": "Event", "value": "firing", "short": true},
                     {"title": "State", "value": "DOWN", "short": true},
                     {"title": "Monitor", "value": "checkout", "short": true},
                     {"title": "Datacenters", "value": "NY, VA", "short": true},
                     {"title": "Target", "value": "https://shop.example.com/checkout", "short": false},
                     {"title": "Error", "value": "HTTP_STATUS: [STATUS] (503) == 200", "short": false},
                     {"title": "Opened at", "value": "2025-03-01T12:00:00Z", "short": true},
                     {"title": "Incident", "value": "vantage-incident-42", "short": false}]}]}
                """));
    }

    @Test
    void aResolvedNoticeIsGreenAndSaysWhenItEnded() throws Exception {
        HttpMessage m = notifier.render(configured(), 18, Notices.resolved());

        assertThat(JSON.readTree(m.body()))
                .isEqualTo(
                        JSON.readTree(
                                """
                {"text": "[RESOLVED] checkout is UP again after 10 min",
                 "attachments": [{
                   "color": "#2eb67d",
                   "fields": [
                     {"title": "Event", "value": "resolved", "short": true},
                     {"title": "State", "value": "UP", "short": true},
                     {"title": "Monitor", "value": "checkout", "short": true},
                     {"title": "Datacenters", "value": "NY, VA", "short": true},
                     {"title": "Target", "value": "https://shop.example.com/checkout", "short": false},
                     {"title": "Error", "value": "HTTP_STATUS: [STATUS] (503) == 200", "short": false},
                     {"title": "Opened at", "value": "2025-03-01T12:00:00Z", "short": true},
                     {"title": "Resolved at", "value": "2025-03-01T12:10:00Z", "short": true},
                     {"title": "Incident", "value": "vantage-incident-42", "short": false}]}]}
                """));
    }

    @Test
    void aGroupIsOneMessageWithALinePerIncident() throws Exception {
        HttpMessage m = notifier.render(configured(), 101, Notices.group());

        assertThat(JSON.readTree(m.body()))
                .isEqualTo(
                        JSON.readTree(
                                """
                {"text": "[FIRING] 3 monitors DOWN: checkout (NY, VA), payments (VA), search (SYD)",
                 "attachments": [{
                   "color": "#d00000",
                   "fields": [
                     {"title": "Event", "value": "firing", "short": true},
                     {"title": "State", "value": "DOWN", "short": true},
                     {"title": "Datacenters", "value": "NY, SYD, VA", "short": true},
                     {"title": "Opened at", "value": "2025-03-01T12:00:07Z", "short": true},
                     {"title": "Incidents", "value": "checkout is DOWN in NY, VA: HTTP_STATUS [STATUS] (503) == 200\\npayments is DOWN in VA: HTTP_STATUS [STATUS] (503) == 200\\nsearch is DOWN in SYD: HTTP_STATUS [STATUS] (503) == 200", "short": false},
                     {"title": "Group", "value": "vantage-group-101", "short": false}
                   ]
                 }]}
                """));
    }

    @Test
    void eachEventHasItsColour() {
        assertThat(SlackNotifier.color(Event.FIRING)).isEqualTo("#d00000");
        assertThat(SlackNotifier.color(Event.REMINDER)).isEqualTo("#d00000");
        assertThat(SlackNotifier.color(Event.LOST)).isEqualTo("#d00000");
        assertThat(SlackNotifier.color(Event.FLAPPING)).isEqualTo("#ff9900");
        assertThat(SlackNotifier.color(Event.RESOLVED)).isEqualTo("#2eb67d");
        assertThat(SlackNotifier.color(Event.FOUND)).isEqualTo("#2eb67d");
        assertThat(SlackNotifier.color(Event.CERTIFICATE)).isEqualTo("#ff9900");
        assertThat(SlackNotifier.color(Event.RENEWED)).isEqualTo("#2eb67d");
    }

    @Test
    void markupCharactersInASummaryAreEscapedSoTheyCannotMentionOrLink() throws Exception {
        var notice = Notices.with(Notices.firing(), Event.FIRING, "<!channel> a & b > c");
        HttpMessage m = notifier.render(configured(), 17, notice);

        assertThat(JSON.readTree(m.body()).get("text").asText())
                .isEqualTo("[FIRING] &lt;!channel&gt; a &amp; b &gt; c");
    }

    @Test
    void theRenderedBodyIsWhatSlackReceives() throws Exception {
        receiver.thenAnswer(Answer.status(200));
        SlackSettings settings = notifier.configure(settingsFor(receiver.uri("/services/T000/B000/x")));
        HttpMessage m = notifier.render(settings, 17, Notices.firing());

        assertThat(notifier.send(settings, m, Instant.now().plusSeconds(5))).isEqualTo(Outcome.delivered(200));
        var request = receiver.requests().getLast();
        assertThat(request.path()).isEqualTo("/services/T000/B000/x");
        assertThat(request.body()).isEqualTo(m.body());
        assertThat(request.header("content-type")).startsWith("application/json");
    }
}
