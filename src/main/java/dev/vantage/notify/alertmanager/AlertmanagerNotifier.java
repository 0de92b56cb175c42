package dev.vantage.notify.alertmanager;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vantage.notify.Event;
import dev.vantage.notify.InvalidChannelException;
import dev.vantage.notify.Notice;
import dev.vantage.notify.NoticeFacts;
import dev.vantage.notify.NoticeJson;
import dev.vantage.notify.Notifier;
import dev.vantage.notify.NotifierContext;
import dev.vantage.notify.Outcome;
import dev.vantage.notify.http.HttpMessage;
import dev.vantage.notify.http.HttpSender;
import java.io.IOException;
import java.time.Instant;

/**
 * Prometheus Alertmanager: each notice posts one alert to {@code POST <url>/api/v2/alerts} (a JSON array of postable
 * alerts, as Prometheus sends them), so that teams who route, group, silence and inhibit everything in Alertmanager
 * can do so with Vantage's incidents too.
 *
 * <p><b>Identity.</b> Alertmanager identifies an alert by its label set, so the labels are the ones that stay the same
 * for the whole incident: {@code alertname} by kind ({@code VantageMonitorDown}, {@code VantageDatacenterLost},
 * {@code VantageCertificateExpiring}, {@code VantageMonitorDegraded}), {@code severity}, {@code monitor}, {@code monitor_id}, {@code datacenter} (of a
 * lost datacenter), {@code dedup_key}, {@code kind} and the channel's static {@code labels}. The datacenters DOWN in a
 * monitor incident change while it is open (a resolved notice lists every datacenter that was DOWN), so they are an
 * annotation: as a label they would make the resolved notice a second alert and leave the first one firing.
 *
 * <p><b>endsAt.</b> Prometheus re-sends a firing alert every evaluation and lets {@code endsAt} lapse when it stops;
 * Vantage sends a notice when something happens. A notice that ends the incident sets {@code endsAt} to its end, and
 * Alertmanager resolves the alert at once. An open incident's alert gets {@code endsAt} = the attempt's time + the
 * channel's {@code resolve_timeout} (default 24 h), set at send time: left empty, Alertmanager would resolve it after
 * its own {@code resolve_timeout} (5 minutes by default) while the outage goes on. Every notice of an open incident
 * (firing, reminder, flapping) re-posts the alert and pushes {@code endsAt} on, so with the channel's {@code
 * repeat_every} shorter than {@code resolve_timeout} (the defaults, 4 h and 24 h, are) an alert stays firing exactly as
 * long as its incident, and comes back within {@code repeat_every} after an Alertmanager restart (which forgets alerts).
 * If Vantage stops sending altogether, the alert still resolves by itself after {@code resolve_timeout}; lost
 * datacenters and certificate warnings have no reminders, so theirs do too.
 *
 * <p>Format: <a
 * href="https://github.com/prometheus/alertmanager/blob/main/api/v2/openapi.yaml">api/v2/openapi.yaml</a>
 * ({@code postableAlerts}, {@code postableAlert}: {@code labels}, {@code annotations}, {@code startsAt}, {@code
 * endsAt}, {@code generatorURL}), <a href="https://prometheus.io/docs/alerting/latest/clients/">sending alerts</a>.
 * Alertmanager answers 200.
 */
public final class AlertmanagerNotifier implements Notifier<AlertmanagerSettings, AlertmanagerMessage> {
    private final HttpSender sender;

    public AlertmanagerNotifier(NotifierContext context) {
        this.sender = new HttpSender(context.http(), context.clock());
    }

    /**
     * Alertmanager tells alerts apart by their labels and groups them itself ({@code group_wait}): each incident is
     * posted as its own alert, never in a group.
     */
    @Override
    public boolean groups() {
        return false;
    }

    @Override
    public String type() {
        return "alertmanager";
    }

    @Override
    public AlertmanagerSettings configure(JsonNode settings) throws InvalidChannelException {
        return AlertmanagerSettings.from(settings);
    }

    @Override
    public AlertmanagerMessage render(AlertmanagerSettings settings, long notificationId, Notice notice) {
        ObjectNode alert = JsonNodeFactory.instance.objectNode();
        ObjectNode labels = alert.putObject("labels");
        labels.put("alertname", alertname(notice.kind()));
        labels.put(
                "severity",
                "certificate".equals(notice.kind()) || "degraded".equals(notice.kind())
                        ? "warning"
                        : settings.severity());
        putIfPresent(labels, "monitor", notice.monitorName());
        putIfPresent(
                labels,
                "monitor_id",
                notice.monitorId() == null ? null : notice.monitorId().toString());
        if ("datacenter".equals(notice.kind())) {
            putIfPresent(labels, "datacenter", String.join(",", notice.datacenters()));
        }
        labels.put("dedup_key", notice.dedupKey());
        labels.put("kind", notice.kind());
        settings.labels().forEach(labels::put);
        ObjectNode annotations = alert.putObject("annotations");
        annotations.put("summary", text(notice));
        annotations.put("description", description(notice));
        putIfPresent(annotations, "datacenters", String.join(", ", notice.datacenters()));
        putIfPresent(annotations, "target", notice.target());
        putIfPresent(alert, "startsAt", NoticeJson.iso(notice.openedAt()));
        if (settings.statusUrl() != null) {
            alert.put("generatorURL", settings.statusUrl().toString());
        }
        Instant endsAt = ends(notice.event()) ? endOf(notice) : null;
        return new AlertmanagerMessage(NoticeJson.write(alert), endsAt);
    }

    @Override
    public Outcome send(AlertmanagerSettings settings, AlertmanagerMessage message, Instant deadline) {
        Instant endsAt = message.endsAt() != null
                ? message.endsAt()
                : sender.clock().instant().plus(settings.resolveTimeout());
        return sender.post(
                settings.alertsUrl(),
                settings.auth().headers(),
                HttpMessage.json(body(message.alert(), endsAt)),
                settings.timeout(),
                deadline);
    }

    /** The request body: an array with the alert, its {@code endsAt} set. */
    static String body(String alert, Instant endsAt) {
        try {
            ObjectNode node = (ObjectNode) NoticeJson.MAPPER.readTree(alert);
            node.put("endsAt", NoticeJson.iso(endsAt));
            ArrayNode alerts = JsonNodeFactory.instance.arrayNode().add(node);
            return NoticeJson.write(alerts);
        } catch (IOException e) {
            throw new IllegalStateException("render wrote this JSON", e);
        }
    }

    /** The summary annotation: one line for people. Grouped notices will add their members here. */
    private static String text(Notice notice) {
        return notice.summary();
    }

    private static String description(Notice notice) {
        var text = new StringBuilder();
        NoticeFacts.of(notice).forEach((title, value) -> {
            if (!text.isEmpty()) {
                text.append('\n');
            }
            text.append(title).append(": ").append(value);
        });
        return text.toString();
    }

    /** Whether the notice ends the incident, so the alert gets an {@code endsAt} in the past and resolves. */
    static boolean ends(Event event) {
        return switch (event) {
            case FIRING, REMINDER, FLAPPING, LOST, CERTIFICATE, DEGRADED -> false;
            case RESOLVED, FOUND, RENEWED, RECOVERED -> true;
        };
    }

    static String alertname(String kind) {
        return switch (kind) {
            case "monitor" -> "VantageMonitorDown";
            case "datacenter" -> "VantageDatacenterLost";
            case "certificate" -> "VantageCertificateExpiring";
            case "degraded" -> "VantageMonitorDegraded";
            default -> "VantageIncident";
        };
    }

    private static Instant endOf(Notice notice) {
        return notice.resolvedAt() != null ? notice.resolvedAt() : notice.at();
    }

    private static void putIfPresent(ObjectNode o, String key, String value) {
        if (value != null && !value.isEmpty()) {
            o.put(key, value);
        }
    }
}
