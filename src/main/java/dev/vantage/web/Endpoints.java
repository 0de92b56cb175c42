package dev.vantage.web;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.charset.StandardCharsets;

/**
 * The operational endpoints every long-running command serves: {@code /healthz} (open), {@code /readyz} and
 * {@code /metrics}. The status API and page are mounted next to them by the monitor.
 */
public final class Endpoints {
    /** Prometheus text exposition 0.0.4, which every scraper reads. */
    public static final String METRICS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private Endpoints() {}

    public static void mount(WebServer server, PrometheusMeterRegistry meters, Readiness readiness) {
        // Alive is all it says: a liveness check must not fail because the database did.
        server.routeOpen("/healthz", exchange -> WebServer.Responses.text(exchange, 200, "ok\n"));
        server.route("/readyz", exchange -> {
            var verdict = readiness.check();
            if (verdict.ready()) {
                WebServer.Responses.text(exchange, 200, "ready\n");
            } else {
                WebServer.Responses.text(exchange, 503, "not ready: " + verdict.reason() + "\n");
            }
        });
        server.route(
                "/metrics",
                exchange -> WebServer.Responses.send(
                        exchange,
                        200,
                        METRICS_CONTENT_TYPE,
                        meters.scrape(METRICS_CONTENT_TYPE).getBytes(StandardCharsets.UTF_8)));
    }
}
