package dev.vantage.notify.pagerduty;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vantage.notify.Event;
import dev.vantage.notify.InvalidChannelException;
import dev.vantage.notify.Notice;
import dev.vantage.notify.NoticeJson;
import dev.vantage.notify.Notifier;
import dev.vantage.notify.NotifierContext;
import dev.vantage.notify.Outcome;
import dev.vantage.notify.Text;
import dev.vantage.notify.http.HttpMessage;
import dev.vantage.notify.http.HttpSender;
import java.time.Instant;
import okhttp3.Headers;

/**
 * PagerDuty Events API v2. Every notice of an incident carries the incident's dedup key, so PagerDuty keeps one alert
 * per incident: firing, reminder, flapping, lost and certificate trigger it (a repeat trigger only adds to its log),
 * resolved, found and renewed resolve it. A certificate about to expire is a warning, never more severe than the
 * channel's {@code severity}. The rendered body holds the routing key, as the API requires.
 */
public final class PagerDutyNotifier implements Notifier<PagerDutySettings, HttpMessage> {
    static final int SUMMARY_MAX = 1024;

    private final HttpSender sender;

    public PagerDutyNotifier(NotifierContext context) {
        this.sender = new HttpSender(context.http(), context.clock());
    }

    @Override
    public String type() {
        return "pagerduty";
    }

    @Override
    public PagerDutySettings configure(JsonNode settings) throws InvalidChannelException {
        return PagerDutySettings.from(settings);
    }

    /**
     * A certificate or degraded notice warns: {@code warning}, or the channel's severity when that is milder
     * ({@code info}).
     */
    static String severity(String configured, Notice notice) {
        if ((notice.event() == Event.CERTIFICATE || notice.event() == Event.DEGRADED) && !configured.equals("info")) {
            return "warning";
        }
        return configured;
    }

    /** Events v2 takes one event per dedup key: each incident is sent on its own, never in a group. */
    @Override
    public boolean groups() {
        return false;
    }

    @Override
    public HttpMessage render(PagerDutySettings settings, long notificationId, Notice notice) {
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.put("routing_key", settings.routingKey().reveal());
        body.put("event_action", notice.event().closes() ? "resolve" : "trigger");
        body.put("dedup_key", notice.dedupKey());
        if (!notice.event().closes()) {
            ObjectNode payload = body.putObject("payload");
            payload.put("summary", Text.truncate(notice.summary(), SUMMARY_MAX));
            payload.put("source", source(notice));
            payload.put("severity", severity(settings.severity(), notice));
            payload.put("timestamp", NoticeJson.iso(notice.at()));
            putIfPresent(payload, "component", notice.monitorName());
            payload.put("group", notice.kind());
            putIfPresent(payload, "class", notice.errorType());
            payload.set("custom_details", NoticeJson.toJson(notice));
        }
        body.put("client", "Vantage");
        return HttpMessage.json(NoticeJson.write(body));
    }

    @Override
    public Outcome send(PagerDutySettings settings, HttpMessage message, Instant deadline) {
        return sender.post(settings.url(), Headers.of(), message, settings.timeout(), deadline);
    }

    /** What is affected: the monitored target, else the datacenters (a lost datacenter has no target). */
    private static String source(Notice n) {
        if (n.target() != null) {
            return n.target();
        }
        return n.datacenters().isEmpty() ? "vantage" : "datacenter " + String.join(", ", n.datacenters());
    }

    private static void putIfPresent(ObjectNode o, String key, String value) {
        if (value != null) {
            o.put(key, value);
        }
    }
}
