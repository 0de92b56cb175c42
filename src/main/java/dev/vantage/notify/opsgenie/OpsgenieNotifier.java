package dev.vantage.notify.opsgenie;

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
import dev.vantage.notify.Text;
import dev.vantage.notify.http.HttpMessage;
import dev.vantage.notify.http.HttpSender;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import okhttp3.Headers;
import okhttp3.HttpUrl;

/**
 * Opsgenie's Alert API v2. The incident's dedup key is the alert's {@code alias}, so Opsgenie keeps one open alert per
 * incident: firing, reminder, flapping, lost and certificate create it (a repeat only raises its count), resolved,
 * found and renewed close it by alias. Opsgenie answers 202 to both: the request is queued and processed a moment
 * later.
 *
 * <p>Format and limits: <a href="https://docs.opsgenie.com/docs/alert-api#create-alert">Create alert</a> (message 130,
 * alias 512, description 15000 characters, tags 20 of 50, details 8000 characters in all, priority P1 to P5), <a
 * href="https://docs.opsgenie.com/docs/alert-api#close-alert">Close alert</a>, <a
 * href="https://docs.opsgenie.com/docs/authentication">GenieKey authentication</a>.
 */
public final class OpsgenieNotifier implements Notifier<OpsgenieSettings, OpsgenieMessage> {
    static final int MESSAGE_MAX = 130;
    static final int ALIAS_MAX = 512;
    static final int DESCRIPTION_MAX = 15_000;
    static final int DETAIL_VALUE_MAX = 800;
    static final int NOTE_MAX = 25_000;
    static final int TAGS_MAX = 20;

    private final HttpSender sender;

    public OpsgenieNotifier(NotifierContext context) {
        this.sender = new HttpSender(context.http(), context.clock());
    }

    /**
     * Opsgenie opens and closes an alert by its alias, the incident's dedup key: each incident is sent on its own, never
     * in a group (a closing group would carry another key than the opening one, and the alert would never close).
     */
    @Override
    public boolean groups() {
        return false;
    }

    @Override
    public String type() {
        return "opsgenie";
    }

    @Override
    public OpsgenieSettings configure(JsonNode settings) throws InvalidChannelException {
        return OpsgenieSettings.from(settings);
    }

    @Override
    public OpsgenieMessage render(OpsgenieSettings settings, long notificationId, Notice notice) {
        String alias = Text.truncate(notice.dedupKey(), ALIAS_MAX);
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        if (notice.event().closes()) {
            body.put("source", "Vantage");
            body.put("note", Text.truncate(text(notice), NOTE_MAX));
            return new OpsgenieMessage(alias, true, HttpMessage.json(NoticeJson.write(body)));
        }
        body.put("message", Text.truncate(notice.summary(), MESSAGE_MAX));
        body.put("alias", alias);
        body.put("description", Text.truncate(text(notice), DESCRIPTION_MAX));
        ArrayNode tags = body.putArray("tags");
        var tagSet = new LinkedHashSet<String>();
        tagSet.add("vantage");
        tagSet.add(notice.kind());
        tagSet.addAll(settings.tags());
        notice.datacenters().forEach(tagSet::add);
        tagSet.stream()
                .limit(TAGS_MAX)
                .map(t -> Text.truncate(t, OpsgenieSettings.TAG_MAX))
                .forEach(tags::add);
        ObjectNode details = body.putObject("details");
        details(notice).forEach((k, v) -> details.put(k, Text.truncate(v, DETAIL_VALUE_MAX)));
        body.put("source", "Vantage");
        body.put("priority", priority(settings.priority(), notice.event()));
        return new OpsgenieMessage(alias, false, HttpMessage.json(NoticeJson.write(body)));
    }

    @Override
    public Outcome send(OpsgenieSettings settings, OpsgenieMessage message, Instant deadline) {
        HttpUrl.Builder url = settings.apiUrl().newBuilder().addPathSegments("v2/alerts");
        if (message.close()) {
            url.addPathSegment(message.alias()).addPathSegment("close").addQueryParameter("identifierType", "alias");
        }
        Headers headers = new Headers.Builder()
                .add("Authorization", "GenieKey " + settings.apiKey().reveal())
                .build();
        return sender.post(url.build(), headers, message.body(), settings.timeout(), deadline);
    }

    /** The description, and the note of a close: the summary and one line per fact. Grouped notices add members here. */
    private static String text(Notice notice) {
        var text = new StringBuilder(notice.summary()).append('\n');
        NoticeFacts.of(notice)
                .forEach((title, value) ->
                        text.append('\n').append(title).append(": ").append(value));
        return text.toString();
    }

    /**
     * The priority of the alert an event creates: the channel's for an outage, P3 (or the channel's when milder) for a
     * certificate's advance warning. An event that closes the alert has none.
     */
    static String priority(String configured, Event event) {
        return switch (event) {
            case FIRING, REMINDER, FLAPPING, LOST -> configured;
            case CERTIFICATE, DEGRADED -> configured.compareTo("P3") > 0 ? configured : "P3";
            case RESOLVED, FOUND, RENEWED, RECOVERED -> null;
        };
    }

    /** Key-value details (strings only, 8000 characters in all: each value is cut to 800, and there are at most 9). */
    private static Map<String, String> details(Notice notice) {
        var details = new LinkedHashMap<String, String>();
        details.put("event", notice.event().wireName());
        details.put("kind", notice.kind());
        putIfPresent(details, "state", notice.state());
        putIfPresent(details, "monitor", notice.monitorName());
        putIfPresent(
                details,
                "monitor_id",
                notice.monitorId() == null ? null : notice.monitorId().toString());
        putIfPresent(details, "datacenters", String.join(", ", notice.datacenters()));
        putIfPresent(details, "target", notice.target());
        putIfPresent(details, "error", NoticeFacts.error(notice));
        putIfPresent(details, "opened_at", NoticeJson.iso(notice.openedAt()));
        return details;
    }

    private static void putIfPresent(Map<String, String> map, String key, String value) {
        if (value != null && !value.isEmpty()) {
            map.put(key, value);
        }
    }
}
