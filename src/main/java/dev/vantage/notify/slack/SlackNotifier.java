package dev.vantage.notify.slack;

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
import okhttp3.Headers;

/**
 * A Slack incoming webhook: one line of text and a coloured attachment with the incident's fields. Red while an
 * incident is open, green when it ends, orange while the monitor flaps. A group notice lists its incidents in one
 * field, a line each.
 */
public final class SlackNotifier implements Notifier<SlackSettings, HttpMessage> {
    static final String RED = "#d00000";
    static final String GREEN = "#2eb67d";
    static final String ORANGE = "#ff9900";
    /** A group's lines are cut here: a message that lists up to 1,000 incidents in full would be unreadable. */
    static final int FIELD_MAX = 2000;

    private final HttpSender sender;

    public SlackNotifier(NotifierContext context) {
        this.sender = new HttpSender(context.http(), context.clock());
    }

    @Override
    public String type() {
        return "slack";
    }

    @Override
    public SlackSettings configure(JsonNode settings) throws InvalidChannelException {
        return SlackSettings.from(settings);
    }

    @Override
    public HttpMessage render(SlackSettings settings, long notificationId, Notice notice) {
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.put("text", "[" + notice.event().name() + "] " + escape(notice.summary()));
        ObjectNode attachment = body.putArray("attachments").addObject();
        attachment.put("color", color(notice.event()));
        ArrayNode fields = attachment.putArray("fields");
        field(fields, "Event", notice.event().wireName(), true);
        field(fields, "State", notice.state(), true);
        field(fields, "Monitor", notice.monitorName(), true);
        field(
                fields,
                "Datacenters",
                notice.datacenters().isEmpty() ? null : String.join(", ", notice.datacenters()),
                true);
        field(fields, "Target", notice.target(), false);
        field(fields, "Error", NoticeFacts.error(notice), false);
        field(fields, "Opened at", NoticeJson.iso(notice.openedAt()), true);
        field(fields, "Resolved at", NoticeJson.iso(notice.resolvedAt()), true);
        if (notice.isGroup()) {
            field(fields, "Incidents", Text.truncate(String.join("\n", Text.lines(notice)), FIELD_MAX), false);
        }
        field(fields, notice.isGroup() ? "Group" : "Incident", notice.dedupKey(), false);
        return HttpMessage.json(NoticeJson.write(body));
    }

    @Override
    public Outcome send(SlackSettings settings, HttpMessage message, Instant deadline) {
        return sender.post(settings.httpUrl(), Headers.of(), message, settings.timeout(), deadline);
    }

    static String color(Event event) {
        return switch (event) {
            case FIRING, REMINDER, LOST -> RED;
            case RESOLVED, FOUND, RENEWED, RECOVERED -> GREEN;
            case FLAPPING, CERTIFICATE, DEGRADED -> ORANGE;
        };
    }

    private static void field(ArrayNode fields, String title, String value, boolean isShort) {
        if (value != null) {
            fields.addObject().put("title", title).put("value", escape(value)).put("short", isShort);
        }
    }

    /** Slack reads {@code &}, {@code <} and {@code >} as markup (links, mentions), so they are escaped as it asks. */
    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
