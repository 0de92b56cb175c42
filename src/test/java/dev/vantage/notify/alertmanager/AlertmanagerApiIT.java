package dev.vantage.notify.alertmanager;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vantage.notify.Event;
import dev.vantage.notify.Notice;
import dev.vantage.notify.Notices;
import dev.vantage.notify.NotifierContext;
import dev.vantage.notify.Outcome;
import dev.vantage.testing.AlertmanagerServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/** The alertmanager notifier against a real Alertmanager on loopback, read back through its own API. */
@Timeout(120)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AlertmanagerApiIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final OkHttpClient CLIENT = new OkHttpClient();

    private final AlertmanagerNotifier notifier = new AlertmanagerNotifier(NotifierContext.of(null, Clock.systemUTC()));
    private AlertmanagerServer alertmanager;

    @BeforeAll
    void start() {
        alertmanager = AlertmanagerServer.create();
    }

    @AfterAll
    void stop() {
        alertmanager.close();
    }

    @Test
    void anIncidentFiresInAlertmanagerStaysOneAlertThroughItsRemindersAndResolvesWithItsResolvedNotice()
            throws Exception {
        var settings = notifier.configure(JSON.createObjectNode()
                .put("url", alertmanager.url())
                .put("status_url", "http://127.0.0.1/status")
                .set("labels", JSON.createObjectNode().put("team", "web")));
        Notice firing = Notices.firing();
        double resolvedBefore = metric("alertmanager_alerts_received_total", "status=\"resolved\"");
        double firingBefore = metric("alertmanager_alerts_received_total", "status=\"firing\"");

        assertThat(send(settings, firing)).isEqualTo(Outcome.delivered(200));

        JsonNode alert = awaitAlerts(1).get(0);
        assertThat(alert.get("labels"))
                .isEqualTo(
                        JSON.readTree(
                                """
                {"alertname": "VantageMonitorDown", "severity": "critical", "monitor": "checkout", "monitor_id": "7",
                 "dedup_key": "vantage-incident-42", "kind": "monitor", "team": "web"}
                """));
        assertThat(alert.at("/annotations/summary").asText()).isEqualTo(firing.summary());
        assertThat(alert.at("/annotations/datacenters").asText()).isEqualTo("NY, VA");
        assertThat(alert.at("/status/state").asText()).isEqualTo("active");
        assertThat(Instant.parse(alert.get("startsAt").asText())).isEqualTo(Notices.OPENED);
        assertThat(Instant.parse(alert.get("endsAt").asText()))
                .isBetween(
                        Instant.now().plus(Duration.ofHours(23)), Instant.now().plus(Duration.ofHours(25)));
        assertThat(alert.get("generatorURL").asText()).isEqualTo("http://127.0.0.1/status");

        assertThat(send(settings, Notices.with(firing, Event.REMINDER, "checkout is still DOWN")))
                .isEqualTo(Outcome.delivered(200));
        Awaitility.await("the reminder updates the one alert")
                .atMost(Duration.ofSeconds(10))
                .until(() -> alerts().size() == 1
                        && alerts().get(0).at("/annotations/summary").asText().equals("checkout is still DOWN"));

        // The resolved notice lists every datacenter that was DOWN, one more than the firing did.
        Notice resolved = new Notice(
                Event.RESOLVED,
                firing.dedupKey(),
                firing.incidentId(),
                firing.kind(),
                firing.scope(),
                firing.monitorId(),
                firing.monitorName(),
                firing.target(),
                List.of("NY", "SYD", "VA"),
                "UP",
                firing.errorType(),
                firing.errorMessage(),
                firing.openedAt(),
                Instant.now().minusSeconds(1),
                Instant.now().minusSeconds(1),
                "checkout is UP again");
        assertThat(send(settings, resolved)).isEqualTo(Outcome.delivered(200));

        awaitAlerts(0);
        assertThat(metric("alertmanager_alerts_received_total", "status=\"resolved\"") - resolvedBefore)
                .isEqualTo(1);
        assertThat(metric("alertmanager_alerts_received_total", "status=\"firing\"") - firingBefore)
                .isEqualTo(2);
        assertThat(metric("alertmanager_alerts_invalid_total", "")).isZero();
    }

    @Test
    void aLostDatacenterIsAnAlertOfItsOwnLabelledWithTheDatacenter() throws Exception {
        var settings = notifier.configure(JSON.createObjectNode().put("url", alertmanager.url() + "/"));
        Notice lost = new Notice(
                Event.LOST,
                "vantage-incident-77",
                77,
                "datacenter",
                "datacenter",
                null,
                null,
                null,
                List.of("SYD"),
                "LOST",
                null,
                null,
                Notices.OPENED,
                null,
                Notices.FIRED,
                "datacenter SYD is lost: no leader agent seen for 30 s");

        assertThat(send(settings, lost)).isEqualTo(Outcome.delivered(200));

        Awaitility.await("the lost datacenter's alert")
                .atMost(Duration.ofSeconds(10))
                .until(() -> alerts().stream()
                        .anyMatch(a -> a.at("/labels/dedup_key").asText().equals("vantage-incident-77")));
        JsonNode alert = alerts().stream()
                .filter(a -> a.at("/labels/dedup_key").asText().equals("vantage-incident-77"))
                .findFirst()
                .orElseThrow();
        assertThat(alert.at("/labels/alertname").asText()).isEqualTo("VantageDatacenterLost");
        assertThat(alert.at("/labels/datacenter").asText()).isEqualTo("SYD");
        assertThat(alert.at("/labels/monitor").isMissingNode()).isTrue();

        Notice found = Notices.with(lost, Event.FOUND, "datacenter SYD has a leader again");
        assertThat(send(settings, found)).isEqualTo(Outcome.delivered(200));
        Awaitility.await("the lost datacenter's alert resolved")
                .atMost(Duration.ofSeconds(10))
                .until(() -> alerts().stream()
                        .noneMatch(a -> a.at("/labels/dedup_key").asText().equals("vantage-incident-77")));
    }

    private Outcome send(AlertmanagerSettings settings, Notice notice) {
        return notifier.send(
                settings, notifier.render(settings, 1, notice), Instant.now().plusSeconds(5));
    }

    private List<JsonNode> awaitAlerts(int count) {
        Awaitility.await(count + " alerts in Alertmanager")
                .atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> alerts().stream()
                                .filter(a -> a.at("/labels/dedup_key").asText().equals("vantage-incident-42"))
                                .count()
                        == count);
        return alerts().stream()
                .filter(a -> a.at("/labels/dedup_key").asText().equals("vantage-incident-42"))
                .toList();
    }

    /** {@code GET /api/v2/alerts}: the alerts that are not resolved. */
    private List<JsonNode> alerts() {
        var list = new java.util.ArrayList<JsonNode>();
        get("/api/v2/alerts", body -> JSON.readTree(body).forEach(list::add));
        return list;
    }

    /** The sum of a counter's samples whose labels contain {@code labelText}. */
    private double metric(String name, String labelText) {
        double[] sum = {0};
        get("/metrics", body -> body.lines()
                .filter(l -> l.startsWith(name + "{") || l.startsWith(name + " "))
                .filter(l -> l.contains(labelText))
                .forEach(l -> sum[0] += Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))));
        return sum[0];
    }

    private interface BodyReader {
        void read(String body) throws IOException;
    }

    private void get(String path, BodyReader reader) {
        var request = new Request.Builder().url(alertmanager.url() + path).get().build();
        try (Response response = CLIENT.newCall(request).execute()) {
            assertThat(response.code())
                    .as("GET %s\n%s", path, alertmanager.tail())
                    .isEqualTo(200);
            reader.read(response.body().string());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
