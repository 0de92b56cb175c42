package dev.vantage.security;

import static dev.vantage.security.Canaries.Kind.CHANNEL;
import static dev.vantage.security.Canaries.Kind.DATABASE;
import static dev.vantage.security.Canaries.Kind.HTTP;
import static dev.vantage.security.Canaries.Kind.MONITOR;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vantage.testing.AgentProcess;
import dev.vantage.testing.NatsServer;
import dev.vantage.testing.PostgresExtension;
import dev.vantage.testing.PostgresExtension.Fresh;
import dev.vantage.testing.RedisServer;
import dev.vantage.testing.SmtpReceiver;
import dev.vantage.testing.TestDatabase;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * The canary test: secrets planted everywhere a user puts one (monitor header values, a request body, a URL's user info
 * and query, every notifier's credentials, the database password, the HTTP token), then a real agent and a real
 * monitor run until incidents have fired and deliveries have failed and been retried against receivers that echo
 * what they were sent. No secret may appear in what people and tools read: the processes' logs, {@code /metrics},
 * {@code /api/status}, the status page, {@code vantage status} and its JSON, 401 answers, and the error messages kept
 * in the database (heartbeats, states, incidents, notifications and their attempts). Each check also asserts that the
 * non-secret context around the secret is there, so that it cannot pass on an empty text.
 *
 * <p>Not checked, by design: {@code api_heartbeats.raw_response_headers} and {@code raw_response_body}, which store
 * what the target answered (here, an echo of the secrets), and what a channel sends to its own receiver (its own
 * credentials, which it must send).
 */
@ExtendWith(PostgresExtension.class)
@Timeout(150)
class SecretCanaryIT {
    private static final Path JAR = Path.of("target", "vantage.jar");
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Two JVMs starting side by side on a small, busy machine. */
    private static final Duration START = Duration.ofSeconds(60);

    private final Canaries canaries = new Canaries();
    private final List<AutoCloseable> running = new ArrayList<>();
    private final List<String> logins = new ArrayList<>();
    private TestDatabase db;

    @AfterEach
    void stopAndDropLogins() throws Exception {
        for (int i = running.size() - 1; i >= 0; i--) {
            running.get(i).close();
        }
        for (String login : logins) {
            // Roles are cluster-wide: drop only ours, with what they may own in this database.
            db.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = ?", login);
            db.execute("DROP OWNED BY " + login);
            db.execute("DROP ROLE " + login);
        }
    }

    @Test
    void plantedSecretsAppearInNoLogMetricStatusOrErrorMessage(
            @Fresh TestDatabase db, @TempDir(cleanup = CleanupMode.ON_SUCCESS) Path dir) throws Exception {
        this.db = db;
        var target = echo(Map.of("/api", 401, "/submit", 500));
        var receiver = echo(Map.of("/hook", 500, "/services", 400, "/pd", 500, "/pushover", 429));
        var smtp = SmtpReceiver.start();
        running.add(smtp);
        smtp.replyToData("451 4.3.0 try later");
        db.execute("INSERT INTO datacenters (id, code, name) VALUES (1, 'VA', 'Virginia')");
        db.execute("INSERT INTO schedules (id, name, interval) VALUES (1, 'every second', 1)");
        plantMonitors(target);
        plantChannels(receiver, smtp.port(), closedPort());
        plantBrokerChannels(closedPort());
        var processes = startProcesses(dir);

        awaitOrDump("incidents fired and deliveries failed", processes, () -> unmet(db));
        // A channel that turns invalid while its notifications are being retried: they fail with its reason.
        db.execute(
                "UPDATE notification_channels SET settings = jsonb_set(settings, '{routing_key}', to_jsonb(?::text))"
                        + " WHERE name = 'pager'",
                canaries.plant("pagerduty routing key made invalid", CHANNEL) + "-x");
        awaitOrDump(
                "the pager's notifications failed as invalid",
                processes,
                () -> db.count("SELECT count(*) FROM notifications n JOIN notification_channels c"
                                        + " ON c.id = n.channel_id WHERE c.name = 'pager' AND n.status = 'failed'"
                                        + " AND n.last_error LIKE '%''pager'' is invalid: settings.routing_key%'")
                                > 0
                        ? List.of()
                        : List.of("a failed notification of 'pager'"));
        assertThat(target.requests())
                .as("the target was sent the secrets (so its echo carried them back)")
                .anySatisfy(r -> assertThat(r.header("authorization"))
                        .isEqualTo("Bearer " + canaries.value("monitor header Authorization")))
                .anySatisfy(r -> assertThat(r.body()).contains(canaries.value("monitor body")));

        checkHttpEndpoints(processes);
        checkStatusCommand(dir, processes.ownerDb());
        // A graceful stop, so that every log line is written.
        processes.agent().sigterm();
        processes.monitor().sigterm();
        assertThat(processes.agent().awaitExit(Duration.ofSeconds(30))).isEqualTo(143);
        assertThat(processes.monitor().awaitExit(Duration.ofSeconds(30))).isEqualTo(143);
        checkLogs(processes.agent(), processes.monitor(), dir);
        checkStoredErrors(db);
        checkNotifications(receiver, smtp);

        assertThat(canaries.leaks())
                .as(
                        "secrets found (checked: %s)",
                        canaries.checked().stream().distinct().toList())
                .isEmpty();
    }

    /**
     * Monitors 1 and 2 run against the echo target with secrets in headers, URL and body; 3 to 7 fail validation,
     * each with a secret in or next to the value that fails.
     */
    private void plantMonitors(EchoServer target) throws IOException {
        String authorization = canaries.plant("monitor header Authorization", MONITOR);
        String apiKey = canaries.plant("monitor header X-Api-Key", MONITOR);
        String userInfo = canaries.plant("monitor URL password", MONITOR);
        String query = canaries.plant("monitor URL query token", MONITOR);
        monitor(
                1,
                "Echo GET",
                "http",
                "GET",
                target.url("/api").replace("//", "//probe:" + userInfo + "@") + "?token=" + query,
                headers("Authorization", "Bearer " + authorization, "X-Api-Key", apiKey),
                null);
        String body = canaries.plant("monitor body", MONITOR);
        String postKey = canaries.plant("monitor header X-Api-Key (POST)", MONITOR);
        monitor(
                2,
                "Echo POST",
                "http",
                "POST",
                target.url("/submit"),
                headers("X-Api-Key", postKey),
                "{\"user\": \"probe\", \"password\": \"" + body + "\"}");
        monitor(
                3,
                "Bad header value",
                "http",
                "GET",
                target.url("/api"),
                headers("X-Api-Key", canaries.plant("invalid header value", MONITOR) + "\r\nX-Injected: 1"),
                null);
        monitor(
                4,
                "Bad URL with password",
                "http",
                "GET",
                "http://admin:" + canaries.plant("invalid URL password", MONITOR) + "@/health",
                headers(),
                null);
        monitor(
                5,
                "Bad URL with token",
                "http",
                "GET",
                "http://127.0.0.1:99999/health?token=" + canaries.plant("invalid URL query token", MONITOR),
                headers(),
                null);
        monitor(
                6,
                "Bad TCP URL",
                "tcp",
                null,
                "tcp://admin:" + canaries.plant("invalid TCP URL password", MONITOR) + "@127.0.0.1",
                headers(),
                null);
        monitor(
                7,
                "Bad header name",
                "http",
                "GET",
                target.url("/api"),
                headers("Authorization: Bearer " + canaries.plant("header pasted as a name", MONITOR), "x"),
                null);
        // A push monitor: its token is the credential of its ping URL. Not probed, so in no datacenter.
        db.execute(
                "INSERT INTO api_monitors (id, name, type, schedule_id, push_token, push_subject)"
                        + " VALUES (8, 'Nightly push', 'push', 1, ?, 'jobs.nightly')",
                canaries.plant("push token", MONITOR));
    }

    /** Every notifier with its credentials, each to a loopback receiver that fails; and three invalid channels. */
    private void plantChannels(EchoServer receiver, int smtpPort, int closedPort) throws IOException {
        channel(
                "ops webhook",
                "webhook",
                Map.of(
                        "url", receiver.url("/hook?token=" + canaries.plant("webhook URL token", CHANNEL)),
                        "secret", "whsec_" + canaries.plant("webhook signing secret", CHANNEL),
                        "headers", Map.of("X-Webhook-Token", canaries.plant("webhook custom header", CHANNEL))));
        channel(
                "ops slack",
                "slack",
                Map.of("url", receiver.url("/services/T0001/B0001/" + canaries.plant("slack URL token", CHANNEL))));
        channel(
                "pager",
                "pagerduty",
                Map.of(
                        "routing_key",
                        canaries.plant("pagerduty routing key", CHANNEL, 32),
                        "url",
                        receiver.url("/pd")));
        channel(
                "phone",
                "pushover",
                Map.of(
                        "token", canaries.plant("pushover token", CHANNEL, 30),
                        "user", canaries.plant("pushover user", CHANNEL, 30),
                        "url", receiver.url("/pushover")));
        channel(
                "teams",
                "teams",
                Map.of("url", receiver.url("/teams?sv=1.0&sig=" + canaries.plant("teams workflow URL sig", CHANNEL))));
        channel(
                "discord",
                "discord",
                Map.of("url", receiver.url("/discord/api/webhooks/1/" + canaries.plant("discord URL token", CHANNEL))));
        channel(
                "telegram",
                "telegram",
                Map.of(
                        "bot_token",
                        "123456:" + canaries.plant("telegram bot token", CHANNEL),
                        "chat_id",
                        -100123,
                        "api_url",
                        receiver.url("/telegram")));
        channel(
                "opsgenie",
                "opsgenie",
                Map.of("api_key", canaries.plant("opsgenie API key", CHANNEL), "api_url", receiver.url("/opsgenie")));
        channel(
                "ntfy",
                "ntfy",
                Map.of(
                        "topic", canaries.plant("ntfy topic", CHANNEL),
                        "token", canaries.plant("ntfy token", CHANNEL),
                        "server", receiver.url("/ntfy")));
        channel(
                "alertmanager",
                "alertmanager",
                Map.of(
                        "url", receiver.url("/alertmanager"),
                        "username", "vantage",
                        "password", canaries.plant("alertmanager password", CHANNEL)));
        channel(
                "bad telegram",
                "telegram",
                Map.of("bot_token", canaries.plant("invalid telegram bot token", CHANNEL), "chat_id", 1));
        channel("mail", "email", email(smtpPort));
        channel("mail (refused)", "email", email(closedPort));
        channel("log", "log", Map.of());
        channel(
                "bad pager",
                "pagerduty",
                Map.of(
                        "routing_key",
                        canaries.plant("invalid pagerduty routing key", CHANNEL) + "-x",
                        "url",
                        receiver.url("/pd")));
        channel(
                "bad hook",
                "webhook",
                Map.of("url", "ftp://127.0.0.1/" + canaries.plant("invalid webhook URL", CHANNEL)));
        channel(
                "bad slack",
                "slack",
                Map.of(
                        "url",
                        receiver.url("/services/x"),
                        "token",
                        canaries.plant("unknown setting's value", CHANNEL)));
    }

    /**
     * The redis and nats channels: one of each delivering to a real server that asks for the planted password, one
     * with a wrong password (Redis answers WRONGPASS), one to a closed port (a NATS token); all three are credentials
     * in the channel's settings, which the monitor holds while it sends.
     */
    private void plantBrokerChannels(int closedPort) throws IOException {
        String redisPassword = canaries.plant("redis URL password", CHANNEL);
        var redis = RedisServer.create("--requirepass", redisPassword);
        running.add(redis);
        channel(
                "bus redis",
                "redis",
                Map.of("url", "redis://:" + redisPassword + "@127.0.0.1:" + redis.port(), "stream", "vantage"));
        channel(
                "bus redis (wrong password)",
                "redis",
                Map.of(
                        "url",
                        "redis://default:" + canaries.plant("wrong redis URL password", CHANNEL) + "@127.0.0.1:"
                                + redis.port(),
                        "channel",
                        "vantage"));
        String natsPassword = canaries.plant("nats password", CHANNEL);
        String natsUser = canaries.plant("nats user", CHANNEL);
        var nats = NatsServer.create("--user", natsUser, "--pass", natsPassword);
        running.add(nats);
        channel(
                "bus nats",
                "nats",
                Map.of("url", nats.url(), "user", natsUser, "password", natsPassword, "subject", "vantage.notices"));
        channel(
                "bus nats (refused)",
                "nats",
                Map.of(
                        "url",
                        "nats://127.0.0.1:" + closedPort,
                        "token",
                        canaries.plant("nats token", CHANNEL),
                        "subject",
                        "vantage.notices"));
    }

    /**
     * The agent and the monitor as processes, each logging in with a password of its own.
     *
     * @param ownerDb a superuser's DB_CONN_STRING, for {@code vantage status}: it reads every column, so it validates
     *     monitor headers and channel settings itself and must mask what it quotes (the monitor runs as a member of
     *     vantage_monitor, whose status page sees neither)
     */
    private record Processes(
            AgentProcess agent, AgentProcess monitor, String ownerDb, String agentToken, String monitorToken) {}

    private Processes startProcesses(Path dir) {
        String agentDb = login("vantage_agent", canaries.plant("agent database password", DATABASE));
        String monitorDb = login("vantage_monitor", canaries.plant("monitor database password", DATABASE));
        String ownerDb = login("SUPERUSER", canaries.plant("owner database password", DATABASE));
        String agentToken = canaries.plant("agent HTTP token", HTTP);
        String monitorToken = canaries.plant("monitor HTTP token", HTTP);
        var agentEnv = AgentProcess.env(agentDb, "VA");
        agentEnv.put("VANTAGE_HTTP_TOKEN", agentToken);
        agentEnv.put("VANTAGE_HTTP_BASIC_AUTH", "prometheus:" + canaries.plant("agent HTTP basic password", HTTP));
        agentEnv.put("VANTAGE_JOURNAL_DIR", dir.resolve("journal").toString());
        var monitorEnv = new HashMap<String, String>();
        monitorEnv.put("DB_CONN_STRING", monitorDb);
        monitorEnv.put("VANTAGE_HTTP_TOKEN", monitorToken);
        monitorEnv.put("VANTAGE_NOTIFY_TIMEOUT", "2");
        var agent = AgentProcess.start("canary-agent", agentEnv, dir);
        running.add(agent);
        var monitor = AgentProcess.startMonitor("canary-monitor", monitorEnv, dir);
        running.add(monitor);
        return new Processes(agent, monitor, ownerDb, agentToken, monitorToken);
    }

    /** What a scraper, a browser and a client with a wrong credential get from both HTTP ports. */
    private void checkHttpEndpoints(Processes processes) throws Exception {
        var http = HttpClient.newHttpClient();
        String agentHttp =
                "http://" + processes.agent().awaitLog("HTTP on ", START).substring("HTTP on ".length());
        String monitorHttp =
                "http://" + processes.monitor().awaitLog("HTTP on ", START).substring("HTTP on ".length());
        String monitorToken = "Bearer " + processes.monitorToken();
        checkPings(http, monitorHttp);
        var agentMetrics = get(http, agentHttp + "/metrics", "Bearer " + processes.agentToken());
        assertThat(agentMetrics.statusCode()).isEqualTo(200);
        assertThat(agentMetrics.body()).contains("vantage_probes_total{", "vantage_monitors_invalid");
        check("agent /metrics", agentMetrics);
        var basicMetrics =
                get(http, agentHttp + "/metrics", basic("prometheus", canaries.value("agent HTTP basic password")));
        assertThat(basicMetrics.statusCode()).isEqualTo(200);
        var monitorMetrics = get(http, monitorHttp + "/metrics", monitorToken);
        assertThat(monitorMetrics.statusCode()).isEqualTo(200);
        assertThat(monitorMetrics.body())
                .contains(
                        "vantage_notifications_total{",
                        "vantage_channels_invalid",
                        "vantage_push_beats_total{outcome=\"accepted\",source=\"http\"} 3.0",
                        "vantage_push_beats_total{outcome=\"unknown_token\",source=\"http\"} 2.0",
                        "vantage_push_beats_total{outcome=\"bad_request\",source=\"http\"} 1.0");
        check("monitor /metrics", monitorMetrics);
        var apiStatus = get(http, monitorHttp + "/api/status", monitorToken);
        assertThat(apiStatus.statusCode()).as(apiStatus.body()).isEqualTo(200);
        assertThat(apiStatus.body()).contains("\"Echo GET\"", "\"Bad URL with password\"", "\"bad pager\"");
        check("/api/status", apiStatus);
        var page = get(http, monitorHttp + "/", monitorToken);
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("Echo GET", "Bad header value", "bad hook");
        check("the status page", page);

        String wrongToken = "Bearer " + canaries.plant("wrong bearer token sent by a client", HTTP);
        String wrongBasic = basic("prometheus", canaries.plant("wrong basic password sent by a client", HTTP));
        var endpoints = Map.of(
                agentHttp,
                List.of("/metrics", "/readyz"),
                monitorHttp,
                List.of("/metrics", "/readyz", "/api/status", "/"));
        for (String base : endpoints.keySet()) {
            for (String path : endpoints.get(base)) {
                for (String credential : List.of(wrongToken, wrongBasic)) {
                    var refused = get(http, base + path, credential);
                    assertThat(refused.statusCode()).isEqualTo(401);
                    check("401 answer of " + base + path, refused);
                }
            }
        }
    }

    /**
     * The ping endpoints of the monitor, which take the token in the path and no other credential: accepted beats, a
     * token a client got wrong (404), and a malformed path around it (400). None of the answers may quote a token.
     */
    private void checkPings(HttpClient http, String monitorHttp) throws Exception {
        String ping = monitorHttp + "/ping/" + canaries.value("push token");
        String wrong = monitorHttp + "/ping/" + canaries.plant("wrong push token sent by a client", HTTP);
        var answers = new java.util.LinkedHashMap<String, HttpResponse<String>>();
        answers.put("ping", send(http, "GET", ping + "/start?rid=" + UUID.randomUUID(), null));
        answers.put("ping with a body", send(http, "POST", ping + "/fail", "exit 3: nothing to export"));
        answers.put("ping of a log", send(http, "POST", ping + "/log", "half way"));
        answers.put("ping of a wrong token", send(http, "GET", wrong, null));
        answers.put("ping of a wrong token with a body", send(http, "POST", wrong + "/fail", "oops"));
        answers.put("malformed ping of a wrong token", send(http, "GET", wrong + "/999", null));
        assertThat(answers.values()).extracting(HttpResponse::statusCode).containsExactly(200, 200, 200, 404, 404, 400);
        answers.forEach((what, answer) -> check("the answer to a " + what, answer));
    }

    private static HttpResponse<String> send(HttpClient http, String method, String url, String body) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create(url))
                        .timeout(Duration.ofSeconds(10))
                        .method(
                                method,
                                body == null
                                        ? HttpRequest.BodyPublishers.noBody()
                                        : HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** vantage status and its JSON, as an operator runs them, with the password in DB_CONN_STRING. */
    private void checkStatusCommand(Path dir, String dbUrl) throws Exception {
        var table = run(dir, "status-table", Map.of("DB_CONN_STRING", dbUrl), "status");
        var json = run(dir, "status-json", Map.of("DB_CONN_STRING", dbUrl), "status", "--json");
        assertThat(table.exit()).as(table.stderr()).isEqualTo(1);
        assertThat(table.stdout()).contains("Echo GET", "Echo POST", "INVALID CONFIG", "bad pager", "OPEN INCIDENTS");
        canaries.check("vantage status", table.stdout() + table.stderr());
        assertThat(json.exit()).as(json.stderr()).isEqualTo(1);
        assertThat(JSON.readTree(json.stdout()).get("invalid_config")).hasSizeGreaterThanOrEqualTo(8);
        canaries.check("vantage status --json", json.stdout() + json.stderr());
    }

    /** What must have happened before the outputs are read; the conditions not met yet. */
    private static List<String> unmet(TestDatabase db) {
        var conditions = new java.util.LinkedHashMap<String, String>();
        conditions.put(
                "a global incident for Echo GET",
                "SELECT count(*) FROM incidents WHERE monitor_id = 1 AND scope = 'global'");
        conditions.put(
                "an incident for each invalid monitor",
                "SELECT count(DISTINCT monitor_id) - 4 FROM incidents WHERE monitor_id BETWEEN 3 AND 7");
        conditions.put("a retried webhook delivery", attempts("ops webhook", "attempt >= 2 AND error = 'HTTP 500'"));
        conditions.put("a rejected Slack delivery", attempts("ops slack", "outcome = 'rejected'"));
        conditions.put("a retried PagerDuty delivery", attempts("pager", "attempt >= 2"));
        conditions.put("a Pushover delivery told to wait", attempts("phone", "status_code = 429"));
        for (String http : List.of("teams", "discord", "telegram", "opsgenie", "ntfy", "alertmanager")) {
            conditions.put("a retried " + http + " delivery", attempts(http, "error = 'HTTP 500'"));
        }
        conditions.put("an SMTP 451", attempts("mail", "error = 'SMTP 451'"));
        conditions.put("a refused SMTP connection", attempts("mail (refused)", "error = 'connection refused'"));
        conditions.put("a logged notification", attempts("log", "outcome = 'delivered'"));
        conditions.put("a notice in a Redis stream", attempts("bus redis", "outcome = 'delivered'"));
        conditions.put(
                "a Redis password refused",
                attempts("bus redis (wrong password)", "error LIKE '%refused the credentials (WRONGPASS)'"));
        conditions.put("a notice published on NATS", attempts("bus nats", "outcome = 'delivered'"));
        conditions.put(
                "a refused NATS connection", attempts("bus nats (refused)", "error LIKE 'NATS at %: cannot connect%'"));
        return conditions.entrySet().stream()
                .filter(c -> db.count(c.getValue()) < 1)
                .map(Map.Entry::getKey)
                .toList();
    }

    private static String attempts(String channel, String where) {
        return "SELECT count(*) FROM notification_attempts a JOIN notifications n ON n.id = a.notification_id"
                + " JOIN notification_channels c ON c.id = n.channel_id WHERE c.name = '" + channel + "' AND "
                + where;
    }

    /** Both processes' stdout and stderr, whole (JSON fields, MDC and stack traces included). */
    private void checkLogs(AgentProcess agent, AgentProcess monitor, Path dir) throws IOException {
        String agentLog =
                Files.readString(dir.resolve("canary-agent.out")) + Files.readString(dir.resolve("canary-agent.err"));
        String monitorLog = Files.readString(dir.resolve("canary-monitor.out"))
                + Files.readString(dir.resolve("canary-monitor.err"));
        assertThat(agent.findLog("Invalid monitor 3 (Bad header value): headers.X-Api-Key: value contains a line"))
                .isPresent();
        assertThat(agent.findLog("Invalid monitor 4 (Bad URL with password): url: "))
                .isPresent();
        assertThat(agent.findLog("Invalid monitor 6 (Bad TCP URL): url: ")).isPresent();
        assertThat(agent.findLog("Invalid monitor 7 (Bad header name): headers: "))
                .isPresent();
        assertThat(monitor.findLog("'bad pager' is invalid: settings.routing_key"))
                .isPresent();
        assertThat(monitor.findLog("'bad slack' is invalid: settings.token: unknown setting"))
                .isPresent();
        assertThat(monitor.findLog("Channel ops webhook incident ")).isPresent();
        assertThat(monitor.findLog("Channel pager cannot be used, failing its notifications: channel "))
                .isPresent();
        assertThat(monitor.findLog("firing: Echo GET")).as(monitor.tail()).isPresent();
        canaries.check("the agent's log", agentLog);
        canaries.check("the monitor's log", monitorLog);
    }

    /** The error messages and details the database keeps, which the status, dashboards and notifications show. */
    private void checkStoredErrors(TestDatabase db) {
        var queries = Map.of(
                "api_heartbeats.error_message and raw_request_headers",
                "SELECT monitor_id || ' ' || coalesce(error_message, '') || ' ' || coalesce(raw_request_headers::text, '')"
                        + " FROM api_heartbeats",
                "monitor_states",
                "SELECT s::text FROM monitor_states s",
                "incidents",
                "SELECT i::text FROM incidents i",
                "notifications (payload and last_error)",
                "SELECT n::text FROM notifications n",
                "notification_attempts",
                "SELECT a::text FROM notification_attempts a",
                "pushed beats (message and details)",
                "SELECT coalesce(message, '') || ' ' || details::text FROM api_heartbeats WHERE datacenter_id = 0");
        queries.forEach((where, sql) -> {
            List<String> rows = db.jdbi()
                    .withHandle(h -> h.createQuery(sql).mapTo(String.class).list());
            String text = String.join("\n", rows);
            assertThat(text).as(where).isNotBlank();
            canaries.check(where, text);
        });
        assertThat(db.count("SELECT count(*) FROM api_heartbeats WHERE error_message LIKE 'status 401, expected%'"))
                .isPositive();
        assertThat(db.count("SELECT count(*) FROM incidents WHERE monitor_id = 4 AND error_message LIKE 'url: %'"))
                .isPositive();
        assertThat(db.count("SELECT count(*) FROM notifications WHERE last_error LIKE '%settings.routing_key%'"))
                .isPositive();
    }

    /** What the receivers were sent: a notification carries its own channel's credentials and no other secret. */
    private void checkNotifications(EchoServer receiver, SmtpReceiver smtp) {
        assertThat(receiver.requests()).isNotEmpty();
        for (var r : receiver.requests()) {
            String path = "/" + r.target().split("[/?]")[1];
            canaries.check("a notification sent to " + path, r.text(), c -> c.kind() != CHANNEL);
        }
        for (var mail : smtp.mails()) {
            canaries.check("a notification email", mail.data(), c -> c.kind() != CHANNEL);
        }
    }

    @Test
    void anUnreachableDatabaseNamesItsHostButNeverThePassword(@TempDir Path dir) throws Exception {
        int port = closedPort();
        String libpq = "postgres://vantage:" + canaries.plant("libpq URL password", DATABASE) + "@127.0.0.1:" + port
                + "/vantage?sslmode=disable";
        String jdbc = "jdbc:postgresql://127.0.0.1:" + port + "/vantage?user=vantage&password="
                + canaries.plant("JDBC URL password", DATABASE);
        var quick = Map.of("VANTAGE_DB_WAIT", "1", "VANTAGE_HTTP", "off", "DATACENTER_ID", "VA");

        var status = launch(dir, "status", Map.of("DB_CONN_STRING", libpq), "status");
        var statusJdbc = launch(dir, "status-jdbc", Map.of("DB_CONN_STRING", jdbc), "status", "--json");
        var agent = launch(dir, "agent", with(quick, "DB_CONN_STRING", libpq), "agent");
        var monitor = launch(dir, "monitor", with(quick, "DB_CONN_STRING", jdbc), "monitor");

        for (var run : List.of(status.await(), statusJdbc.await())) {
            assertThat(run.exit()).isEqualTo(2);
            assertThat(run.stdout()).isEmpty();
            assertThat(run.stderr().lines().toList())
                    .singleElement()
                    .asString()
                    .startsWith("vantage status: cannot reach the database at 127.0.0.1:" + port + "/vantage: ");
            canaries.check(run.name(), run.stderr());
        }
        for (var run : List.of(agent.await(), monitor.await())) {
            assertThat(run.exit()).as(run.stdout() + run.stderr()).isEqualTo(2);
            assertThat(run.stderr()).contains("cannot reach the database of DB_CONN_STRING after 1 s");
            canaries.check(run.name(), run.stdout() + run.stderr());
        }
        assertThat(canaries.leaks()).isEmpty();
    }

    // ---------------------------------------------------------------------------------------------------------
    // Set-up helpers
    // ---------------------------------------------------------------------------------------------------------

    private EchoServer echo(Map<String, Integer> statusByPrefix) {
        var server = EchoServer.start(statusByPrefix);
        running.add(server);
        return server;
    }

    private void monitor(
            int id, String name, String type, String method, String url, Map<String, String> headers, String body)
            throws IOException {
        db.execute(
                "INSERT INTO api_monitors (id, name, type, method, url, schedule_id, headers, body, down_after)"
                        + " VALUES (?, ?, ?, coalesce(?, 'GET'), ?, 1, ?::jsonb, ?, 1)",
                id,
                name,
                type,
                method,
                url,
                JSON.writeValueAsString(headers),
                body);
        db.execute("INSERT INTO datacenter_monitors (datacenter_id, monitor_id) VALUES (1, ?)", id);
    }

    private static Map<String, String> headers(String... namesAndValues) {
        var headers = new java.util.LinkedHashMap<String, String>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            headers.put(namesAndValues[i], namesAndValues[i + 1]);
        }
        return headers;
    }

    /** A default channel of every monitor, without reminders. */
    private void channel(String name, String type, Map<String, Object> settings) throws IOException {
        db.execute(
                "INSERT INTO notification_channels (name, type, settings, is_default, repeat_every, group_seconds)"
                        + " VALUES (?, ?, ?::jsonb, true, NULL, 0)",
                name,
                type,
                JSON.writeValueAsString(settings));
    }

    private Map<String, Object> email(int port) {
        return Map.of(
                "host",
                "127.0.0.1",
                "port",
                port,
                "from",
                "vantage@example.org",
                "to",
                List.of("ops@example.org"),
                "username",
                canaries.plant("SMTP user name (port " + port + ")", CHANNEL),
                "password",
                canaries.plant("SMTP password (port " + port + ")", CHANNEL),
                "tls",
                "none");
    }

    /**
     * A LOGIN role with this password, member of {@code group} (or a superuser, for {@code SUPERUSER}); its libpq URL.
     */
    private String login(String group, String password) {
        String name = "canary_" + UUID.randomUUID().toString().substring(0, 8);
        db.execute("CREATE ROLE " + name + " LOGIN PASSWORD '" + password + "' "
                + (group.equals("SUPERUSER") ? "SUPERUSER" : "IN ROLE " + group));
        if (group.equals("vantage_agent")) {
            // An agent login acts for the one datacenter it is bound to (V10); this agent runs for VA.
            db.execute(
                    "INSERT INTO agent_logins (login, datacenter_id) SELECT ?, id FROM datacenters WHERE code = 'VA'",
                    name);
        }
        logins.add(name);
        return db.libpqUrl().replace("//postgres:postgres@", "//" + name + ":" + password + "@");
    }

    private static int closedPort() throws IOException {
        try (var s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static Map<String, String> with(Map<String, String> env, String name, String value) {
        var out = new HashMap<>(env);
        out.put(name, value);
        return out;
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    private static HttpResponse<String> get(HttpClient http, String url, String authorization) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create(url))
                        .header("Authorization", authorization)
                        .timeout(Duration.ofSeconds(10))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** An HTTP answer: its body and every header (a 401's {@code WWW-Authenticate} too). */
    private void check(String where, HttpResponse<String> response) {
        canaries.check(where, response.headers().map() + "\n" + response.body());
    }

    private static void awaitOrDump(String what, Processes processes, Callable<List<String>> unmet) {
        try {
            Awaitility.await(what)
                    .atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(250))
                    .until(unmet, List::isEmpty);
        } catch (ConditionTimeoutException e) {
            var dump = new StringBuilder(e.getMessage());
            try {
                dump.append("\nunmet: ").append(unmet.call());
            } catch (Exception ignored) {
                // the message above says enough
            }
            dump.append('\n')
                    .append(processes.agent().tail())
                    .append('\n')
                    .append(processes.monitor().tail());
            throw new AssertionError(dump.toString(), e);
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // vantage as a separate JVM (status, and the commands that fail at start)
    // ---------------------------------------------------------------------------------------------------------

    record Run(String name, int exit, String stdout, String stderr) {}

    record Started(String name, Process process, Path out, Path err) {
        Run await() throws Exception {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("vantage " + name + " did not exit within 60 s");
            }
            return new Run(name, process.exitValue(), withoutJvmWarnings(out), withoutJvmWarnings(err));
        }
    }

    private Started launch(Path dir, String name, Map<String, String> env, String... args) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        var command = new ArrayList<>(List.of(java, "-jar", JAR.toAbsolutePath().toString()));
        command.addAll(List.of(args));
        var builder = new ProcessBuilder(command);
        builder.environment().clear();
        builder.environment().putAll(env);
        Path out = dir.resolve(name + ".out");
        Path err = dir.resolve(name + ".err");
        builder.redirectOutput(out.toFile());
        builder.redirectError(err.toFile());
        Process process = builder.start();
        running.add(process::destroyForcibly);
        return new Started("vantage " + String.join(" ", args) + " (" + name + ")", process, out, err);
    }

    private Run run(Path dir, String name, Map<String, String> env, String... args) throws Exception {
        return launch(dir, name, env, args).await();
    }

    private static String withoutJvmWarnings(Path file) throws IOException {
        return String.join(
                "\n",
                Files.readAllLines(file, StandardCharsets.UTF_8).stream()
                        .filter(l -> !l.startsWith("WARNING:"))
                        .toList());
    }
}
