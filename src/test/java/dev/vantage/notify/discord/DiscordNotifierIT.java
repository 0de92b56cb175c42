package dev.vantage.notify.discord;

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
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DiscordNotifierIT extends HttpNotifierContractTest<DiscordSettings, HttpMessage> {
    private final DiscordNotifier notifier = new DiscordNotifier(CONTEXT);

    @Override
    protected Notifier<DiscordSettings, HttpMessage> notifier() {
        return notifier;
    }

    @Override
    protected ObjectNode validSettings() {
        return settingsFor(URI.create("https://discord.com/api/webhooks/1234567890/plantedDiscordToken42"));
    }

    @Override
    protected ObjectNode settingsFor(URI url) {
        return JSON.createObjectNode().put("url", url.toString());
    }

    @Override
    protected Set<String> plantedSecrets() {
        return Set.of("plantedDiscordToken42");
    }

    @Test
    void aFiringNoticeIsARedEmbedThatMentionsNobody() throws Exception {
        HttpMessage m = notifier.render(configured(), 17, Notices.firing());

        assertThat(JSON.readTree(m.body()))
                .isEqualTo(
                        JSON.readTree(
                                """
                {"content": "[FIRING] checkout is DOWN in NY, VA: HTTP_STATUS [STATUS] (503) == 200",
                 "embeds": [{
                   "title": "FIRING: checkout",
                   "description": "checkout is DOWN in NY, VA: HTTP_STATUS [STATUS] (503) == 200",
                   "color": 13631488,
                   "fields": [
                     {"name": "Event", "value": "firing", "inline": true},
                     {"name": "State", "value": "DOWN", "inline": true},
                     {"name": "Monitor", "value": "checkout", "inline": true},
                     {"name": "Datacenters", "value": "NY, VA", "inline": true},
                     {"name": "Target", "value": "https://shop.example.com/checkout", "inline": true},
                     {"name": "Error", "value": "HTTP_STATUS: [STATUS] (503) == 200", "inline": true},
                     {"name": "Opened at", "value": "2025-03-01T12:00:00Z", "inline": true},
                     {"name": "Incident", "value": "vantage-incident-42", "inline": true}],
                   "timestamp": "2025-03-01T12:00:30Z"}],
                 "allowed_mentions": {"parse": []}}
                """));
    }

    @Test
    void aResolvedNoticeIsGreen() throws Exception {
        var body = JSON.readTree(
                notifier.render(configured(), 18, Notices.resolved()).body());

        assertThat(body.get("content").asText()).isEqualTo("[RESOLVED] checkout is UP again after 10 min");
        assertThat(body.at("/embeds/0/color").intValue()).isEqualTo(0x2EB67D);
        assertThat(body.at("/embeds/0/timestamp").asText()).isEqualTo("2025-03-01T12:10:00Z");
    }

    @Test
    void eachEventHasItsColour() {
        record Case(Event event, int color) {}
        for (Case c : new Case[] {
            new Case(Event.FIRING, 0xD00000),
            new Case(Event.REMINDER, 0xD00000),
            new Case(Event.LOST, 0xD00000),
            new Case(Event.FLAPPING, 0xFF9900),
            new Case(Event.CERTIFICATE, 0xFF9900),
            new Case(Event.RESOLVED, 0x2EB67D),
            new Case(Event.FOUND, 0x2EB67D),
            new Case(Event.RENEWED, 0x2EB67D),
        }) {
            assertThat(DiscordNotifier.color(c.event())).as("%s", c).isEqualTo(c.color());
        }
    }

    @Test
    void textsAreCutToDiscordsLimits() throws Exception {
        var notice = Notices.with(Notices.firing(), Event.FIRING, "@everyone " + "x".repeat(5000));
        var body = JSON.readTree(notifier.render(configured(), 1, notice).body());

        assertThat(body.get("content").asText()).hasSize(2000).endsWith("…");
        assertThat(body.at("/embeds/0/description").asText()).hasSizeLessThanOrEqualTo(4096);
        assertThat(body.at("/allowed_mentions/parse")).isEmpty();
    }

    @Test
    void aRateLimitWaitsAsLongAsTheJsonRetryAfterSays() throws Exception {
        Outcome outcome = sendAnswered(new Answer(
                429,
                Map.of("Content-Type", "application/json"),
                "{\"message\": \"You are being rate limited.\", \"retry_after\": 1.234, \"global\": false}"));

        assertThat(outcome.kind()).isEqualTo(Outcome.Kind.RETRY);
        assertThat(outcome.retryAfter()).isEqualTo(Duration.ofMillis(1234));
    }

    @Test
    void aRetryAfterHeaderStillCounts() throws Exception {
        Outcome outcome = sendAnswered(new Answer(429, Map.of("Retry-After", "3"), "{\"retry_after\": 2.5}"));

        assertThat(outcome.retryAfter()).isEqualTo(Duration.ofSeconds(3));
    }

    @Test
    void theWebhookReceivesTheMessageAsRendered() throws Exception {
        receiver.thenAnswer(Answer.status(204));
        var settings = notifier.configure(settingsFor(receiver.uri("/api/webhooks/1234567890/tok")));
        HttpMessage m = notifier.render(settings, 17, Notices.firing());

        assertThat(notifier.send(settings, m, Instant.now().plusSeconds(5))).isEqualTo(Outcome.delivered(204));
        var request = receiver.requests().getLast();
        assertThat(request.path()).isEqualTo("/api/webhooks/1234567890/tok");
        assertThat(request.body()).isEqualTo(m.body());
        assertThat(request.header("content-type")).startsWith("application/json");
    }
}
