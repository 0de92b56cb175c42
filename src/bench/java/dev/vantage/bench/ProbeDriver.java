package dev.vantage.bench;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Drives Prometheus blackbox_exporter at a fixed rate, in its own JVM so that its CPU is not the exporter's nor the
 * agent's: {@code java -cp target/vantage.jar dev.vantage.bench.ProbeDriver <probe URL> <probes/s>}. Every
 * {@code 1/rate} s it sends {@code GET <probe URL>} (for example
 * {@code http://127.0.0.1:19115/probe?target=https://127.0.0.1:18443/&module=https_2xx}) over kept-alive HTTP/1.1
 * connections and counts the answers with {@code probe_success 1} and the others. Each line on stdin asks for the
 * counts, answered on stdout as {@code <succeeded> <failed>}; end of stdin stops it. Loopback only.
 */
public final class ProbeDriver {
    private ProbeDriver() {}

    public static void main(String[] args) throws Exception {
        URI uri = URI.create(args[0]);
        if (!"127.0.0.1".equals(uri.getHost())) {
            throw new IllegalArgumentException("the probe URL must be on 127.0.0.1: " + uri);
        }
        double rate = Double.parseDouble(args[1]);
        var ok = new AtomicLong();
        var failed = new AtomicLong();
        var lastFailure = new java.util.concurrent.atomic.AtomicReference<String>();
        var client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .executor(Executors.newVirtualThreadPerTaskExecutor())
                .build();
        var request =
                HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build();
        var ticks = Executors.newSingleThreadScheduledExecutor();
        long periodNanos = (long) (1e9 / rate);
        ticks.scheduleAtFixedRate(
                () -> client.sendAsync(request, HttpResponse.BodyHandlers.ofString())
                        .whenComplete((response, e) -> {
                            if (e == null
                                    && response.statusCode() == 200
                                    && response.body().contains("\nprobe_success 1")) {
                                ok.incrementAndGet();
                            } else {
                                failed.incrementAndGet();
                                lastFailure.set(
                                        e != null ? e.toString() : response.statusCode() + " " + response.body());
                            }
                        }),
                0,
                periodNanos,
                TimeUnit.NANOSECONDS);
        var in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        while (in.readLine() != null) {
            System.out.println(ok.get() + " " + failed.get());
            System.out.flush();
        }
        ticks.shutdownNow();
        if (lastFailure.get() != null) {
            String text = lastFailure.get();
            System.err.println("last failed probe: " + text.substring(0, Math.min(text.length(), 2000)));
        }
        System.exit(0);
    }
}
