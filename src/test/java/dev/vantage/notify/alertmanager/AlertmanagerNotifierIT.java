package dev.vantage.notify.alertmanager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vantage.notify.Event;
import dev.vantage.notify.HttpNotifierContractTest;
import dev.vantage.notify.InvalidChannelException;
import dev.vantage.notify.Notices;
import dev.vantage.notify.Notifier;
import dev.vantage.notify.NotifierContext;
import dev.vantage.notify.Outcome;
import dev.vantage.testing.HttpReceiver.Answer;
import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AlertmanagerNotifierIT extends HttpNotifierContractTest<AlertmanagerSettings, AlertmanagerMessage> {
    static final String TOKEN = "plantedAlertmanagerToken42";
    /** The attempt's time, for exact {@code endsAt}: half a minute after the notice. */
    static final Instant NOW = Instant.parse("2025-03-01T12:01:00Z");

    private final AlertmanagerNotifier notifier = new AlertmanagerNotifier(CONTEXT);
    private final AlertmanagerNotifier atNow = new AlertmanagerNotifier(
            new NotifierContext(null, Clock.fixed(NOW, ZoneOffset.UTC), NotifierContext.defaultHttpClient()));

    @Override
    protected Notifier<AlertmanagerSettings, AlertmanagerMessage> notifier() {
        return notifier;
    }

    @Override
    protected ObjectNode validSettings() {
        return settingsFor(URI.create("https://alertmanager.example.com:9093"));
    }

    @Override
    protected ObjectNode settingsFor(URI url) {
        ObjectNode settings = JSON.createObjectNode().put("url", url.toString()).put("token", TOKEN);
        settings.putObject("labels").put("team", "web");
        return settings;
    }

    @Override
    protected Set<String> plantedSecrets() {
        return Set.of(TOKEN);
    }

    @Test
    void aFiringNoticePostsOneAlertThatStaysFiringForTheResolveTimeout() throws Exception {
        receiver.thenAnswer(Answer.status(200));
        var settings =
                atNow.configure(settingsFor(receiver.uri("/am")).put("status_url", "https://status.example.com/"));

        Outcome outcome = atNow.send(settings, atNow.render(settings, 17, Notices.firing()), NOW.plusSeconds(5));

        assertThat(outcome).isEqualTo(Outcome.delivered(200));
        var request = receiver.requests().getLast();
        assertThat(request.path()).isEqualTo("/am/api/v2/alerts");
        assertThat(request.header("authorization")).isEqualTo("Bearer " + TOKEN);
        assertThat(request.header("content-type")).startsWith("application/json");
        assertThat(JSON.readTree(request.body()))
                .isEqualTo(
                        JSON.readTree(
                                """
                [{"labels": {
                    "alertname": "VantageMonitorDown",
                    "severity": "critical",
                    "monitor": "checkout",
                    "monitor_id": "7",
                    "dedup_key": "vantage-incident-42",
                    "kind": "monitor",
                    "team": "web"},
                  "annotations": {
                    "summary": "checkout is DOWN in NY, VA: HTTP_STATUS [STATUS] (503) == 200",
                    "description": "Event: firing\\nState: DOWN\\nMonitor: checkout\\nDatacenters: NY, VA\\nTarget: https://shop.example.com/checkout\\nError: HTTP_STATUS: [STATUS] (503) == 200\\nOpened at: 2025-03-01T12:00:00Z\\nIncident: vantage-incident-42",
                    "datacenters": "NY, VA",
                    "target": "https://shop.example.com/checkout"},
                  "startsAt": "2025-03-01T12:00:00Z",
                  "generatorURL": "https://status.example.com/",
                  "endsAt": "2025-03-02T12:01:00Z"}]
                """));
    }

    @Test
    void aResolvedNoticeEndsTheSameAlertAtTheIncidentsEnd() throws Exception {
        var settings = atNow.configure(settingsFor(receiver.uri("/am")));
        var firing = JSON.readTree(AlertmanagerNotifier.body(
                        atNow.render(settings, 17, Notices.firing()).alert(), NOW))
                .get(0);
        var resolved = atNow.render(settings, 18, Notices.resolved());

        assertThat(resolved.endsAt()).isEqualTo(Notices.RESOLVED);
        var alert = JSON.readTree(AlertmanagerNotifier.body(resolved.alert(), resolved.endsAt()))
                .get(0);
        assertThat(alert.get("labels")).as("the same alert").isEqualTo(firing.get("labels"));
        assertThat(alert.get("endsAt").asText()).isEqualTo("2025-03-01T12:10:00Z");
        assertThat(alert.at("/annotations/summary").asText()).isEqualTo("checkout is UP again after 10 min");
    }

    @Test
    void theResolveTimeoutIsConfigurable() throws Exception {
        receiver.thenAnswer(Answer.status(200));
        var settings = atNow.configure(settingsFor(receiver.uri("/")).put("resolve_timeout", "90m"));

        atNow.send(settings, atNow.render(settings, 1, Notices.firing()), NOW.plusSeconds(5));

        assertThat(JSON.readTree(receiver.requests().getLast().body())
                        .at("/0/endsAt")
                        .asText())
                .isEqualTo("2025-03-01T13:31:00Z");
    }

    @Test
    void eachEventEitherKeepsTheAlertFiringOrEndsIt() throws Exception {
        var settings = atNow.configure(settingsFor(receiver.uri("/")));
        for (Event e : Event.values()) {
            var m = atNow.render(settings, 1, Notices.with(Notices.firing(), e, "x"));
            assertThat(AlertmanagerNotifier.ends(e)).as("%s", e).isEqualTo(e.closes());
            assertThat(m.endsAt() != null).as("%s", e).isEqualTo(e.closes());
        }
    }

    @Test
    void eachKindHasItsAlertnameAndACertificateIsAWarning() throws Exception {
        var settings = atNow.configure(settingsFor(receiver.uri("/")).put("severity", "page"));
        var certificate =
                JSON.readTree(atNow.render(settings, 1, Notices.certificate()).alert());
        var monitor = JSON.readTree(atNow.render(settings, 1, Notices.firing()).alert());

        assertThat(certificate.at("/labels/alertname").asText()).isEqualTo("VantageCertificateExpiring");
        assertThat(certificate.at("/labels/severity").asText()).isEqualTo("warning");
        assertThat(monitor.at("/labels/severity").asText()).isEqualTo("page");
        assertThat(AlertmanagerNotifier.alertname("monitor")).isEqualTo("VantageMonitorDown");
        assertThat(AlertmanagerNotifier.alertname("datacenter")).isEqualTo("VantageDatacenterLost");
    }

    @Test
    void badSettingsAreRejectedNamingTheField() {
        record Case(String key, Object value, String field) {}
        for (Case c : new Case[] {
            new Case("labels", java.util.Map.of("alertname", "x"), "settings.labels"),
            new Case("labels", java.util.Map.of("bad-name", "x"), "settings.labels"),
            new Case("labels", java.util.Map.of("__meta", "x"), "settings.labels"),
            new Case("labels", java.util.Map.of("team", ""), "settings.labels.team"),
            new Case("labels", java.util.List.of("team"), "settings.labels"),
            new Case("resolve_timeout", "1h30m", "settings.resolve_timeout"),
            new Case("resolve_timeout", "1m", "settings.resolve_timeout"),
            new Case("resolve_timeout", "31d", "settings.resolve_timeout"),
            new Case("severity", "Critical!", "settings.severity"),
            new Case("url", "https://admin:secret@am.example.com", "settings.url"),
            new Case("status_url", "mailto:ops@example.com", "settings.status_url"),
            new Case("username", "admin", "settings.token"),
        }) {
            ObjectNode settings = validSettings();
            settings.set(c.key(), JSON.valueToTree(c.value()));
            var e = catchThrowableOfType(InvalidChannelException.class, () -> notifier.configure(settings));
            assertThat(e).as("%s", c).isNotNull();
            assertThat(e.field()).as("%s", c).isEqualTo(c.field());
            assertThat(e.getMessage()).doesNotContain(TOKEN).doesNotContain("secret@");
        }
    }
}
