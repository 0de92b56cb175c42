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
                assertThat(get(client, web.url() + "/healthz").statusCode()).isEqualTo(200);
                assertThat(get(client, web.url() + "/metrics").body()).contains("vantage_evaluate_heartbeats_total");
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
