package dev.vantage.notify.ntfy;

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
import java.time.Instant;

/**
 * ntfy, published as JSON to the server's root ({@code POST <server>} with {@code topic}, {@code title}, {@code
 * message}, {@code priority} and {@code tags}) rather than as a body with {@code Title}/{@code Priority}/{@code Tags}
 * headers: header values must be ASCII for the HTTP client (ntfy would want RFC 2047 encoding for anything else), and
 * a monitor's name or an error text in any language goes into JSON as it is. Tags that name an emoji show as one.
 *
 * <p>Format: <a href="https://docs.ntfy.sh/publish/#publish-as-json">Publish as JSON</a>, <a
 * href="https://docs.ntfy.sh/publish/#message-priority">priorities</a>, <a
 * href="https://docs.ntfy.sh/publish/#tags-emojis">tags and emojis</a>, <a
 * href="https://docs.ntfy.sh/publish/#authentication">authentication</a>.
 */
public final class NtfyNotifier implements Notifier<NtfySettings, HttpMessage> {
    /** At most this many incidents of a group are listed, one line each; the rest are counted. */
    static final int GROUP_LINES = 50;

    static final int TITLE_MAX = 250;
    /** In UTF-8 bytes: ntfy turns a longer message into an attachment (its default limit is 4096 bytes). */
    static final int MESSAGE_MAX = 4000;

    private final HttpSender sender;

    public NtfyNotifier(NotifierContext context) {
        this.sender = new HttpSender(context.http(), context.clock());
    }

    @Override
    public String type() {
        return "ntfy";
    }

    @Override
    public NtfySettings configure(JsonNode settings) throws InvalidChannelException {
        return NtfySettings.from(settings);
    }

    @Override
    public HttpMessage render(NtfySettings settings, long notificationId, Notice notice) {
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.put("topic", settings.topic().reveal());
        body.put("title", Text.truncate(notice.event().name() + ": " + NoticeFacts.subject(notice), TITLE_MAX));
        body.put("message", fit(text(notice)));
        body.put("priority", priority(settings.priority(), notice.event()));
        body.putArray("tags").add(tag(notice.event())).add(notice.kind());
        return HttpMessage.json(NoticeJson.write(body));
    }

    @Override
    public Outcome send(NtfySettings settings, HttpMessage message, Instant deadline) {
        return sender.post(settings.server(), settings.auth().headers(), message, settings.timeout(), deadline);
    }

    /** The message: the summary, then the error and the incident's key. Grouped notices will add members here. */
    private static String text(Notice notice) {
        var text = new StringBuilder(notice.summary()).append(Text.memberList(notice, "• ", GROUP_LINES));
        String error = NoticeFacts.error(notice);
        if (error != null && !notice.event().closes()) {
            text.append("\nError: ").append(error);
        }
        return text.append("\nIncident: ").append(notice.dedupKey()).toString();
    }

    /** At most {@link #MESSAGE_MAX} bytes of UTF-8, which is what ntfy counts: a cut message ends with an ellipsis. */
    static String fit(String message) {
        String fitted = Text.truncate(message, MESSAGE_MAX);
        while (Text.utf8Length(fitted) > MESSAGE_MAX) {
            int excess = Text.utf8Length(fitted) - MESSAGE_MAX;
            fitted = Text.truncate(fitted, fitted.length() - Math.max(1, excess / 3));
        }
        return fitted;
    }

    /**
     * An outage at the channel's priority (default 4, high); good news and a certificate's advance warning never
     * louder than 3 (default), and a channel set quieter stays quiet.
     */
    static int priority(Integer configured, Event event) {
        int open = configured == null ? 4 : configured;
        return switch (event) {
            case FIRING, REMINDER, FLAPPING, LOST -> open;
            case RESOLVED, FOUND, RENEWED, RECOVERED, CERTIFICATE, DEGRADED -> Math.min(open, 3);
        };
    }

    /** The emoji tag ntfy shows before the title. */
    static String tag(Event event) {
        return switch (event) {
            case FIRING, REMINDER, LOST -> "rotating_light";
            case FLAPPING, CERTIFICATE, DEGRADED -> "warning";
            case RESOLVED, FOUND, RENEWED, RECOVERED -> "white_check_mark";
        };
    }
}
