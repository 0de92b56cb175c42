package dev.vantage.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.vantage.agent.Agent;
import dev.vantage.agent.AgentSettings;
import dev.vantage.config.ConfigurationException;
import dev.vantage.config.DbConnection;
import dev.vantage.demo.DemoTargets;
import dev.vantage.heartbeat.HeartbeatWriterSettings;
import dev.vantage.lease.LeaseSettings;
import dev.vantage.monitor.MonitorModule;
import dev.vantage.monitor.MonitorSettings;
import dev.vantage.testing.PostgresExtension;
import dev.vantage.testing.PostgresExtension.Fresh;
import dev.vantage.testing.TcpProxy;
import dev.vantage.testing.TestDatabase;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The HTTP server on a loopback socket, in front of a real agent and monitor module on a real database. */
@ExtendWith(PostgresExtension.class)
class WebServerIT {
    private static final String TOKEN = "t0ken-for-web-it";
    private static final String BASIC = "ops:pa55-word";

    private final HttpClient client =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final java.util.ArrayList<AutoCloseable> toClose = new java.util.ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : toClose.reversed()) {
            c.close();
        }
    }

    private <T extends AutoCloseable> T closing(T c) {
        toClose.add(c);
        return c;
    }

    private HttpResponse<String> get(WebServer server, String path, String authorization) throws Exception {
        return send(server, "GET", path, authorization);
    }

    private HttpResponse<String> send(WebServer server, String method, String path, String authorization)
            throws Exception {
        var request = HttpRequest.newBuilder(URI.create(server.url() + path))
                .timeout(Duration.ofSeconds(10))
                .method(method, HttpRequest.BodyPublishers.noBody());
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String basic(String userPassword) {
        return "Basic " + Base64.getEncoder().encodeToString(userPassword.getBytes(StandardCharsets.UTF_8));
    }

    private WebServer serve(PrometheusMeterRegistry meters, Readiness readiness, HttpAuth auth) {
        var server = closing(WebServer.start("127.0.0.1", 0, auth));
        Endpoints.mount(server, meters, readiness);
        return server;
    }

    @Test
    void anAgentIsReadyWhenItsDatabaseAnswersAndNotWhileItIsCutOff(@Fresh TestDatabase db, @TempDir Path journal)
            throws Exception {
        db.execute("INSERT INTO datacenters (code, name) VALUES ('VA', 'Virginia')");
        var targets = closing(DemoTargets.start());
        db.execute("INSERT INTO schedules (name, interval) VALUES ('every second', 1)");
        db.execute("INSERT INTO api_monitors (name, url, schedule_id) VALUES ('fast', ?, 1)", targets.httpUrl("/fast"));
        db.execute("INSERT INTO datacenter_monitors VALUES (1, 1)");
        var proxy = closing(TcpProxy.start(URI.create(db.libpqUrl()).getPort()));
        var meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        closing(JvmMeters.bind(meters));
        var readiness = new Readiness(Readiness.DEFAULT_TIMEOUT);
        var server = serve(meters, readiness, HttpAuth.NONE);

        var starting = get(server, "/readyz", null);

        var agent = closing(Agent.start(
                new AgentSettings(
                        throughProxy(db, proxy),
                        "VA",
                        "web-it",
                        16,
                        Duration.ofSeconds(60),
                        Duration.ofSeconds(2),
                        Duration.ofSeconds(5),
                        HeartbeatWriterSettings.DEFAULTS
                                .withLinger(Duration.ofMillis(20))
                                .withJournalDir(journal),
                        LeaseSettings.DEFAULTS),
                meters,
                Clock.systemUTC()));
        readiness.started(new Readiness.Target(agent.dataSource(), agent::leaseKnown));

        assertThat(starting.statusCode()).isEqualTo(503);
        assertThat(starting.body()).isEqualTo("not ready: starting\n");
        await().atMost(Duration.ofSeconds(10))
                .until(() -> get(server, "/readyz", null).statusCode() == 200);
        assertThat(get(server, "/healthz", null).body()).isEqualTo("ok\n");
        await().atMost(Duration.ofSeconds(15))
                .until(() -> get(server, "/metrics", null).body().contains("vantage_probes_total{"));

        var metrics = get(server, "/metrics", null);
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.headers().firstValue("Content-Type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
        assertThat(metrics.body())
                .as(metrics.body())
                .contains(
                        "vantage_probes_total{outcome=\"success\",type=\"http\"}",
                        "vantage_probe_phase_seconds_bucket{phase=\"connect\",type=\"http\",le=",
                        "vantage_probe_phase_seconds_bucket{phase=\"server_processing\",type=\"http\",le=",
                        "vantage_schedule_lateness_seconds_bucket{",
                        "vantage_schedule_slots_skipped_total{reason=",
                        "vantage_heartbeats_queue_depth ",
                        "vantage_heartbeats_journal_records ",
                        "vantage_heartbeats_journal_bytes ",
                        "vantage_heartbeats_dropped_total{",
                        "vantage_lease_leader{kind=\"datacenter\",shard=\"0\"} 1",
                        "vantage_lease_epoch{kind=\"datacenter\",shard=\"0\"} 1",
                        "vantage_config_reloads_total{outcome=\"ok\"}",
                        "vantage_monitors_invalid ",
                        "vantage_monitors_scheduled 1",
                        "jvm_memory_used_bytes{",
                        "jvm_gc_",
                        "jvm_threads_live_threads ",
                        "jvm_classes_loaded_classes ",
                        "process_cpu_usage ",
                        "process_uptime_seconds ");
        // A phase that did not happen is not a sample: plain HTTP has no TLS handshake.
        assertThat(metrics.body()).doesNotContain("phase=\"tls\",type=\"http\"");

        proxy.freeze();
        try {
            var cutOff = get(server, "/readyz", null);
            var alive = get(server, "/healthz", null);

            assertThat(cutOff.statusCode()).isEqualTo(503);
            assertThat(cutOff.body()).startsWith("not ready: database unreachable: ");
            assertThat(cutOff.body()).doesNotContain("postgres:postgres");
            assertThat(alive.statusCode()).isEqualTo(200);
        } finally {
            proxy.thaw();
        }
        await().atMost(Duration.ofSeconds(15))
                .until(() -> get(server, "/readyz", null).statusCode() == 200);
    }

    private static DbConnection throughProxy(TestDatabase db, TcpProxy proxy) {
        var url = URI.create(db.libpqUrl());
        return DbConnection.parse(db.libpqUrl().replace(":" + url.getPort() + "/", ":" + proxy.port() + "/"));
    }

    @Test
    void aMonitorModuleServesItsEvaluationDeliveryAndLeaseMeters(@Fresh TestDatabase db) throws Exception {
        var meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        var module = closing(
                MonitorModule.start(MonitorSettings.defaults(db.connection(), "web-it"), meters, Clock.systemUTC()));
        var readiness = new Readiness(Readiness.DEFAULT_TIMEOUT);
        readiness.started(new Readiness.Target(module.dataSource(), module::leaseKnown));
        var server = serve(meters, readiness, HttpAuth.of(TOKEN, null));

        await().atMost(Duration.ofSeconds(10))
                .until(() -> get(server, "/readyz", "Bearer " + TOKEN).statusCode() == 200);
        var metrics = get(server, "/metrics", "Bearer " + TOKEN);

        assertThat(metrics.body())
                .as(metrics.body())
                .contains(
                        "vantage_evaluate_lag_seconds ",
                        "vantage_evaluate_watermark_lag_seconds ",
                        "vantage_evaluate_heartbeats_total{outcome=\"applied\"}",
                        "vantage_evaluate_rounds_seconds_count ",
                        "vantage_outbox_pending ",
                        "vantage_outbox_oldest_age_seconds ",
                        "vantage_channels_invalid 0",
                        "vantage_config_reloads_total{outcome=\"ok\"}",
                        "vantage_lease_leader{kind=\"monitor\",shard=\"0\"} 1",
                        "vantage_lease_epoch{kind=\"monitor\",shard=\"0\"} 1");
    }

    @Test
    void everythingButHealthzNeedsTheTokenOrTheBasicCredentials() throws Exception {
        var server = serve(
                new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
                new Readiness(Readiness.DEFAULT_TIMEOUT),
                HttpAuth.of(TOKEN, BASIC));

        record Case(String path, String authorization, int status) {}
        var cases = List.of(
                new Case("/metrics", null, 401),
                new Case("/metrics", "Bearer wrong", 401),
                new Case("/metrics", "Bearer " + TOKEN + "x", 401),
                new Case("/metrics", "Bearer " + TOKEN, 200),
                new Case("/metrics", "bearer " + TOKEN, 200),
                new Case("/metrics", basic(BASIC), 200),
                new Case("/metrics", basic("ops:wrong"), 401),
                new Case("/metrics", basic("other:pa55-word"), 401),
                new Case("/metrics", "Basic not-base64!", 401),
                new Case("/metrics", "Digest " + TOKEN, 401),
                new Case("/readyz", null, 401),
                new Case("/readyz", "Bearer " + TOKEN, 503), // never started
                new Case("/healthz", null, 200),
                new Case("/healthz", "Bearer wrong", 200));
        for (var c : cases) {
            assertThat(get(server, c.path(), c.authorization()).statusCode())
                    .as("%s with %s", c.path(), c.authorization())
                    .isEqualTo(c.status());
        }
        var denied = get(server, "/metrics", null);
        assertThat(denied.headers().allValues("WWW-Authenticate"))
                .containsExactlyInAnyOrder("Bearer realm=\"vantage\"", "Basic realm=\"vantage\", charset=\"UTF-8\"");
        assertThat(denied.body()).doesNotContain(TOKEN).doesNotContain("pa55");
    }

    @Test
    void unknownPathsAre404AndOtherMethodsThanGetAndHead405() throws Exception {
        var server = serve(
                new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
                new Readiness(Readiness.DEFAULT_TIMEOUT),
                HttpAuth.NONE);
        server.route("/api/status", exchange -> WebServer.Responses.text(exchange, 200, "{}"));

        assertThat(get(server, "/nope", null).statusCode()).isEqualTo(404);
        assertThat(get(server, "/healthz/more", null).statusCode()).isEqualTo(404);
        assertThat(get(server, "/", null).statusCode()).isEqualTo(404);
        assertThat(get(server, "/api/status", null).body()).isEqualTo("{}");
        var post = send(server, "POST", "/healthz", null);
        assertThat(post.statusCode()).isEqualTo(405);
        assertThat(post.headers().firstValue("Allow")).hasValue("GET, HEAD");
        assertThat(send(server, "DELETE", "/metrics", null).statusCode()).isEqualTo(405);
        var head = send(server, "HEAD", "/healthz", null);
        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.body()).isEmpty();
    }

    @Test
    void aPrefixRouteTakesEveryPathUnderItWithItsOwnMethodsAndNoCredentials() throws Exception {
        var server = serve(
                new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
                new Readiness(Readiness.DEFAULT_TIMEOUT),
                HttpAuth.of(TOKEN, null));
        server.routeOpenPrefix(
                "/ping/",
                java.util.Set.of("POST", "GET", "HEAD"),
                exchange -> WebServer.Responses.text(
                        exchange, 200, exchange.getRequestMethod() + " " + exchange.getRequestURI() + "\n"));
        server.routeOpen("/ping/exact", exchange -> WebServer.Responses.text(exchange, 200, "exact\n"));

        assertThat(send(server, "POST", "/ping/abc/start?rid=1", null).body())
                .isEqualTo("POST /ping/abc/start?rid=1\n");
        assertThat(get(server, "/ping/abc", null).body()).isEqualTo("GET /ping/abc\n");
        assertThat(get(server, "/ping/exact", null).body())
                .as("an exact route wins")
                .isEqualTo("exact\n");
        var put = send(server, "PUT", "/ping/abc", null);
        assertThat(put.statusCode()).isEqualTo(405);
        assertThat(put.headers().firstValue("Allow")).hasValue("GET, HEAD, POST");
        assertThat(get(server, "/ping", null).statusCode())
                .as("the prefix ends with its slash")
                .isEqualTo(404);
        assertThat(get(server, "/pingx/abc", null).statusCode()).isEqualTo(404);
        assertThat(send(server, "POST", "/metrics", "Bearer " + TOKEN).statusCode())
                .as("exact routes keep GET and HEAD")
                .isEqualTo(405);
        assertThatThrownBy(() -> server.routeOpenPrefix("/ping", java.util.Set.of("GET"), exchange -> {}))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aPortInUseIsOneLineNamingAddressAndPort() {
        var first = closing(WebServer.start("127.0.0.1", 0, HttpAuth.NONE));

        assertThatThrownBy(() -> closing(WebServer.start("127.0.0.1", first.port(), HttpAuth.NONE)))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageStartingWith(
                        "cannot serve HTTP on 127.0.0.1:" + first.port() + ": the port is already in use");
    }

    @Test
    void closeStopsServingWithinABoundedTime() throws Exception {
        var server = WebServer.start("127.0.0.1", 0, HttpAuth.NONE);
        server.routeOpen("/healthz", exchange -> WebServer.Responses.text(exchange, 200, "ok\n"));
        assertThat(get(server, "/healthz", null).statusCode()).isEqualTo(200);
        long started = System.nanoTime();

        server.close();

        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
        assertThatThrownBy(() -> get(server, "/healthz", null)).isInstanceOf(java.io.IOException.class);
    }
}
