package dev.vantage.notify.http;

import dev.vantage.notify.Outcome;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import okhttp3.Call;
import okhttp3.Headers;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/**
 * One POST, turned into an {@link Outcome}: what every HTTP notifier shares.
 *
 * <ul>
 *   <li>one timeout for the whole call: the notifier's own limit or what is left before the deadline, whichever is
 *       shorter;
 *   <li>2xx delivered; 408, 429 and 5xx retried, honouring {@code Retry-After}; any other status rejected;
 *   <li>network errors and timeouts retried;
 *   <li>{@link Outcome#detail()} names the status or the kind of failure, never the URL (Slack and many webhook URLs
 *       carry a token) nor a header value, and never an exception message (those quote the host and path).
 * </ul>
 */
public final class HttpSender {
    private static final long BODY_LIMIT = 64 * 1024;

    private final OkHttpClient client;
    private final Clock clock;

    public HttpSender(OkHttpClient client, Clock clock) {
        this.client = client;
        this.clock = clock;
    }

    public Clock clock() {
        return clock;
    }

    /**
     * Reads how long a receiver asks to wait from the body of a 429 answer, for services that say it there rather
     * than in {@code Retry-After} (Discord's {@code retry_after}, Telegram's {@code parameters.retry_after}).
     */
    @FunctionalInterface
    public interface BodyRetryAfter {
        /** The wait asked for, or null when the body does not say. Never throws. */
        Duration parse(String body);
    }

    /** POSTs {@code message} to {@code url} with {@code headers}. Never throws. */
    public Outcome post(HttpUrl url, Headers headers, HttpMessage message, Duration timeout, Instant deadline) {
        return post(url, headers, message, timeout, deadline, null);
    }

    /**
     * {@link #post(HttpUrl, Headers, HttpMessage, Duration, Instant)}, and a 429 without {@code Retry-After} waits as
     * long as {@code fromBody} reads from its body (capped like the header).
     */
    public Outcome post(
            HttpUrl url,
            Headers headers,
            HttpMessage message,
            Duration timeout,
            Instant deadline,
            BodyRetryAfter fromBody) {
        Duration left = Duration.between(clock.instant(), deadline);
        if (left.compareTo(Duration.ofMillis(1)) < 0) {
            return Outcome.retry(null, null, "deadline passed before the attempt");
        }
        Duration limit = left.compareTo(timeout) < 0 ? left : timeout;
        Request request;
        try {
            request = new Request.Builder()
                    .url(url)
                    .headers(headers)
                    .post(RequestBody.create(
                            message.body().getBytes(StandardCharsets.UTF_8), MediaType.get(message.contentType())))
                    .build();
        } catch (IllegalArgumentException e) {
            return Outcome.rejected(null, "invalid request");
        }
        Call call = client.newCall(request);
        call.timeout().timeout(limit.toMillis(), TimeUnit.MILLISECONDS);
        try (Response response = call.execute()) {
            String body = drain(response);
            Outcome outcome = classify(response.code(), response.header("Retry-After"), clock.instant());
            if (fromBody != null && response.code() == 429 && outcome.retryAfter() == null) {
                return Outcome.retry(429, RetryAfter.cap(fromBody.parse(body)), outcome.detail());
            }
            return outcome;
        } catch (IOException e) {
            return Outcome.retry(null, null, describe(e, limit, call.isCanceled()));
        } catch (RuntimeException e) {
            return Outcome.retry(
                    null, null, "HTTP client error: " + e.getClass().getSimpleName());
        }
    }

    /** The outcome of an answer with this status. */
    public static Outcome classify(int status, String retryAfter, Instant now) {
        String detail = "HTTP " + status;
        if (status >= 200 && status < 300) {
            return Outcome.delivered(status);
        }
        if (status == 429 || status >= 500) {
            return Outcome.retry(status, RetryAfter.parse(retryAfter, now), detail);
        }
        if (status == 408) {
            return Outcome.retry(status, null, detail);
        }
        if (status >= 300 && status < 400) {
            return Outcome.rejected(status, detail + " (redirects are not followed)");
        }
        return Outcome.rejected(status, detail);
    }

    /**
     * Reads a bounded part of the body so the connection can be reused. Its content is used only to read a wait from
     * a 429 answer, never in a detail.
     */
    private static String drain(Response response) {
        try {
            return response.peekBody(BODY_LIMIT).string();
        } catch (IOException | RuntimeException e) {
            // The status is what counts; an unreadable body does not change the outcome.
            return "";
        }
    }

    private static String describe(IOException e, Duration limit, boolean canceled) {
        if (e instanceof InterruptedIOException || canceled) {
            return "timed out after " + limit.toMillis() + " ms";
        }
        if (e instanceof UnknownHostException) {
            return "could not resolve the host";
        }
        if (e instanceof ConnectException || e instanceof NoRouteToHostException) {
            return "connection refused";
        }
        if (e instanceof SSLException) {
            return "TLS failed: " + e.getClass().getSimpleName();
        }
        return "I/O error: " + e.getClass().getSimpleName();
    }
}
