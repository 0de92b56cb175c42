package dev.vantage.notify.telegram;

import com.fasterxml.jackson.databind.JsonNode;
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
 * Telegram's Bot API {@code sendMessage}: {@code POST <api_url>/bot<token>/sendMessage} with JSON {@code chat_id},
 * {@code text} in {@code parse_mode} HTML (every {@code <}, {@code >} and {@code &} of the notice escaped, so a
 * target's text cannot inject markup) and link previews off ({@code link_preview_options}, which replaced
 * {@code disable_web_page_preview} in Bot API 7.0). A 429 waits as long as its {@code parameters.retry_after} says.
 *
 * <p>The token is part of the URL path. {@link HttpSender} never puts a URL in an outcome, the settings' {@code
 * toString()} shows no token, and the URL is built only here, at send time.
 *
 * <p>Format and limits: <a href="https://core.telegram.org/bots/api#sendmessage">sendMessage</a>, <a
 * href="https://core.telegram.org/bots/api#html-style">HTML style</a>, <a
 * href="https://core.telegram.org/bots/api#responseparameters">ResponseParameters</a>.
 */
public final class TelegramNotifier implements Notifier<TelegramSettings, HttpMessage> {
    /** At most this many incidents of a group are listed, one line each; the rest are counted. */
    static final int GROUP_LINES = 50;

    /** The longest text Telegram takes, counted after entities are parsed (so as characters shown). */
    static final int TEXT_MAX = 4096;

    private final HttpSender sender;

    public TelegramNotifier(NotifierContext context) {
        this.sender = new HttpSender(context.http(), context.clock());
    }

    @Override
    public String type() {
        return "telegram";
    }

    @Override
    public TelegramSettings configure(JsonNode settings) throws InvalidChannelException {
        return TelegramSettings.from(settings);
    }

    @Override
    public HttpMessage render(TelegramSettings settings, long notificationId, Notice notice) {
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        if (settings.numericChat()) {
            body.put("chat_id", Long.parseLong(settings.chatId()));
        } else {
            body.put("chat_id", settings.chatId());
        }
        body.put("text", text(notice));
        body.put("parse_mode", "HTML");
        body.putObject("link_preview_options").put("is_disabled", true);
        return HttpMessage.json(NoticeJson.write(body));
    }

    @Override
    public Outcome send(TelegramSettings settings, HttpMessage message, Instant deadline) {
        return sender.post(
                settings.sendMessageUrl(),
                Headers.of(),
                message,
                settings.timeout(),
                deadline,
                TelegramNotifier::retryAfter);
    }

    /**
     * The message: a bold headline with the event's mark, then one line per fact. Each piece is cut before it is
     * escaped, so a cut never splits an entity, and the whole stays within {@link #TEXT_MAX} characters shown. Grouped
     * notices will add their members here.
     */
    private static String text(Notice notice) {
        var html = new StringBuilder();
        int left = TEXT_MAX;
        String headline = Text.truncate(mark(notice.event()) + " " + notice.summary(), 2048);
        html.append("<b>").append(escape(headline)).append("</b>");
        left -= headline.length();
        for (var fact : NoticeFacts.of(notice).entrySet()) {
            String label = "\n" + fact.getKey() + ": ";
            if (left <= label.length() + 1) {
                break;
            }
            String value = Text.truncate(fact.getValue(), left - label.length());
            html.append("\n<b>").append(escape(fact.getKey())).append(":</b> ").append(escape(value));
            left -= label.length() + value.length();
        }
        String members = Text.memberList(notice, "• ", GROUP_LINES);
        html.append(escape(members.length() < left ? members : Text.truncate(members, Math.max(1, left))));
        return html.toString();
    }

    /** A word and a sign per event, so a glance at the chat list tells good news from bad. */
    static String mark(Event event) {
        return switch (event) {
            case FIRING -> "🔴 FIRING";
            case REMINDER -> "🔴 REMINDER";
            case LOST -> "🔴 LOST";
            case FLAPPING -> "🟠 FLAPPING";
            case CERTIFICATE -> "🟠 CERTIFICATE";
            case DEGRADED -> "🟠 DEGRADED";
            case RESOLVED -> "🟢 RESOLVED";
            case FOUND -> "🟢 FOUND";
            case RENEWED -> "🟢 RENEWED";
            case RECOVERED -> "🟢 RECOVERED";
        };
    }

    /** The three characters Telegram's HTML style asks to escape. */
    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    /** {@code {"ok": false, "error_code": 429, "parameters": {"retry_after": 5}}}: the wait in seconds, or null. */
    static Duration retryAfter(String body) {
        try {
            JsonNode wait = NoticeJson.MAPPER.readTree(body).path("parameters").path("retry_after");
            return wait.isNumber() ? RetryAfter.ofSeconds(wait.doubleValue()) : null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
