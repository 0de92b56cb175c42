package dev.vantage.notify.discord;

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
import dev.vantage.notify.http.RetryAfter;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import okhttp3.Headers;

/**
 * A Discord webhook (Execute Webhook): the headline as {@code content}, so that it shows in push notifications, and one
 * embed coloured by event with the incident's fields. {@code allowed_mentions} parses nothing, so a monitor name or
 * error text with {@code @everyone} or a role mention pings nobody. A 429 waits as long as its JSON
 * {@code retry_after} (seconds, with fractions) says when no {@code Retry-After} header came.
 *
 * <p>Format and limits: <a href="https://discord.com/developers/docs/resources/webhook#execute-webhook">Execute
 * Webhook</a>, <a href="https://discord.com/developers/docs/resources/message#embed-object-embed-limits">embed
 * limits</a>, <a href="https://discord.com/developers/docs/resources/message#allowed-mentions-object">allowed
 * mentions</a>, <a href="https://discord.com/developers/docs/topics/rate-limits">rate limits</a>.
 */
public final class DiscordNotifier implements Notifier<DiscordSettings, HttpMessage> {
    /** At most this many incidents of a group are listed, one line each; the rest are counted. */
    static final int GROUP_LINES = 50;

    static final int RED = 0xD00000;
    static final int GREEN = 0x2EB67D;
    static final int ORANGE = 0xFF9900;
    static final int CONTENT_MAX = 2000;
    static final int TITLE_MAX = 256;
    static final int DESCRIPTION_MAX = 4096;
    static final int FIELD_VALUE_MAX = 1024;

    private final HttpSender sender;

    public DiscordNotifier(NotifierContext context) {
        this.sender = new HttpSender(context.http(), context.clock());
    }

    @Override
    public String type() {
        return "discord";
    }

    @Override
    public DiscordSettings configure(JsonNode settings) throws InvalidChannelException {
        return DiscordSettings.from(settings);
    }

    @Override
    public HttpMessage render(DiscordSettings settings, long notificationId, Notice notice) {
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.put("content", Text.truncate(text(notice), CONTENT_MAX));
        ObjectNode embed = body.putArray("embeds").addObject();
        embed.put("title", Text.truncate(notice.event().name() + ": " + NoticeFacts.subject(notice), TITLE_MAX));
        embed.put("description", Text.truncate(notice.summary(), DESCRIPTION_MAX));
        embed.put("color", color(notice.event()));
        ArrayNode fields = embed.putArray("fields");
        NoticeFacts.of(notice).forEach((name, value) -> fields.addObject()
                .put("name", name)
                .put("value", Text.truncate(value, FIELD_VALUE_MAX))
                .put("inline", value.length() <= 40));
        embed.put("timestamp", NoticeJson.iso(notice.at()));
        body.putObject("allowed_mentions").putArray("parse");
        return HttpMessage.json(NoticeJson.write(body));
    }

    @Override
    public Outcome send(DiscordSettings settings, HttpMessage message, Instant deadline) {
        return sender.post(
                settings.httpUrl(), Headers.of(), message, settings.timeout(), deadline, DiscordNotifier::retryAfter);
    }

    /** The headline: one line for people. Grouped notices will add their members here. */
    private static String text(Notice notice) {
        return "[" + notice.event().name() + "] " + notice.summary() + Text.memberList(notice, "• ", GROUP_LINES);
    }

    /** The embed's colour, an RGB integer: red while an incident is open, green when it ends, orange for warnings. */
    static int color(Event event) {
        return switch (event) {
            case FIRING, REMINDER, LOST -> RED;
            case RESOLVED, FOUND, RENEWED, RECOVERED -> GREEN;
            case FLAPPING, CERTIFICATE, DEGRADED -> ORANGE;
        };
    }

    /** {@code {"message": ..., "retry_after": 64.57, "global": false}}: the wait in seconds, or null. */
    static Duration retryAfter(String body) {
        try {
            JsonNode wait = NoticeJson.MAPPER.readTree(body).path("retry_after");
            return wait.isNumber() ? RetryAfter.ofSeconds(wait.doubleValue()) : null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
