package dev.vantage.notify.pagerduty;

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
import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PagerDutyNotifierIT extends HttpNotifierContractTest<PagerDutySettings, HttpMessage> {
    static final String KEY = "R0UTINGkeyPLANTED0123456789abcde";

    private final PagerDutyNotifier notifier = new PagerDutyNotifier(CONTEXT);

    @Override
    protected Notifier<PagerDutySettings, HttpMessage> notifier() {
        return notifier;
    }

    @Override
    protected ObjectNode validSettings() {
        return JSON.createObjectNode().put("routing_key", KEY);
    }

    @Override
    protected ObjectNode settingsFor(URI url) {
        return validSettings().put("url", url.toString());
    }

    @Override
    protected Set<String> plantedSecrets() {
        return Set.of(KEY);
    }

    @Test
    void aFiringNoticeTriggersAnAlertKeyedByTheIncident() throws Exception {
        HttpMessage m = notifier.render(configured(), 17, Notices.firing());

        assertThat(m.body())
                .isEqualTo(
                        compact(
                                """
                {"routing_key": "R0UTINGkeyPLANTED0123456789abcde",
                 "event_action": "trigger",
                 "dedup_key": "vantage-incident-42",
                 "payload": {
                   "summary": "checkout is DOWN in NY, VA: HTTP_STATUS [STATUS] (503) == 200",
                   "source": "https://shop.example.com/checkout",
                   "severity": "critical",
                   "timestamp": "2025-03-01T12:00:30Z",
                   "component": "checkout",
                   "group": "monitor",
                   "class": "HTTP_STATUS",
                   "custom_details": {
                     "event": "firing",
                     "dedup_key": "vantage-incident-42",
                     "incident_id": 42,
                     "kind": "monitor",
                     "scope": "global",
                     "monitor_id": 7,
                     "monitor_name": "checkout",
                     "target": "https://shop.example.com/checkout",
                     "datacenters": ["NY", "VA"],
                     "state": "DOWN",
                     "error_type": "HTTP_STATUS",
                     "error_message": "[STATUS] (503) == 200",
                     "opened_at": "2025-03-01T12:00:00Z",
                     "resolved_at": null,
                     "at": "2025-03-01T12:00:30Z",
                     "summary": "checkout is DOWN in NY, VA: HTTP_STATUS [STATUS] (503) == 200",
                     "suppressed": []}},
                 "client": "Vantage"}
                """));
    }

    @Test
    void aResolvedNoticeResolvesTheSameAlert() throws Exception {
        HttpMessage m = notifier.render(configured(), 18, Notices.resolved());

        assertThat(m.body())
                .isEqualTo(
                        compact(
                                """
                {"routing_key": "R0UTINGkeyPLANTED0123456789abcde",
                 "event_action": "resolve",
                 "dedup_key": "vantage-incident-42",
                 "client": "Vantage"}
                """));
    }

    @Test
    void eachEventMapsToAnAction() throws Exception {
        var settings = configured();
        for (Event e : Event.values()) {
            String action = JSON.readTree(notifier.render(settings, 1, Notices.with(Notices.firing(), e, "x"))
                            .body())
                    .get("event_action")
                    .asText();
            assertThat(action).as("%s", e).isEqualTo(e.closes() ? "resolve" : "trigger");
        }
    }

    @Test
    void aCertificateTriggersAWarningKeyedByTheCertificateAndItsRenewalResolvesIt() throws Exception {
        var certificate = JSON.readTree(
                notifier.render(configured(), 1, Notices.certificate()).body());
        assertThat(certificate.get("event_action").asText()).isEqualTo("trigger");
        assertThat(certificate.get("dedup_key").asText()).isEqualTo("vantage-certificate-7-1741255200");
        assertThat(certificate.at("/payload/severity").asText()).isEqualTo("warning");
        assertThat(certificate.at("/payload/group").asText()).isEqualTo("certificate");

        var renewed = JSON.readTree(
                notifier.render(configured(), 2, Notices.with(Notices.certificate(), Event.RENEWED, "renewed"))
                        .body());
        assertThat(renewed.get("event_action").asText()).isEqualTo("resolve");
        assertThat(renewed.get("dedup_key").asText()).isEqualTo("vantage-certificate-7-1741255200");

        var quiet = notifier.configure(validSettings().put("severity", "info"));
        assertThat(JSON.readTree(
                                notifier.render(quiet, 3, Notices.certificate()).body())
                        .at("/payload/severity")
                        .asText())
                .as("a channel set milder stays mild")
                .isEqualTo("info");
    }

    @Test
    void aLongSummaryIsCutTo1024Characters() throws Exception {
        var notice = Notices.with(Notices.firing(), Event.FIRING, "x".repeat(5000));
        var summary = JSON.readTree(notifier.render(configured(), 1, notice).body())
                .at("/payload/summary")
                .asText();
        assertThat(summary).hasSize(1024).endsWith("…");
    }

    @Test
    void theSeverityIsConfigurableAmongPagerDutysFour() throws Exception {
        var settings = notifier.configure(validSettings().put("severity", "warning"));
        assertThat(JSON.readTree(notifier.render(settings, 1, Notices.firing()).body())
                        .at("/payload/severity")
                        .asText())
                .isEqualTo("warning");
        var e = catchThrowableOfType(
                InvalidChannelException.class,
                () -> notifier.configure(validSettings().put("severity", "page")));
        assertThat(e.field()).isEqualTo("settings.severity");
    }

    @Test
    void aRoutingKeyMustBe32Characters() {
        var e = catchThrowableOfType(
                InvalidChannelException.class,
                () -> notifier.configure(validSettings().put("routing_key", "tooShortKey")));
        assertThat(e.field()).isEqualTo("settings.routing_key");
        assertThat(e.getMessage()).doesNotContain("tooShortKey");
    }

    @Test
    void aTriggerAcceptedWith202IsDelivered() throws Exception {
        receiver.thenAnswer(new Answer(202, java.util.Map.of(), "{\"status\":\"success\"}"));
        var settings = notifier.configure(settingsFor(receiver.uri("/v2/enqueue")));
        HttpMessage m = notifier.render(settings, 17, Notices.firing());

        assertThat(notifier.send(settings, m, Instant.now().plusSeconds(5))).isEqualTo(Outcome.delivered(202));
        var request = receiver.requests().getLast();
        assertThat(request.path()).isEqualTo("/v2/enqueue");
        assertThat(request.body()).isEqualTo(m.body());
    }

    private static String compact(String json) throws Exception {
        return JSON.writeValueAsString(JSON.readTree(json));
    }
}
