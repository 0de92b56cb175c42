package dev.vantage.notify.opsgenie;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vantage.notify.Event;
import dev.vantage.notify.HttpNotifierContractTest;
import dev.vantage.notify.InvalidChannelException;
import dev.vantage.notify.Notices;
import dev.vantage.notify.Notifier;
import dev.vantage.notify.Outcome;
import dev.vantage.testing.HttpReceiver.Answer;
import java.net.URI;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class OpsgenieNotifierIT extends HttpNotifierContractTest<OpsgenieSettings, OpsgenieMessage> {
    static final String KEY = "eb243592-faa2-4ba2-a551-plantedkey42";
    static final String ACCEPTED =
            "{\"result\": \"Request will be processed\", \"took\": 0.302, \"requestId\": \"43a29c5c-3dbf-4fa4-9c26-f4f71023e120\"}";

    private final OpsgenieNotifier notifier = new OpsgenieNotifier(CONTEXT);

    @Override
    protected Notifier<OpsgenieSettings, OpsgenieMessage> notifier() {
        return notifier;
    }

    @Override
    protected ObjectNode validSettings() {
        return JSON.createObjectNode().put("api_key", KEY);
    }

    @Override
    protected ObjectNode settingsFor(URI url) {
        return validSettings().put("api_url", url.toString());
    }

    @Override
    protected Set<String> plantedSecrets() {
        return Set.of(KEY);
    }

    @Test
    void aFiringNoticeCreatesAnAlertAliasedByTheIncident() throws Exception {
        OpsgenieMessage m = notifier.render(configured(), 17, Notices.firing());

        assertThat(m.close()).isFalse();
        assertThat(m.alias()).isEqualTo("vantage-incident-42");
        assertThat(m.body().body())
                .isEqualTo(
                        compact(
                                """
                {"message": "checkout is DOWN in NY, VA: HTTP_STATUS [STATUS] (503) == 200",
                 "alias": "vantage-incident-42",
                 "description": "checkout is DOWN in NY, VA: HTTP_STATUS [STATUS] (503) == 200\\n\\nEvent: firing\\nState: DOWN\\nMonitor: checkout\\nDatacenters: NY, VA\\nTarget: https://shop.example.com/checkout\\nError: HTTP_STATUS: [STATUS] (503) == 200\\nOpened at: 2025-03-01T12:00:00Z\\nIncident: vantage-incident-42",
                 "tags": ["vantage", "monitor", "NY", "VA"],
                 "details": {
                   "event": "firing",
                   "kind": "monitor",
                   "state": "DOWN",
                   "monitor": "checkout",
                   "monitor_id": "7",
                   "datacenters": "NY, VA",
                   "target": "https://shop.example.com/checkout",
                   "error": "HTTP_STATUS: [STATUS] (503) == 200",
                   "opened_at": "2025-03-01T12:00:00Z"},
                 "source": "Vantage",
                 "priority": "P2"}
                """));
    }

    @Test
    void aResolvedNoticeClosesTheAlertByItsAlias() throws Exception {
        OpsgenieMessage m = notifier.render(configured(), 18, Notices.resolved());

        assertThat(m.close()).isTrue();
        assertThat(m.alias()).isEqualTo("vantage-incident-42");
        assertThat(JSON.readTree(m.body().body()))
                .isEqualTo(
                        JSON.readTree(
                                """
                {"source": "Vantage",
                 "note": "checkout is UP again after 10 min\\n\\nEvent: resolved\\nState: UP\\nMonitor: checkout\\nDatacenters: NY, VA\\nTarget: https://shop.example.com/checkout\\nError: HTTP_STATUS: [STATUS] (503) == 200\\nOpened at: 2025-03-01T12:00:00Z\\nResolved at: 2025-03-01T12:10:00Z\\nIncident: vantage-incident-42"}
                """));
    }

    @Test
    void eachEventCreatesOrClosesWithItsPriority() throws Exception {
        record Case(String configured, Event event, String priority) {}
        for (Case c : new Case[] {
            new Case("P2", Event.FIRING, "P2"),
            new Case("P1", Event.REMINDER, "P1"),
            new Case("P2", Event.FLAPPING, "P2"),
            new Case("P2", Event.LOST, "P2"),
            new Case("P1", Event.CERTIFICATE, "P3"),
            new Case("P5", Event.CERTIFICATE, "P5"),
            new Case("P2", Event.RESOLVED, null),
            new Case("P2", Event.FOUND, null),
            new Case("P2", Event.RENEWED, null),
        }) {
            assertThat(OpsgenieNotifier.priority(c.configured(), c.event()))
                    .as("%s", c)
                    .isEqualTo(c.priority());
            var settings = notifier.configure(validSettings().put("priority", c.configured()));
            var m = notifier.render(settings, 1, Notices.with(Notices.firing(), c.event(), "x"));
            assertThat(m.close()).as("%s", c).isEqualTo(c.event().closes());
        }
    }

    @Test
    void textsAreCutToOpsgeniesLimits() throws Exception {
        var notice = Notices.with(Notices.firing(), Event.FIRING, "x".repeat(5000));
        var body = JSON.readTree(notifier.render(configured(), 1, notice).body().body());

        assertThat(body.get("message").asText()).hasSize(130).endsWith("…");
        assertThat(body.get("description").asText()).hasSizeLessThanOrEqualTo(15_000);
        int details = 0;
        for (var e : body.get("details").properties()) {
            details += e.getKey().length() + e.getValue().asText().length();
        }
        assertThat(details).isLessThanOrEqualTo(8000);
    }

    @Test
    void anAlertIsCreatedWithTheGenieKeyAndAcceptedWith202() throws Exception {
        receiver.thenAnswer(new Answer(202, Map.of(), ACCEPTED));
        var settings = notifier.configure(
                settingsFor(receiver.uri("/og")).put("priority", "P1").set("tags", JSON.readTree("[\"shop\"]")));
        OpsgenieMessage m = notifier.render(settings, 17, Notices.firing());

        assertThat(notifier.send(settings, m, Instant.now().plusSeconds(5))).isEqualTo(Outcome.delivered(202));
        var request = receiver.requests().getLast();
        assertThat(request.path()).isEqualTo("/og/v2/alerts");
        assertThat(request.header("authorization")).isEqualTo("GenieKey " + KEY);
        assertThat(request.body()).isEqualTo(m.body().body());
        assertThat(JSON.readTree(request.body()).get("priority").asText()).isEqualTo("P1");
        assertThat(JSON.readTree(request.body()).get("tags"))
                .isEqualTo(JSON.readTree("[\"vantage\", \"monitor\", \"shop\", \"NY\", \"VA\"]"));
    }

    @Test
    void aResolvedNoticeClosesTheAlertThroughItsAliasIdentifier() throws Exception {
        receiver.thenAnswer(new Answer(202, Map.of(), ACCEPTED));
        var settings = notifier.configure(settingsFor(receiver.uri("/og")));
        OpsgenieMessage m = notifier.render(settings, 18, Notices.certificate());
        var renewed = notifier.render(settings, 19, Notices.with(Notices.certificate(), Event.RENEWED, "renewed"));

        assertThat(m.close()).isFalse();
        assertThat(notifier.send(settings, renewed, Instant.now().plusSeconds(5)))
                .isEqualTo(Outcome.delivered(202));
        var request = receiver.requests().getLast();
        assertThat(request.path())
                .isEqualTo("/og/v2/alerts/vantage-certificate-7-1741255200/close?identifierType=alias");
        assertThat(request.header("authorization")).isEqualTo("GenieKey " + KEY);
        assertThat(JSON.readTree(request.body()).get("source").asText()).isEqualTo("Vantage");
    }

    @Test
    void badSettingsAreRejectedNamingTheField() {
        record Case(String key, Object value) {}
        for (Case c : new Case[] {
            new Case("api_key", "not a key"),
            new Case("priority", "P0"),
            new Case("priority", "high"),
            new Case("tags", java.util.List.of("x".repeat(51))),
            new Case("api_url", "https://u:p@api.opsgenie.com"),
        }) {
            ObjectNode settings = validSettings();
            settings.set(c.key(), JSON.valueToTree(c.value()));
            var e = catchThrowableOfType(InvalidChannelException.class, () -> notifier.configure(settings));
            assertThat(e).as("%s", c).isNotNull();
            assertThat(e.field()).as("%s", c).isEqualTo("settings." + c.key());
        }
    }

    private static String compact(String json) throws Exception {
        return JSON.writeValueAsString(JSON.readTree(json));
    }
}
