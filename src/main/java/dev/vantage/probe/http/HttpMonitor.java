package dev.vantage.probe.http;

import dev.vantage.probe.InvalidMonitorException;
import dev.vantage.probe.Monitor;
import dev.vantage.probe.MonitorSpec;
import dev.vantage.probe.ProbeContext;
import dev.vantage.probe.ProbeResult;
import java.net.Proxy;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import okhttp3.ConnectionPool;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;

/**
 * HTTP(S) probe: one request (plus redirect hops) on a fresh connection per hop, timed phase by phase.
 *
 * <h2>How the timings are taken</h2>
 *
 * OkHttp's {@code EventListener.responseHeadersStart} fires only after the status line and headers were read and
 * parsed ({@code CallServerInterceptor} in OkHttp 5.5 calls it after {@code readResponseHeaders} returns), so it
 * cannot stamp the first byte. Instead each hop gets a client (derived from one base client, sharing its threads)
 * whose sockets stamp a {@link dev.vantage.probe.net.Trace}: the resolver stamps DNS, the plain socket stamps TCP
 * connect, the TLS socket stamps the handshake, and the streams stamp the last request write and the first response
 * byte as it arrives (on the decrypted stream for HTTPS; see {@code TimedSslSocket}).
 *
 * <p>Fresh connections every time: no pool (the pool keeps no idle connection), no retries, no JVM DNS cache, no TLS
 * session resumption. HTTP/1.1 only, so that the first byte after the request is the response (HTTP/2 sends SETTINGS
 * frames first) and timings compare with {@code curl --http1.1}.
 */
public final class HttpMonitor implements Monitor<HttpSettings> {
    private final OkHttpClient base = new OkHttpClient.Builder()
            .connectionPool(new ConnectionPool(0, 1, TimeUnit.SECONDS))
            .retryOnConnectionFailure(false)
            .followRedirects(false)
            .followSslRedirects(false)
            .fastFallback(false)
            .protocols(List.of(Protocol.HTTP_1_1))
            // Probes measure the path to the target itself, so proxy settings of the agent's host do not apply.
            .proxy(Proxy.NO_PROXY)
            .build();
    private final TlsContexts tls = new TlsContexts();

    @Override
    public String type() {
        return "http";
    }

    @Override
    public Set<String> aliases() {
        return Set.of("https");
    }

    @Override
    public Set<String> requestColumns() {
        return Set.of("method", "headers", "body");
    }

    @Override
    public HttpSettings configure(MonitorSpec spec) throws InvalidMonitorException {
        return HttpSettings.from(spec);
    }

    @Override
    public ProbeResult probe(HttpSettings settings, ProbeContext context) {
        try {
            return new HttpProbe(base, tls, settings, context).run();
        } catch (RuntimeException e) {
            return ProbeResult.internal(Instant.now(), "http probe failed unexpectedly: " + e);
        }
    }
}
