package dev.vantage.notify.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vantage.notify.InvalidChannelException;
import dev.vantage.notify.Notice;
import dev.vantage.notify.NoticeJson;
import dev.vantage.notify.Notifier;
import dev.vantage.notify.NotifierContext;
import dev.vantage.notify.Outcome;
import dev.vantage.notify.http.HttpMessage;
import dev.vantage.notify.http.HttpSender;
import java.time.Instant;
import java.util.Base64;
import okhttp3.Headers;

/**
 * A JSON POST as <a href="https://www.standardwebhooks.com">Standard Webhooks</a> 1.0 describes: body
 * {@code {"type":"incident.<event>","timestamp":...,"data":{...}}}, headers {@code webhook-id} (the same on every
 * retry of one notification), {@code webhook-timestamp} and, with a {@code whsec_} secret, {@code webhook-signature}.
 * The timestamp and signature are made per attempt in {@link #send}, so that a retry is not refused as a replay.
 */
public final class WebhookNotifier implements Notifier<WebhookSettings, WebhookMessage> {
    private final HttpSender sender;

    public WebhookNotifier(NotifierContext context) {
        this.sender = new HttpSender(context.http(), context.clock());
    }

    @Override
    public String type() {
        return "webhook";
    }

    @Override
    public WebhookSettings configure(JsonNode settings) throws InvalidChannelException {
        return WebhookSettings.from(settings);
    }

    @Override
    public WebhookMessage render(WebhookSettings settings, long notificationId, Notice notice) {
        return new WebhookMessage(
                NoticeJson.messageId(notificationId), notice.dedupKey(), NoticeJson.write(NoticeJson.event(notice)));
    }

    @Override
    public Outcome send(WebhookSettings settings, WebhookMessage message, Instant deadline) {
        try {
            return post(settings, message, deadline);
        } catch (RuntimeException e) {
            // Never the exception's message: header-building errors quote header values.
            return Outcome.retry(
                    null, null, "webhook send failed: " + e.getClass().getSimpleName());
        }
    }

    private Outcome post(WebhookSettings settings, WebhookMessage message, Instant deadline) {
        long timestamp = sender.clock().instant().getEpochSecond();
        var headers = new Headers.Builder();
        settings.headers().forEach((name, value) -> headers.add(name, value.reveal()));
        headers.set("webhook-id", message.id());
        headers.set("webhook-timestamp", Long.toString(timestamp));
        headers.set("vantage-dedup-key", message.dedupKey());
        if (settings.signingKey() != null) {
            byte[] key = Base64.getDecoder().decode(settings.signingKey().reveal());
            headers.set("webhook-signature", WebhookSignature.sign(key, message.id(), timestamp, message.body()));
        }
        return sender.post(
                settings.httpUrl(), headers.build(), HttpMessage.json(message.body()), settings.timeout(), deadline);
    }
}
