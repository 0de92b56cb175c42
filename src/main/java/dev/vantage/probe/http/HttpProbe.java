package dev.vantage.probe.http;

import dev.vantage.Causes;
import dev.vantage.probe.ErrorType;
import dev.vantage.probe.PhaseTimings;
import dev.vantage.probe.ProbeContext;
import dev.vantage.probe.ProbeResult;
import dev.vantage.probe.net.Resolver;
import dev.vantage.probe.net.TimedSocketFactory;
import dev.vantage.probe.net.Trace;
import dev.vantage.probe.tls.CapturingTrustManager;
import dev.vantage.probe.tls.CertificateFacts;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.UnknownHostException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import okhttp3.Call;
import okhttp3.Headers;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;

/**
 * One run of an {@code http} monitor: follows redirects itself (so that each hop is timed on its own fresh connection
 * and counted), reads the body up to the limit, then checks status and body. Every hop gets its own {@link Trace}; the
 * phases of the result are those of the final hop, and {@code redirect} is the time spent before it.
 */
final class HttpProbe {
    private final OkHttpClient base;
    private final TlsContexts tls;
    private final HttpSettings settings;
    private final ProbeContext context;
    private final Instant startedAt = Instant.now();
    private final long deadline;

    /** Timing origin: just before the first request starts, like curl's start. */
    private long t0;

    /** The server certificate of the latest TLS handshake, or null when there was none. */
    private CertificateFacts certificate;

    private CapturingTrustManager hopCertificate;

    /** The assertions that did not hold on the final response; empty when none failed or none ran. */
    private java.util.List<Assertions.Failed> assertionsFailed = java.util.List.of();

    HttpProbe(OkHttpClient base, TlsContexts tls, HttpSettings settings, ProbeContext context) {
        this.base = base;
        this.tls = tls;
        this.settings = settings;
        this.context = context;
        this.deadline = System.nanoTime() + context.timeout().toNanos();
    }

    ProbeResult run() {
        Request request = firstRequest();
        int redirects = 0;
        while (true) {
            Trace trace = new Trace();
            long remaining = deadline - System.nanoTime();
            Call call = client(request.url(), trace, remaining).newCall(request);
            long hopStart = System.nanoTime();
            if (t0 == 0) {
                t0 = hopStart;
            }
            if (remaining <= 0) {
                return failure(
                        HttpFailures.timeout(context.timeout(), "before the request started"),
                        trace,
                        hopStart,
                        redirects);
            }
            Response response;
            try {
                response = call.execute();
                keepCertificate();
            } catch (IOException e) {
                keepCertificate();
                var failure = HttpFailures.classify(
                        e, trace, request.url().host(), System.nanoTime() >= deadline, context.timeout());
                return failure(failure, trace, hopStart, redirects);
            }
            try (response) {
                HttpUrl next = settings.followRedirects() ? redirectTarget(response) : null;
                String notFollowed = next == null ? null : notFollowed(request.url(), next, redirects);
                if (next != null && notFollowed == null) {
                    redirects++;
                    call.cancel(); // no reuse: close now rather than drain the redirect body
                    request = followUp(request, response.code(), next);
                    continue;
                }
                return complete(call, response, trace, hopStart, redirects, notFollowed);
            }
        }
    }

    private void keepCertificate() {
        if (hopCertificate != null && hopCertificate.facts() != null) {
            certificate = hopCertificate.facts();
        } else if (hopCertificate == null) {
            certificate = null; // a plain-http hop: the final response did not come over TLS
        }
    }

    private Request firstRequest() {
        RequestBody body = null;
        if (settings.body() != null) {
            body = RequestBody.create(settings.body().getBytes(charset(settings)), settings.contentType());
        } else if (needsBody(settings.method())) {
            body = RequestBody.create(new byte[0], null);
        }
        return new Request.Builder()
                .url(settings.url())
                .headers(probeHeaders(settings.headers()))
                .method(settings.method(), body)
                .build();
    }

    /** The monitor's headers, then the probe's own where the monitor did not set them. */
    private Headers probeHeaders(Map<String, String> configured) {
        Headers.Builder headers = new Headers.Builder();
        configured.forEach(headers::addUnsafeNonAscii);
        if (headers.get("User-Agent") == null) {
            headers.add("User-Agent", context.userAgent());
        }
        if (headers.get("Accept-Encoding") == null) {
            // Without this OkHttp asks for gzip and inflates silently: the size would not be the bytes transferred.
            headers.add("Accept-Encoding", "identity");
        }
        return headers.build();
    }

    /** OkHttp requires a body, if an empty one, for these. */
    private static boolean needsBody(String method) {
        return method.equals("POST") || method.equals("PUT") || method.equals("PATCH");
    }

    private static Charset charset(HttpSettings s) {
        Charset c = s.contentType() == null ? null : s.contentType().charset();
        return c == null ? StandardCharsets.UTF_8 : c;
    }

    /** The certificate of the last TLS handshake of this run, or null when none got as far as the certificate. */
    CertificateFacts certificate() {
        return certificate;
    }

    private OkHttpClient client(HttpUrl url, Trace trace, long remainingNanos) {
        hopCertificate = null;
        long ms = Math.max(1, TimeUnit.NANOSECONDS.toMillis(remainingNanos));
        Resolver resolver = Resolver.system();
        OkHttpClient.Builder b = base.newBuilder()
                .dns(host -> {
                    trace.dnsStarted();
                    try {
                        var addresses = resolver.resolve(host, deadline);
                        trace.dnsDone();
                        return addresses;
                    } catch (InterruptedIOException e) {
                        // Dns may only throw UnknownHostException; the cause marks it as a timeout.
                        var wrapped = new UnknownHostException(host);
                        wrapped.initCause(e);
                        throw wrapped;
                    }
                })
                .socketFactory(new TimedSocketFactory(trace, !url.isHttps(), deadline))
                .callTimeout(ms, TimeUnit.MILLISECONDS)
                .connectTimeout(ms, TimeUnit.MILLISECONDS)
                .readTimeout(ms, TimeUnit.MILLISECONDS)
                .writeTimeout(ms, TimeUnit.MILLISECONDS);
        if (url.isHttps()) {
            CapturingTrustManager capture = tls.capture(settings.verifyTls());
            hopCertificate = capture;
            b.sslSocketFactory(tls.factory(capture, trace), tls.trustManager(settings.verifyTls()));
            if (!settings.verifyTls()) {
                b.hostnameVerifier((host, session) -> true);
            }
        }
        return b.build();
    }

    private static HttpUrl redirectTarget(Response response) {
        return switch (response.code()) {
            case 301, 302, 303, 307, 308 -> {
                String location = response.header("Location");
                yield location == null ? null : response.request().url().resolve(location);
            }
            default -> null;
        };
    }

    /** Why a redirect to {@code next} is not followed (it is then the final response), or null to follow it. */
    private String notFollowed(HttpUrl from, HttpUrl next, int redirects) {
        if (redirects >= settings.maxRedirects()) {
            return "stopped after max_redirects " + settings.maxRedirects();
        }
        if (from.isHttps() && !next.isHttps() && !settings.followHttpsToHttp()) {
            return "redirect from https to http not followed: settings.follow_https_to_http is false";
        }
        return null;
    }

    /**
     * The request of the next hop. Like curl -L and browsers: 303 (except after HEAD), and 301/302 after POST, become
     * GET without a body; 307 and 308 keep the method. When the origin changes (scheme, host or port), the monitor's
     * own headers (Authorization, Cookie and every other configured one) and its body stay behind: the next hop gets
     * only the headers the probe adds itself, and a 307/308 keeps its method with an empty body.
     */
    private Request followUp(Request previous, int code, HttpUrl next) {
        boolean toGet = code == 303 && !previous.method().equals("HEAD")
                || (code == 301 || code == 302) && previous.method().equals("POST");
        String method = toGet ? "GET" : previous.method();
        if (sameOrigin(previous.url(), next)) {
            Request.Builder b = previous.newBuilder().url(next);
            if (toGet) {
                b.method("GET", null).removeHeader("Content-Type").removeHeader("Content-Length");
            }
            return b.build();
        }
        return new Request.Builder()
                .url(next)
                .headers(probeHeaders(Map.of()))
                .method(method, needsBody(method) ? RequestBody.create(new byte[0], null) : null)
                .build();
    }

    static boolean sameOrigin(HttpUrl a, HttpUrl b) {
        return a.scheme().equals(b.scheme()) && a.host().equals(b.host()) && a.port() == b.port();
    }

    private ProbeResult complete(
            Call call, Response response, Trace trace, long hopStart, int redirects, String notFollowed) {
        ResponseBody body = response.body();
        long contentLength = body.contentLength();
        StreamSearch search = settings.bodyContains() == null ? null : new StreamSearch(settings.bodyContains());
        Assertions.Run assertions =
                settings.assertions().isEmpty() ? null : settings.assertions().start(contentLength);
        // Only the start of the body is kept, for raw_response_body; the rest streams through one buffer.
        ByteArrayOutputStream kept = context.includeBody() ? new ByteArrayOutputStream() : null;
        long size = 0;
        int max = settings.maxBodyBytes();
        byte[] buf = new byte[16 * 1024];
        try {
            InputStream in = body.byteStream();
            while (size < max) {
                int n = in.read(buf, 0, (int) Math.min(buf.length, max - size));
                if (n < 0) {
                    break;
                }
                size += n;
                if (search != null) {
                    search.feed(buf, 0, n);
                }
                if (assertions != null) {
                    assertions.feed(buf, 0, n);
                }
                if (kept != null && kept.size() < ProbeResult.MAX_BODY_CHARS) {
                    kept.write(buf, 0, Math.min(n, ProbeResult.MAX_BODY_CHARS - kept.size()));
                }
            }
        } catch (IOException e) {
            long end = System.nanoTime();
            HttpFailures.Failure failure = end >= deadline || Causes.find(e, InterruptedIOException.class) != null
                    ? HttpFailures.timeout(context.timeout(), "while reading the body")
                    : new HttpFailures.Failure(ErrorType.BODY, truncated(size, contentLength));
            return result(failure, trace, hopStart, 0, end, redirects, response, size, null);
        }
        long bodyEnd = System.nanoTime();
        boolean limitHit = size >= max && contentLength != size;
        if (limitHit) {
            call.cancel(); // stop: closing an unread body would make OkHttp drain it
        }
        String text = kept == null ? null : new String(kept.toByteArray(), charsetOf(body));
        HttpFailures.Failure failure = null;
        if (!settings.expectedStatus().matches(response.code())) {
            failure = new HttpFailures.Failure(
                    ErrorType.HTTP_STATUS,
                    "status " + response.code() + ", expected " + settings.expectedStatus()
                            + (notFollowed == null ? "" : " (" + notFollowed + ")"));
        } else if (search != null && !search.found()) {
            failure = new HttpFailures.Failure(
                    ErrorType.BODY,
                    "body does not contain \"" + settings.bodyContains() + "\""
                            + (limitHit ? " in its first " + max + " bytes" : ""));
        } else if (assertions != null) {
            failure = assertionFailure(assertions, response, body, bodyEnd);
        }
        return result(failure, trace, hopStart, bodyEnd, bodyEnd, redirects, response, size, text);
    }

    /**
     * Checks {@code settings.assertions} on the final response (after the status and {@code body_contains}, which fail
     * first); null when all hold. The response time they see is the total up to the end of the body.
     */
    private HttpFailures.Failure assertionFailure(
            Assertions.Run assertions, Response response, ResponseBody body, long bodyEnd) {
        var seen = new Assertions.Seen(
                response.code(),
                (bodyEnd - t0) / 1e6,
                response::header,
                certificate == null ? null : certificate.daysLeft());
        assertionsFailed = assertions.check(seen, () -> charsetOf(body));
        if (assertionsFailed.isEmpty()) {
            return null;
        }
        return new HttpFailures.Failure(
                ErrorType.ASSERTION,
                String.join(
                        "; ",
                        assertionsFailed.stream()
                                .map(Assertions.Failed::sentence)
                                .toList()));
    }

    private static String truncated(long size, long contentLength) {
        return contentLength >= 0
                ? "body truncated: received " + size + " of " + contentLength + " bytes"
                : "body truncated after " + size + " bytes";
    }

    private static Charset charsetOf(ResponseBody body) {
        Charset c = body.contentType() == null ? null : body.contentType().charset();
        return c == null ? StandardCharsets.UTF_8 : c;
    }

    private ProbeResult failure(HttpFailures.Failure failure, Trace trace, long hopStart, int redirects) {
        return result(failure, trace, hopStart, 0, System.nanoTime(), redirects, null, null, null);
    }

    private ProbeResult result(
            HttpFailures.Failure failure,
            Trace trace,
            long hopStart,
            long bodyEnd,
            long end,
            int redirects,
            Response response,
            Long size,
            String body) {
        long first = trace.firstByteNanos();
        PhaseTimings timings = new PhaseTimings(
                trace.dns(),
                trace.connect(),
                trace.tls(),
                trace.serverProcessing(),
                PhaseTimings.between(first, bodyEnd),
                first == 0 ? null : PhaseTimings.millis(first - t0),
                PhaseTimings.millis(end - t0),
                redirects == 0 ? null : PhaseTimings.millis(hopStart - t0));
        return ProbeResult.at(startedAt)
                .timings(timings)
                .statusCode(response == null ? null : response.code())
                .responseSizeBytes(size)
                .remoteAddress(trace.remoteAddress())
                .responseHeaders(response == null ? Map.of() : headers(response.headers()))
                .body(body)
                .redirects(redirects)
                .details(details())
                .outcome(failure == null ? null : failure.type(), failure == null ? null : failure.message());
    }

    /**
     * The certificate of the final TLS handshake ({@code cert_*} keys) and the failed assertions
     * ({@code assertions_failed}: index, assertion, seen).
     */
    private Map<String, Object> details() {
        if (certificate == null && assertionsFailed.isEmpty()) {
            return Map.of();
        }
        Map<String, Object> d = new LinkedHashMap<>();
        if (certificate != null) {
            d.putAll(certificate.details(settings.certExpiryWarningDays()));
        }
        if (!assertionsFailed.isEmpty()) {
            d.put(
                    "assertions_failed",
                    assertionsFailed.stream().map(Assertions.Failed::details).toList());
        }
        return d;
    }

    private static Map<String, String> headers(Headers headers) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String name : headers.names()) {
            out.put(name, String.join(", ", headers.values(name)));
        }
        return out;
    }
}
