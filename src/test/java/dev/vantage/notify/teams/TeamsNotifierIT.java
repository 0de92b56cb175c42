package dev.vantage.notify.teams;

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

class TeamsNotifierIT extends HttpNotifierContractTest<TeamsSettings, HttpMessage> {
    private final TeamsNotifier notifier = new TeamsNotifier(CONTEXT);

    @Override
    protected Notifier<TeamsSettings, HttpMessage> notifier() {
        return notifier;
    }

    @Override
    protected ObjectNode validSettings() {
        return settingsFor(URI.create("https://prod-01.westeurope.logic.azure.com/workflows/abc/triggers/manual/paths/"
                + "invoke?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=plantedTeamsSig42"));
    }

    @Override
    protected ObjectNode settingsFor(URI url) {
        return JSON.createObjectNode().put("url", url.toString());
    }

    @Override
    protected Set<String> plantedSecrets() {
        return Set.of("plantedTeamsSig42");
    }

    @Test
    void aFiringNoticeIsAnAdaptiveCardWithARedHeadlineAndTheIncidentsFacts() throws Exception {
        HttpMessage m = notifier.render(configured(), 17, Notices.firing());

        assertThat(m.contentType()).isEqualTo("application/json");
        assertThat(JSON.readTree(m.body()))
                .isEqualTo(
                        JSON.readTree(
                                """
                {"type": "message",
                 "attachments": [{
                   "contentType": "application/vnd.microsoft.card.adaptive",
                   "contentUrl": null,
                   "content": {
                     "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                     "type": "AdaptiveCard",
                     "version": "1.4",
                     "body": [
                       {"type": "TextBlock",
                        "text": "[FIRING] checkout is DOWN in NY, VA: HTTP_STATUS [STATUS] (503) == 200",
                        "weight": "Bolder", "size": "Medium", "color": "Attention", "wrap": true},
                       {"type": "FactSet", "facts": [
                         {"title": "Event", "value": "firing"},
                         {"title": "State", "value": "DOWN"},
                         {"title": "Monitor", "value": "checkout"},
                         {"title": "Datacenters", "value": "NY, VA"},
                         {"title": "Target", "value": "https://shop.example.com/checkout"},
                         {"title": "Error", "value": "HTTP_STATUS: [STATUS] (503) == 200"},
                         {"title": "Opened at", "value": "2025-03-01T12:00:00Z"},
                         {"title": "Incident", "value": "vantage-incident-42"}]}]}}]}
                """));
    }

    @Test
    void aResolvedNoticeIsGreenAndSaysWhenItEnded() throws Exception {
        var card = JSON.readTree(
                        notifier.render(configured(), 18, Notices.resolved()).body())
                .at("/attachments/0/content/body");

        assertThat(card.at("/0/text").asText()).isEqualTo("[RESOLVED] checkout is UP again after 10 min");
        assertThat(card.at("/0/color").asText()).isEqualTo("Good");
        assertThat(card.at("/1/facts/7"))
                .isEqualTo(JSON.readTree("{\"title\": \"Resolved at\", \"value\": \"2025-03-01T12:10:00Z\"}"));
    }

    @Test
    void eachEventHasItsColour() {
        record Case(Event event, String color) {}
        for (Case c : new Case[] {
            new Case(Event.FIRING, "Attention"),
            new Case(Event.REMINDER, "Attention"),
            new Case(Event.LOST, "Attention"),
            new Case(Event.FLAPPING, "Warning"),
            new Case(Event.CERTIFICATE, "Warning"),
            new Case(Event.RESOLVED, "Good"),
            new Case(Event.FOUND, "Good"),
            new Case(Event.RENEWED, "Good"),
        }) {
            assertThat(TeamsNotifier.color(c.event())).as("%s", c).isEqualTo(c.color());
        }
    }

    @Test
    void theWorkflowReceivesTheCardAsRenderedAndItsAcceptedAnswerIsADelivery() throws Exception {
        receiver.thenAnswer(Answer.status(202));
        var settings = notifier.configure(
                settingsFor(receiver.uri("/workflows/abc/triggers/manual/paths/invoke?api-version=2016-06-01&sig=s")));
        HttpMessage m = notifier.render(settings, 17, Notices.firing());

        assertThat(notifier.send(settings, m, Instant.now().plusSeconds(5))).isEqualTo(Outcome.delivered(202));
        var request = receiver.requests().getLast();
        assertThat(request.method()).isEqualTo("POST");
        assertThat(request.path())
                .isEqualTo("/workflows/abc/triggers/manual/paths/invoke?api-version=2016-06-01&sig=s");
        assertThat(request.body()).isEqualTo(m.body());
        assertThat(request.header("content-type")).startsWith("application/json");
    }
}
