package dev.vantage.notify.pushover;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vantage.notify.Event;
import dev.vantage.notify.InvalidChannelException;
import dev.vantage.notify.Notice;
import dev.vantage.notify.Notifier;
import dev.vantage.notify.NotifierContext;
import dev.vantage.notify.Outcome;
import dev.vantage.notify.Text;
import dev.vantage.notify.http.HttpMessage;
import dev.vantage.notify.http.HttpSender;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.StringJoiner;
import okhttp3.Headers;

/**
 * Pushover's message API, as a form-encoded POST. The rendered form holds the token and user key, as the API requires.
 */
public final class PushoverNotifier implements Notifier<PushoverSettings, HttpMessage> {
    static final int TITLE_MAX = 250;
    static final int MESSAGE_MAX = 1024;
    /** Emergency priority (2) repeats until acknowledged: every 60 s, for at most an hour. */
    static final int EMERGENCY_RETRY_SECONDS = 60;

    static final int EMERGENCY_EXPIRE_SECONDS = 3600;

    private final HttpSender sender;

    public PushoverNotifier(NotifierContext context) {
        this.sender = new HttpSender(context.http(), context.clock());
    }

    @Override
    public String type() {
        return "pushover";
    }

    @Override
    public PushoverSettings configure(JsonNode settings) throws InvalidChannelException {
        return PushoverSettings.from(settings);
    }

    @Override
    public HttpMessage render(PushoverSettings settings, long notificationId, Notice notice) {
        int priority = priority(settings.priority(), notice);
        var form = new LinkedHashMap<String, String>();
        form.put("token", settings.token().reveal());
        form.put("user", settings.user().reveal());
        form.put("title", Text.truncate(title(notice), TITLE_MAX));
        form.put("message", Text.truncate(String.join("\n", Text.lines(notice)), MESSAGE_MAX));
        form.put("priority", Integer.toString(priority));
        if (priority == 2) {
            form.put("retry", Integer.toString(EMERGENCY_RETRY_SECONDS));
            form.put("expire", Integer.toString(EMERGENCY_EXPIRE_SECONDS));
        }
        if (notice.at() != null) {
            form.put("timestamp", Long.toString(notice.at().getEpochSecond()));
        }
        return new HttpMessage(HttpMessage.FORM, encode(form));
    }

    /** {@code Vantage FIRING}; a group says how many incidents its lines are ({@code Vantage FIRING: 3 monitors DOWN}). */
    static String title(Notice notice) {
        String title = "Vantage " + notice.event().name();
        if (!notice.isGroup()) {
            return title;
        }
        int colon = notice.summary().indexOf(": ");
        return title + ": "
                + (colon < 0
                        ? notice.members().size() + " incidents"
                        : notice.summary().substring(0, colon));
    }

    @Override
    public Outcome send(PushoverSettings settings, HttpMessage message, Instant deadline) {
        return sender.post(settings.url(), Headers.of(), message, settings.timeout(), deadline);
    }

    /**
     * Good news, a certificate's advance warning and slowness never page louder than normal; a channel set quieter
     * stays quiet.
     */
    static int priority(Integer configured, Notice notice) {
        if (notice.event().closes() || notice.event() == Event.CERTIFICATE || notice.event() == Event.DEGRADED) {
            return configured == null ? 0 : Math.min(configured, 0);
        }
        return configured == null ? 1 : configured;
    }

    private static String encode(Map<String, String> form) {
        var joiner = new StringJoiner("&");
        form.forEach((k, v) -> joiner.add(k + "=" + URLEncoder.encode(v, StandardCharsets.UTF_8)));
        return joiner.toString();
    }
}
