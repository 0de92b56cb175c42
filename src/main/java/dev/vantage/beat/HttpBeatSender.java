package dev.vantage.beat;

import dev.vantage.Version;
import dev.vantage.config.ConfigurationException;
import dev.vantage.notify.http.RetryAfter;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import javax.net.ssl.SSLException;
import okhttp3.Call;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/**
 * Beats to a ping URL served by {@code vantage monitor}, Healthchecks-compatible: {@code GET <base>} for success,
 * {@code <base>/start}, {@code <base>/fail}, {@code <base>/log}, {@code <base>/<exit status>}; a message goes as the
 * body of a POST ({@code text/plain; charset=utf-8}), a run id as {@code ?rid=}.
 *
 * <p>2xx is delivered. 429, 503 (any 5xx) and 408 are retried, honouring {@code Retry-After}; so are connection
 * failures and timeouts. Any other answer is refused for good: 404 means no monitor has the token, 400 a beat the
 * server cannot read. Redirects are not followed (a POST would lose its body). The client makes no retries of its own.
 */
public final class HttpBeatSender implements BeatSender {
    /** The token's alphabet and the schema's upper bound (api_monitors.push_token). */
    private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9_-]{1,128}");

    private static final MediaType TEXT = MediaType.get("text/plain; charset=utf-8");
    private static final String FORM = "a ping URL http(s)://host[:port]/ping/<token>";
    private static final int ERROR_TEXT_LIMIT = 200;

    private final HttpUrl base;
    private final String where;
    private final OkHttpClient client;

    private HttpBeatSender(HttpUrl base) {
        this.base = base;
        this.where = SafeUrl.of(base.toString());
        this.client = new OkHttpClient.Builder()
                .retryOnConnectionFailure(false)
                .followRedirects(false)
                .followSslRedirects(false)
                .build();
    }

    static HttpBeatSender open(Destination destination, Clock clock) {
        if (destination.subject() != null) {
            throw new ConfigurationException("--subject (or SUBJECT): a ping URL names its monitor by its token;"
                    + " a subject is for nats:// and redis:// URLs");
        }
        if (destination.stream() != null) {
            throw new ConfigurationException("--stream: applies to redis:// URLs only");
        }
        return new HttpBeatSender(base(destination.url()));
    }

    /** The ping URL as given, checked: exactly {@code …/ping/<token>}, nothing after it. */
    static HttpUrl base(String url) {
        HttpUrl parsed = HttpUrl.parse(url.strip());
        String quoted = SafeUrl.of(url);
        if (parsed == null) {
            throw new ConfigurationException("URL: must be " + FORM + ", was '" + quoted + "'");
        }
        if (!parsed.username().isEmpty() || !parsed.password().isEmpty()) {
            throw new ConfigurationException("URL: a ping URL takes no user info (value not shown)");
        }
        if (parsed.query() != null || parsed.fragment() != null) {
            throw new ConfigurationException(
                    "URL: a ping URL takes no query or fragment (use --rid for a run id), was '" + quoted + "'");
        }
        List<String> segments = parsed.pathSegments();
        int n = segments.size();
        if (n < 2
                || !segments.get(n - 2).equals("ping")
                || !TOKEN.matcher(segments.get(n - 1)).matches()) {
            throw new ConfigurationException("URL: must be " + FORM
                    + " (start, fail, log and exit statuses are chosen with flags), was '" + quoted + "'");
        }
        return parsed;
    }

    /** What a beat becomes on the wire: pure, so it can be checked without a server. */
    record Wire(String method, HttpUrl url, String body) {}

    static Wire wire(HttpUrl base, Beat beat) {
        HttpUrl.Builder url = base.newBuilder();
        if (beat.exitStatus() != null) {
            url.addPathSegment(Integer.toString(beat.exitStatus()));
        } else if (beat.kind() != Beat.Kind.SUCCESS) {
            url.addPathSegment(beat.kind().wireName);
        }
        if (beat.rid() != null) {
            url.addQueryParameter("rid", beat.rid().toString());
        }
        return new Wire(beat.message() == null ? "GET" : "POST", url.build(), beat.message());
    }

    @Override
    public String where() {
        return where;
    }

    @Override
    public Outcome send(Beat beat, Deadline deadline) {
        Duration limit = deadline.remaining();
        if (limit.toMillis() < 1) {
            return Outcome.retry(where + ": no time left for an attempt");
        }
        Wire wire = wire(base, beat);
        var request = new Request.Builder()
                .url(wire.url())
                .header("User-Agent", "vantage-beat/" + Version.current())
                .method(
                        wire.method(),
                        wire.body() == null
                                ? null
                                : RequestBody.create(wire.body().getBytes(StandardCharsets.UTF_8), TEXT))
                .build();
        Call call = client.newCall(request);
        call.timeout().timeout(limit.toMillis(), TimeUnit.MILLISECONDS);
        try (Response response = call.execute()) {
            return answer(response);
        } catch (IOException e) {
            return Outcome.retry(where + ": " + describe(e, limit, call.isCanceled()));
        } catch (RuntimeException e) {
            // Never the exception's message: it may quote the URL, token included.
            return Outcome.retry(where + ": HTTP client error " + e.getClass().getSimpleName());
        }
    }

    private Outcome answer(Response response) {
        int status = response.code();
        String detail = where + " answered HTTP " + status;
        if (status >= 200 && status < 300) {
            return Outcome.delivered();
        }
        if (status == 429 || status >= 500) {
            return Outcome.retry(detail, RetryAfter.parse(response.header("Retry-After"), Instant.now()));
        }
        if (status == 408) {
            return Outcome.retry(detail);
        }
        if (status == 404) {
            return Outcome.rejected(detail + ": no push monitor has this token (is the URL complete and current?)");
        }
        if (status >= 300 && status < 400) {
            return Outcome.rejected(detail + ": redirects are not followed; use the URL the server redirects to");
        }
        String text = errorText(response);
        return Outcome.rejected(text.isEmpty() ? detail : detail + ": " + text);
    }

    /** The first line of the server's answer, short and with the token masked: a 400 says what it could not read. */
    private String errorText(Response response) {
        String body;
        try {
            body = response.peekBody(4096).string();
        } catch (IOException | RuntimeException e) {
            return "";
        }
        String line = body.strip().lines().findFirst().orElse("");
        String token = base.pathSegments().getLast();
        line = line.replace(token, SafeUrl.TOKEN).replaceAll("\\p{Cntrl}", " ");
        return line.length() > ERROR_TEXT_LIMIT ? line.substring(0, ERROR_TEXT_LIMIT) + "…" : line;
    }

    private static String describe(IOException e, Duration limit, boolean canceled) {
        if (e instanceof InterruptedIOException || canceled) {
            return "no answer within " + GoDuration.format(Duration.ofMillis(limit.toMillis()));
        }
        if (e instanceof UnknownHostException) {
            return "cannot resolve the host";
        }
        if (e instanceof ConnectException || e instanceof NoRouteToHostException) {
            return "cannot connect (connection refused or host unreachable)";
        }
        if (e instanceof SSLException) {
            return "TLS failed (" + e.getClass().getSimpleName() + ")";
        }
        return "I/O error (" + e.getClass().getSimpleName() + ")";
    }

    @Override
    public void close() {
        client.dispatcher().executorService().shutdown();
        client.connectionPool().evictAll();
    }
}
