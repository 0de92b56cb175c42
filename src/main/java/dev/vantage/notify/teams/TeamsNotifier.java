package dev.vantage.notify.teams;

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
 * Microsoft Teams through a Workflows (Power Automate) webhook, the replacement of the retired Office 365 connectors:
 * a message with one Adaptive Card 1.4 attachment, a headline coloured by event and a fact set with the incident's
 * fields. The workflow's "When a Teams webhook request is received" trigger posts the card to a channel or chat; it
 * answers 202 Accepted.
 *
 * <p>Format: <a
 * href="https://learn.microsoft.com/en-us/microsoftteams/platform/webhooks-and-connectors/how-to/connectors-using#send-adaptive-cards-using-an-incoming-webhook">Send
 * Adaptive Cards using an incoming webhook</a> (the body Workflows accept too) and <a
 * href="https://adaptivecards.io/explorer/">the Adaptive Card schema</a> ({@code TextBlock}, {@code FactSet}).
 */
public final class TeamsNotifier implements Notifier<TeamsSettings, HttpMessage> {
    /** At most this many incidents of a group are listed, one line each; the rest are counted. */
    static final int GROUP_LINES = 50;

    static final String CARD = "application/vnd.microsoft.card.adaptive";

    private final HttpSender sender;

    public TeamsNotifier(NotifierContext context) {
        this.sender = new HttpSender(context.http(), context.clock());
    }

    @Override
    public String type() {
        return "teams";
    }

    @Override
    public TeamsSettings configure(JsonNode settings) throws InvalidChannelException {
        return TeamsSettings.from(settings);
    }

    @Override
    public HttpMessage render(TeamsSettings settings, long notificationId, Notice notice) {
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.put("type", "message");
        ObjectNode attachment = body.putArray("attachments").addObject();
        attachment.put("contentType", CARD);
        attachment.putNull("contentUrl");
        ObjectNode card = attachment.putObject("content");
        card.put("$schema", "http://adaptivecards.io/schemas/adaptive-card.json");
        card.put("type", "AdaptiveCard");
        card.put("version", "1.4");
        ArrayNode blocks = card.putArray("body");
        blocks.addObject()
                .put("type", "TextBlock")
                .put("text", text(notice))
                .put("weight", "Bolder")
                .put("size", "Medium")
                .put("color", color(notice.event()))
                .put("wrap", true);
        ArrayNode facts = blocks.addObject().put("type", "FactSet").putArray("facts");
        NoticeFacts.of(notice)
                .forEach((title, value) -> facts.addObject().put("title", title).put("value", value));
        return HttpMessage.json(NoticeJson.write(body));
    }

    @Override
    public Outcome send(TeamsSettings settings, HttpMessage message, Instant deadline) {
        return sender.post(settings.httpUrl(), Headers.of(), message, settings.timeout(), deadline);
    }

    /** The headline: one line for people. Grouped notices will add their members here. */
    private static String text(Notice notice) {
        return "[" + notice.event().name() + "] " + notice.summary() + Text.memberList(notice, "- ", GROUP_LINES);
    }

    /** An Adaptive Card text colour: red while an incident is open, green when it ends, amber for warnings. */
    static String color(Event event) {
        return switch (event) {
            case FIRING, REMINDER, LOST -> "Attention";
            case RESOLVED, FOUND, RENEWED, RECOVERED -> "Good";
            case FLAPPING, CERTIFICATE, DEGRADED -> "Warning";
        };
    }
}
