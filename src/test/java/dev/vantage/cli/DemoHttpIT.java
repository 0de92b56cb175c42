package dev.vantage.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vantage.demo.Demo;
import dev.vantage.web.HttpAuth;
import dev.vantage.web.HttpSettings;
import dev.vantage.web.WebServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The demo's HTTP server as a user opens it: the status page at {@code /}, its JSON at {@code /api/status}, and the
 * operational endpoints, on a loopback port of its own.
 */
class DemoHttpIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void theDemoServesTheStatusPageAndItsJsonNextToTheOperationalEndpoints() throws Exception {
        var out = new ByteArrayOutputStream();
        try (var demo = Demo.start(null, 0)) {
            WebServer web = DemoCommand.startHttp(
                            HttpSettings.on("127.0.0.1", 0, HttpAuth.NONE),
                            demo,
                            new PrintStream(out, true, StandardCharsets.UTF_8))
                    .orElseThrow();
            try (web;
                    var client = HttpClient.newBuilder()
                            .connectTimeout(Duration.ofSeconds(2))
                            .build()) {
                DemoCommand.printWelcome(
                        new PrintStream(out, true, StandardCharsets.UTF_8), demo, java.util.Optional.of(web));
                assertThat(out.toString(StandardCharsets.UTF_8)).contains("Status page:       " + web.url() + "/");

                // Once the monitor module has evaluated the first heartbeats, every demo monitor has a state.
                await().atMost(Duration.ofSeconds(30))
                        .pollInterval(Duration.ofMillis(500))
                        .untilAsserted(() -> {
                            JsonNode status = JSON.readTree(
                                    get(client, web.url() + "/api/status").body());
                            List<String> states = new ArrayList<>();
                            status.path("monitors")
                                    .forEach(m -> states.add(m.path("state").asText()));
                            assertThat(states).isNotEmpty().doesNotContain("PENDING");
                        });

                var page = get(client, web.url() + "/");
                assertThat(page.statusCode()).isEqualTo(200);
                assertThat(page.headers().firstValue("Content-Type"))
                        .hasValueSatisfying(t -> assertThat(t).startsWith("text/html"));
                assertThat(page.body()).contains("Fast API", "Refused port", "Broken row (bad URL)");
                // The demo's public monitors have badges, as its welcome says.
                assertThat(out.toString(StandardCharsets.UTF_8))
                        .contains("Badges:            " + web.url() + "/badge/fast-api/status.svg");
                var badge = get(client, web.url() + "/badge/fast-api/status.svg");
                assertThat(badge.statusCode()).isEqualTo(200);
                assertThat(badge.body()).contains("<title>Fast API: ");
                assertThat(get(client, web.url() + "/badge/checkout/uptime.svg").body())
                        .contains(">uptime 24h</text>");
                assertThat(get(client, web.url() + "/healthz").statusCode()).isEqualTo(200);
                assertThat(get(client, web.url() + "/metrics").body()).contains("vantage_evaluate_heartbeats_total");

                // A push monitor inserted with psql takes pings on the same server at once.
                try (var pool = dev.vantage.db.Database.pool(demo.connection(), "demo-http-it", 1)) {
                    var jdbi = dev.vantage.db.Database.jdbi(pool);
                    String token = jdbi.withHandle(h -> h.createQuery(
                                    "INSERT INTO api_monitors (name, type, schedule_id) VALUES ('demo push', 'push',"
                                            + " (SELECT min(id) FROM schedules)) RETURNING push_token")
                            .mapTo(String.class)
                            .one());
                    var ping = get(client, web.url() + "/ping/" + token);
                    assertThat(ping.statusCode()).isEqualTo(200);
                    assertThat(ping.body()).isEqualTo("OK\n");
                    long rows = jdbi.withHandle(h -> h.createQuery("SELECT count(*) FROM api_heartbeats h"
                                    + " JOIN api_monitors m ON m.id = h.monitor_id WHERE m.name = 'demo push'"
                                    + " AND h.datacenter_id = 0 AND h.beat_kind = 'success'")
                            .mapTo(Long.class)
                            .one());
                    assertThat(rows).isEqualTo(1);
                }
                assertThat(out.toString(StandardCharsets.UTF_8))
                        .contains("Push pings:        " + web.url() + "/ping/<push_token>");
            }
        }
    }

    private static HttpResponse<String> get(HttpClient client, String url) throws Exception {
        return client.send(
                HttpRequest.newBuilder(URI.create(url))
                        .timeout(Duration.ofSeconds(10))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
