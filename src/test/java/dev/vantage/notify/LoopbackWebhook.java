package dev.vantage.notify;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/**
 * A stand-in for the webhook notifier, for delivery tests: POSTs the notice as JSON with the notification id as
 * {@code webhook-id}, and maps the answer to an {@link Outcome} as the real notifiers do (2xx delivered; 408, 429 and
 * 5xx retried, with Retry-After; other 4xx rejected; an I/O error or the deadline retried).
 */
final class LoopbackWebhook implements ChannelDirectory.Sender {
    private static final MediaType JSON = MediaType.get("application/json");
    private static final OkHttpClient CLIENT =
            new OkHttpClient.Builder().retryOnConnectionFailure(false).build();

    private final URI uri;

    LoopbackWebhook(URI uri) {
        this.uri = uri;
    }

    @Override
    public Outcome deliver(long notificationId, Notice notice, Instant deadline) {
        long ms = Math.max(1, Duration.between(Instant.now(), deadline).toMillis());
        var request = new Request.Builder()
                .url(uri.toString())
                .header("webhook-id", Long.toString(notificationId))
                .header("x-dedup-key", notice.dedupKey())
                .post(RequestBody.create(OutboxPayload.write(notice), JSON))
                .build();
        var call = CLIENT.newCall(request);
        call.timeout().timeout(ms, TimeUnit.MILLISECONDS);
        try (Response response = call.execute()) {
            int code = response.code();
            if (code / 100 == 2) {
                return Outcome.delivered(code);
            }
            if (code == 408 || code == 429 || code / 100 == 5) {
                return Outcome.retry(code, retryAfter(response.header("Retry-After")), "HTTP " + code);
            }
            return Outcome.rejected(code, "HTTP " + code);
        } catch (IOException e) {
            return Outcome.retry(null, null, e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    private static Duration retryAfter(String header) {
        if (header == null) {
            return null;
        }
        try {
            return Duration.ofSeconds(Long.parseLong(header.trim()));
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
