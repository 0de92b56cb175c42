package dev.vantage.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import dev.vantage.agent.Agent;
import dev.vantage.agent.AgentSettings;
import dev.vantage.db.Database;
import dev.vantage.heartbeat.HeartbeatWriterSettings;
import dev.vantage.lease.LeaseSettings;
import dev.vantage.monitor.EvaluationWatch;
import dev.vantage.monitor.MonitorModule;
import dev.vantage.monitor.MonitorSettings;
import dev.vantage.monitor.StateMetricsSettings;
import dev.vantage.probe.warm.WarmUpSettings;
import dev.vantage.push.PushIngest;
import dev.vantage.push.PushSettings;
import dev.vantage.testing.PostgresExtension;
import dev.vantage.testing.PostgresExtension.Fresh;
import dev.vantage.testing.TestDatabase;
import dev.vantage.web.Endpoints;
import dev.vantage.web.HttpAuth;
import dev.vantage.web.JvmMeters;
import dev.vantage.web.Readiness;
import dev.vantage.web.WebServer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real {@code /metrics} of an agent and of a monitor replica (monitor module and push ingest on one registry, as
 * {@code vantage monitor} runs them), served over HTTP on loopback: {@code promtool check metrics} has nothing to say,
 * latencies are histograms, the per-monitor state gauges follow a target going DOWN and back UP, and the health
 * dashboard only names series that exist.
 */
@ExtendWith(PostgresExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MetricsIT {
    private static final Pattern SERIES = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)})? (\\S+)$");
    private static final Pattern LABEL = Pattern.compile("(\\w+)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    private final HttpClient client = HttpClient.newHttpClient();
    private final AtomicBoolean failing = new AtomicBoolean();
    private final List<AutoCloseable> running = new ArrayList<>();
    private TestDatabase db;
    private WebServer agentWeb;
    private WebServer monitorWeb;

    @TempDir
    Path journal;

    @BeforeAll
    void start(TestDatabase db) throws Exception {
        this.db = db;
        String url = target();
        db.execute("INSERT INTO regions (name, region_code) VALUES ('Everywhere', 'all')");
        db.execute("INSERT INTO datacenters (id, code, region_id) VALUES (1, 'VA', 1)");
        db.execute("INSERT INTO schedules (id, name, interval) VALUES (1, 'every second', 1)");
        db.execute(
                "INSERT INTO api_monitors (id, name, url, schedule_id, down_after, up_after) VALUES"
                        + " (1, 'checkout', ?, 1, 2, 2), (2, 'legacy', ?, 1, 2, 2)",
                url,
                url);
        db.execute("INSERT INTO datacenter_monitors (datacenter_id, monitor_id) VALUES (1, 1), (1, 2)");

        var agentMeters = registry();
        running.add(Agent.start(
                new AgentSettings(
                                db.connection(),
                                "VA",
                                "metrics-it",
                                16,
                                Duration.ofSeconds(30),
                                Duration.ofSeconds(2),
                                Duration.ofSeconds(10),
                                HeartbeatWriterSettings.DEFAULTS
                                        .withLinger(Duration.ofMillis(20))
                                        .withJournalDir(journal),
                                LeaseSettings.DEFAULTS)
                        .withWarmUp(WarmUpSettings.DEFAULTS.withEnabled(false)), // 4 s of probes this test needs not
                agentMeters,
                Clock.systemUTC()));
        agentWeb = serve(agentMeters);

        var monitorMeters = registry();
        var module = MonitorModule.start(
                MonitorSettings.defaults(db.connection(), "metrics-it-monitor"), monitorMeters, Clock.systemUTC());
        running.add(module);
        running.add(EvaluationWatch.start(
                Database.jdbi(module.dataSource()), Duration.ofSeconds(60), monitorMeters, Clock.systemUTC()));
        var push = PushIngest.start(
                PushSettings.DEFAULTS, db.connection(), "metrics-it-monitor", monitorMeters, Clock.systemUTC());
        running.add(push);
        monitorWeb = serve(monitorMeters);
        push.mount(monitorWeb);
    }

    @AfterAll
    void stop() throws Exception {
        for (int i = running.size() - 1; i >= 0; i--) {
            running.get(i).close();
        }
    }

    @Test
    void promtoolHasNothingToSayAboutTheMetricsOfAnAgentOrOfAMonitorReplica() throws Exception {
        // Wait for the meters registered at the first event: a probe, a written batch, an evaluation round.
        await().atMost(Duration.ofSeconds(20))
                .until(() -> value(scrape(agentWeb), "vantage_heartbeats_batches_total")
                                .orElse(0.0)
                        > 0);
        await().atMost(Duration.ofSeconds(20))
                .until(() -> value(scrape(monitorWeb), "vantage_evaluate_rounds_seconds_count")
                                .orElse(0.0)
                        > 0);

        for (var web : List.of(agentWeb, monitorWeb)) {
            String text = scrape(web);
            var check = Promtool.run(Path.of("."), text, "check", "metrics");

            assertThat(check.output()).as("promtool check metrics").isEmpty();
            assertThat(check.exit()).isZero();
            assertThat(text)
                    .contains("# TYPE process_cpu_seconds_total counter", "# TYPE system_cpus gauge")
                    .contains("vantage_build_info{java=\"" + Runtime.version() + "\",version=")
                    .doesNotContain("quantile=", "process_cpu_time_ns", "system_cpu_count");
        }
        String agent = scrape(agentWeb);
        assertThat(agent)
                .contains("hikaricp_connections_active{pool=\"vantage-agent\"}")
                .contains("# TYPE vantage_heartbeats_batch_duration_seconds histogram")
                .contains("# TYPE vantage_schedule_lateness_seconds histogram");
        assertThat(buckets(agent, "vantage_heartbeats_batch_duration_seconds_bucket"))
                .isEqualTo(15);
        String monitor = scrape(monitorWeb);
        assertThat(monitor)
                .contains("hikaricp_connections_active{pool=\"vantage-monitor\"}")
                .contains("hikaricp_connections_active{pool=\"vantage-push\"}")
                .contains("# TYPE vantage_evaluate_rounds_seconds histogram")
                .contains("# TYPE hikaricp_connections_acquire_seconds histogram");
    }

    @Test
    void theStateGaugeShowsAMonitorGoingDownAndBackUpAndForgetsARemovedOne() throws Exception {
        await().atMost(Duration.ofSeconds(30))
                .until(() -> state("checkout", "VA").equals(Optional.of("UP")));
        assertThat(state("checkout", "global")).contains("UP");
        assertThat(up("checkout", "VA")).contains(1.0);

        failing.set(true);
        await().atMost(Duration.ofSeconds(20))
                .until(() -> state("checkout", "VA").equals(Optional.of("DOWN")));
        await().atMost(Duration.ofSeconds(5))
                .until(() -> state("checkout", "global").equals(Optional.of("DOWN")));
        assertThat(up("checkout", "VA")).contains(0.0);
        assertThat(series(scrape(monitorWeb), "vantage_monitor_state"))
                .as("one series per monitor and datacenter, the old state's is gone")
                .filteredOn(s -> s.labels().get("monitor").equals("checkout"))
                .hasSize(2);

        failing.set(false);
        await().atMost(Duration.ofSeconds(20))
                .until(() -> state("checkout", "VA").equals(Optional.of("UP")));
        await().atMost(Duration.ofSeconds(5))
                .until(() -> state("checkout", "global").equals(Optional.of("UP")));

        assertThat(state("legacy", "VA")).isPresent();
        db.execute("UPDATE api_monitors SET enabled = false WHERE id = 2");
        await().atMost(Duration.ofSeconds(10)).until(() -> series(scrape(monitorWeb), "vantage_monitor_state").stream()
                .noneMatch(s -> s.labels().get("monitor").equals("legacy")));
        assertThat(series(scrape(monitorWeb), "vantage_monitor_up"))
                .noneMatch(s -> s.labels().get("monitor").equals("legacy"));
        assertThat(value(scrape(monitorWeb), "vantage_monitor_state_omitted")).contains(0.0);
    }

    @Test
    void theSwitchTurnsTheStateSeriesOffAndTheBoundCountsThoseLeftOut(@Fresh TestDatabase fresh) throws Exception {
        fresh.execute("INSERT INTO datacenters (id, code) VALUES (1, 'VA')");
        fresh.execute("INSERT INTO schedules (id, name, interval) VALUES (1, 'every second', 1)");
        fresh.execute("INSERT INTO api_monitors (id, name, url, schedule_id) VALUES"
                + " (1, 'a', 'http://127.0.0.1:9/', 1), (2, 'b', 'http://127.0.0.1:9/', 1)");
        fresh.execute("INSERT INTO datacenter_monitors (datacenter_id, monitor_id) VALUES (1, 1), (1, 2)");
        var settings = MonitorSettings.defaults(fresh.connection(), "metrics-it-switch");

        var off = registry();
        try (var module = MonitorModule.start(
                        settings.withStateMetrics(new StateMetricsSettings(false, 10)), off, Clock.systemUTC());
                var web = serve(off)) {
            // Leading and evaluated: the evaluator has written the UNKNOWN state of every pair.
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> module.leading() && fresh.count("SELECT count(*) FROM monitor_states") == 4);
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> value(scrape(web), "vantage_evaluate_rounds_seconds_count")
                                    .orElse(0.0)
                            > 1);

            assertThat(scrape(web)).doesNotContain("vantage_monitor_state", "vantage_monitor_up");
        }

        var bounded = registry();
        try (var module = MonitorModule.start(
                        settings.withStateMetrics(new StateMetricsSettings(true, 3)), bounded, Clock.systemUTC());
                var web = serve(bounded)) {
            await().atMost(Duration.ofSeconds(20)).until(() -> value(scrape(web), "vantage_monitor_state_omitted")
                    .equals(Optional.of(1.0)));

            assertThat(series(scrape(web), "vantage_monitor_state"))
                    .extracting(
                            s -> s.labels().get("monitor") + "/" + s.labels().get("datacenter"))
                    .containsExactlyInAnyOrder("a/global", "a/VA", "b/global");
            assertThat(series(scrape(web), "vantage_monitor_up")).hasSize(3);
        }
    }

    @Test
    void theHealthDashboardNamesOnlySeriesThatExist() throws Exception {
        await().atMost(Duration.ofSeconds(20))
                .until(() -> value(scrape(monitorWeb), "vantage_evaluate_rounds_seconds_count")
                                .orElse(0.0)
                        > 0);
        var exposed = new TreeSet<String>();
        for (var web : List.of(agentWeb, monitorWeb)) {
            for (String line : scrape(web).split("\n")) {
                if (line.startsWith("# TYPE ")) {
                    exposed.add(line.split(" ")[2]);
                }
            }
        }
        // Counters with tags appear at their first event (a notification, a dropped heartbeat): the reference names
        // those.
        String reference = Files.readString(Path.of("docs", "metrics.md"));
        var missing = new TreeSet<String>();
        for (String metric : GrafanaHealthDashboardTest.metrics()) {
            String family = metric.replaceAll("_(bucket|count|sum)$", "");
            if (!exposed.contains(family)
                    && !exposed.contains(metric)
                    && !reference.contains("`" + family.replaceAll("_total$", ""))) {
                missing.add(metric);
            }
        }

        assertThat(missing)
                .as("metrics the dashboard queries that neither process exposes")
                .isEmpty();
        assertThat(GrafanaHealthDashboardTest.metrics())
                .contains("vantage_monitor_state", "hikaricp_connections_active", "jvm_memory_used_bytes");
    }

    /** 500 while {@link #failing}, else 200. */
    private String target() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        server.createContext("/health", exchange -> {
            try (exchange) {
                exchange.sendResponseHeaders(failing.get() ? 500 : 200, -1);
            }
        });
        server.start();
        running.add(() -> server.stop(0));
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/health";
    }

    /** A registry as {@code vantage agent} and {@code vantage monitor} make it: conventions and JVM meters first. */
    private PrometheusMeterRegistry registry() {
        var meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        running.add(JvmMeters.bind(meters));
        return meters;
    }

    private WebServer serve(PrometheusMeterRegistry meters) {
        var server = WebServer.start("127.0.0.1", 0, HttpAuth.NONE);
        Endpoints.mount(server, meters, new Readiness(Readiness.DEFAULT_TIMEOUT));
        running.add(server);
        return server;
    }

    private String scrape(WebServer web) throws IOException, InterruptedException {
        var response = client.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + web.port() + "/metrics"))
                        .timeout(Duration.ofSeconds(10))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return response.body();
    }

    record Series(String name, Map<String, String> labels, double value) {}

    static List<Series> series(String text, String name) {
        var found = new ArrayList<Series>();
        for (String line : text.split("\n")) {
            var m = SERIES.matcher(line);
            if (m.matches() && m.group(1).equals(name)) {
                var labels = new LinkedHashMap<String, String>();
                if (m.group(2) != null) {
                    var l = LABEL.matcher(m.group(2));
                    while (l.find()) {
                        labels.put(l.group(1), l.group(2));
                    }
                }
                found.add(new Series(name, labels, Double.parseDouble(m.group(3))));
            }
        }
        return found;
    }

    private static Optional<Double> value(String text, String name) {
        return series(text, name).stream().map(Series::value).findFirst();
    }

    private static long buckets(String text, String name) {
        return series(text, name).size();
    }

    /** The {@code state} label of checkout's series for a datacenter code (or global), if there is one. */
    private Optional<String> state(String monitor, String datacenter) throws IOException, InterruptedException {
        return series(scrape(monitorWeb), "vantage_monitor_state").stream()
                .filter(s -> s.labels().get("monitor").equals(monitor)
                        && s.labels().get("datacenter").equals(datacenter))
                .map(s -> s.labels().get("state"))
                .findFirst();
    }

    private Optional<Double> up(String monitor, String datacenter) throws IOException, InterruptedException {
        return series(scrape(monitorWeb), "vantage_monitor_up").stream()
                .filter(s -> s.labels().get("monitor").equals(monitor)
                        && s.labels().get("datacenter").equals(datacenter))
                .map(Series::value)
                .findFirst();
    }
}
