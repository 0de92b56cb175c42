package dev.vantage.status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.vantage.testing.PostgresExtension;
import dev.vantage.testing.TestDatabase;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The status page and API served by a JDK HttpServer on loopback over a seeded database, and the page as a person
 * sees it: rendered by headless Chromium (Debian's {@code chromium} package) at a phone's width, its DOM read back and
 * a screenshot kept in {@code target/status-page/} as a test artifact.
 */
@ExtendWith(PostgresExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StatusPageIT {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path ARTIFACTS = Path.of("target", "status-page");
    private static final String XSS = "<script>alert(1)</script>";
    /** An error a target could make a probe report: it must stay text in a tooltip. */
    private static final String HOSTILE_ERROR = "\"><u onclick=alert(2)>x</u>";

    private static final Duration BROWSER_DEADLINE = Duration.ofSeconds(90);
    private static final int PHONE_HEIGHT = 844;
    private static final int WHOLE_HEIGHT = 6000;

    private HttpServer server;
    private String base;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    void serve(TestDatabase db) throws IOException {
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        StatusSeed.full(db, now);
        db.execute("INSERT INTO api_monitors (name, url, schedule_id) VALUES (?, 'https://x.example/', 1)", XSS);
        db.execute("INSERT INTO datacenter_monitors VALUES (1, 7)");
        StatusSeed.state(db, 7, null, "UP", now, "UP " + XSS, Duration.ofMinutes(1));
        StatusSeed.state(db, 7, 1, "UP", now, "up", Duration.ofMinutes(1));
        StatusSeed.push(db, now);
        // Monitor 7's bar: a slow result, one in maintenance and a failure whose error is hostile.
        db.execute(
                "INSERT INTO api_heartbeats (monitor_id, datacenter_id, scheduled_at, executed_at, success,"
                        + " response_time_ms, warning_threshold_ms, error_type, error_message, in_maintenance)"
                        + " VALUES (7, 1, ?, ?, true, 900, 500, NULL, NULL, false),"
                        + " (7, 1, ?, ?, false, NULL, NULL, 'CONNECT', 'refused', true),"
                        + " (7, 1, ?, ?, false, NULL, NULL, 'ASSERTION', ?, false)",
                StatusSeed.ago(now, Duration.ofSeconds(90)),
                StatusSeed.ago(now, Duration.ofSeconds(90)),
                StatusSeed.ago(now, Duration.ofSeconds(60)),
                StatusSeed.ago(now, Duration.ofSeconds(60)),
                StatusSeed.ago(now, Duration.ofSeconds(30)),
                StatusSeed.ago(now, Duration.ofSeconds(30)),
                HOSTILE_ERROR);
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        var status = new CachedStatus(db.jdbi(), Clock.systemUTC());
        server.createContext("/", new StatusPageHandler(status));
        server.createContext("/api/status", new StatusApiHandler(status));
        server.createContext("/measure.html", exchange -> {
            try (exchange) {
                byte[] body = MEASURE.getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
                exchange.sendResponseHeaders(200, body.length);
                exchange.getResponseBody().write(body);
            }
        });
        server.start();
        base = "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @AfterAll
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    private HttpResponse<String> send(String method, String path) throws Exception {
        var request = HttpRequest.newBuilder(URI.create(base + path))
                .method(method, HttpRequest.BodyPublishers.noBody())
                .timeout(Duration.ofSeconds(30))
                .build();
        return http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    @Test
    void thePageIsSelfContainedEscapedHtmlThatRefreshesItself() throws Exception {
        var page = send("GET", "/");

        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
        assertThat(page.headers().firstValue("Cache-Control")).hasValue("no-store");
        assertThat(page.body())
                .startsWith("<!DOCTYPE html>")
                .contains("<meta http-equiv=\"refresh\" content=\"30\">")
                .contains("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
                .contains("&lt;script&gt;alert(1)&lt;/script&gt;")
                .doesNotContain(XSS, "<script", "<link", " src=", "url(", "@import")
                .doesNotContain("hunter2", "s3cret", "sekrit-value", "T0KEN123");
    }

    @Test
    void aClientThatTakesGzipGetsThePageCompressed() throws Exception {
        var plain = send("GET", "/");
        var request = HttpRequest.newBuilder(URI.create(base + "/"))
                .header("Accept-Encoding", "gzip, deflate")
                .timeout(Duration.ofSeconds(30))
                .build();
        var zipped = http.send(request, HttpResponse.BodyHandlers.ofByteArray());

        assertThat(plain.headers().firstValue("Content-Encoding")).isEmpty();
        assertThat(zipped.headers().firstValue("Content-Encoding")).hasValue("gzip");
        assertThat(zipped.headers().firstValue("Vary")).hasValue("Accept-Encoding");
        String page;
        try (var in = new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(zipped.body()))) {
            page = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertThat(zipped.body().length).isLessThan(plain.body().length() / 4);
        assertThat(page).startsWith("<!DOCTYPE html>").contains("class=\"bar\"").endsWith("</html>\n");
    }

    @Test
    void theApiServesTheJsonOfVantageStatusAndOnlyGetIsAllowed() throws Exception {
        var api = send("GET", "/api/status");
        var post = send("POST", "/api/status");
        var pagePost = send("DELETE", "/");
        var head = send("HEAD", "/api/status");
        var elsewhere = send("GET", "/favicon.ico");

        assertThat(api.statusCode()).isEqualTo(200);
        assertThat(api.headers().firstValue("Content-Type")).hasValue("application/json; charset=utf-8");
        assertThat(api.headers().firstValue("Cache-Control")).hasValue("no-store");
        var json = new ObjectMapper().readTree(api.body());
        assertThat(json.get("monitors")).hasSize(11);
        assertThat(json.get("monitors").get(6).get("name").asText()).isEqualTo(XSS);
        var heartbeat = json.get("monitors").get(8);
        assertThat(heartbeat.get("name").asText()).isEqualTo("Heartbeat");
        assertThat(heartbeat.get("type").asText()).isEqualTo("push");
        assertThat(heartbeat.get("datacenters")).isEmpty();
        assertThat(heartbeat.get("expected_every_seconds").asInt()).isEqualTo(15);
        assertThat(heartbeat.get("grace_seconds").asInt()).isEqualTo(30);
        assertThat(heartbeat.get("last_message").asText()).isEqualTo("half way: 1200 of 2400 rows");
        assertThat(heartbeat.get("last_beat_at").asText())
                .isEqualTo(heartbeat.get("last_heartbeat_at").asText());
        assertThat(api.body()).doesNotContain(StatusSeed.PUSH_TOKEN, "#0\"");
        assertThat(post.statusCode()).isEqualTo(405);
        assertThat(post.headers().firstValue("Allow")).hasValue("GET, HEAD");
        assertThat(pagePost.statusCode()).isEqualTo(405);
        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.body()).isEmpty();
        assertThat(elsewhere.statusCode()).isEqualTo(404);
    }

    @Test
    void aPersonOnAPhoneSeesEveryMonitorItsStatesUptimeAndIncidents(@TempDir Path profile) throws Exception {
        assumeTrue(
                Files.isExecutable(CHROMIUM),
                "headless Chromium not installed at " + CHROMIUM + " (apt-get install chromium); page not rendered");

        var dom = chromium(profile.resolve("dom"), PHONE_HEIGHT, "--dump-dom", base + "/");
        Files.createDirectories(ARTIFACTS);
        Path png = ARTIFACTS.resolve("status-page.png").toAbsolutePath();
        Path whole = ARTIFACTS.resolve("status-page-whole.png").toAbsolutePath();
        Files.deleteIfExists(png);
        Files.deleteIfExists(whole);
        chromium(profile.resolve("shot"), PHONE_HEIGHT, "--screenshot=" + png, base + "/");
        // The same phone width, tall enough for every card: the push monitors' are below the first screen.
        chromium(profile.resolve("whole"), WHOLE_HEIGHT, "--screenshot=" + whole, base + "/");

        assertThat(dom.exit()).as(dom.stderr()).isZero();
        String html = dom.stdout();
        Files.writeString(ARTIFACTS.resolve("status-page.dom.html"), html);
        String text = html.replaceAll("<[^>]*>", " ").replaceAll("\\s+", " ");
        assertThat(text)
                .contains("Vantage status")
                .contains("monitors down or without data")
                .contains("API", "Checkout", "Stale", "Paused", "New", "Broken")
                .contains("VA UP", "NY DOWN", "PARTIAL", "UNKNOWN", "DISABLED", "PENDING")
                .contains("93.33%")
                .contains("no data for")
                .contains("Open incidents")
                .contains("HTTP_STATUS: status 503, expected 200-299")
                .contains("Resolved in the last 24 h")
                .contains("TIMEOUT: waiting for the first byte")
                .contains("Invalid configuration")
                .contains("va-1")
                // Push monitors: their last beat and message where other monitors list datacenters.
                .containsPattern("Heartbeat UP last beat \\d+ s ago, expected every 15 s last message: half way:"
                        + " 1200 of 2400 rows")
                .contains("Nightly export UNKNOWN no beat yet (expected every 24 h)")
                .containsPattern("Backup DOWN last beat 3 min ago, expected every 15 s last message: backup done")
                .contains("DOWN: MISSED no heartbeat for 3 min (expected every 15 s, grace 30 s)")
                .contains("http://monitor:8080/ping/&lt;token&gt;/fail")
                .doesNotContain(StatusSeed.PUSH_TOKEN);
        // The hostile name arrived as text: escaped in the DOM, and no script element exists.
        assertThat(html).contains("&lt;script&gt;alert(1)&lt;/script&gt;").doesNotContain("<script");
        assertThat(html).contains("<svg class=\"spark\"");

        assertThat(png).exists();
        byte[] image = Files.readAllBytes(png);
        assertThat(image.length).as("screenshot size").isGreaterThan(10_000);
        assertThat(new String(image, 1, 3, StandardCharsets.US_ASCII)).isEqualTo("PNG");
        int width = java.nio.ByteBuffer.wrap(image, 16, 4).getInt();
        assertThat(width).as("screenshot width").isEqualTo(390);
        byte[] all = Files.readAllBytes(whole);
        assertThat(java.nio.ByteBuffer.wrap(all, 16, 4).getInt())
                .as("whole page width")
                .isEqualTo(390);
        assertThat(java.nio.ByteBuffer.wrap(all, 20, 4).getInt())
                .as("whole page height")
                .isEqualTo(WHOLE_HEIGHT);
    }

    /**
     * A test page that loads the status page in a phone-sized frame and writes what a person would see of its bars
     * into {@code <pre id="out">} as JSON: ticks per bar, the bar's box against the viewport, the colour of each
     * outcome, the tooltips, and whether an element came out of a tooltip.
     */
    private static final String MEASURE =
            """
            <!DOCTYPE html><html><head><meta charset="utf-8"></head><body style="margin:0">
            <iframe id="f" src="/" style="width:390px;height:844px;border:0" onload="measure()"></iframe>
            <pre id="out"></pre>
            <script>
            function measure() {
              var d = document.getElementById('f').contentDocument;
              var out = {viewport: d.documentElement.clientWidth, scrollWidth: d.documentElement.scrollWidth};
              out.bars = Array.from(d.querySelectorAll('.bar')).map(function (b) {
                var r = b.getBoundingClientRect();
                var ticks = Array.from(b.querySelectorAll('i'));
                return {dc: b.dataset.dc, push: b.hasAttribute('data-push'), ticks: ticks.length, left: r.left, right: r.right,
                        shown: ticks.filter(function (t) { return t.getBoundingClientRect().width > 0; }).length};
              });
              out.colours = {};
              ['up', 'slow', 'down', 'timeout', 'maintenance', 'none'].forEach(function (c) {
                var t = d.querySelector(c === 'none' ? '.bar i:not([class])' : '.bar .' + c);
                if (t) { out.colours[c] = getComputedStyle(t).backgroundColor; }
              });
              out.tooltips = Array.from(d.querySelectorAll('.bar i[title]'))
                  .map(function (t) { return t.getAttribute('title'); });
              out.injected = d.querySelectorAll('u').length;
              document.getElementById('out').textContent = JSON.stringify(out);
            }
            </script></body></html>
            """;

    @Test
    void onAPhoneEveryBarShowsSixtyColouredTicksInsideTheViewport(@TempDir Path profile) throws Exception {
        assumeTrue(
                Files.isExecutable(CHROMIUM),
                "headless Chromium not installed at " + CHROMIUM + " (apt-get install chromium); page not rendered");

        var dom = chromium(profile, PHONE_HEIGHT, "--dump-dom", base + "/measure.html");

        assertThat(dom.exit()).as(dom.stderr()).isZero();
        var m = java.util.regex.Pattern.compile("<pre id=\"out\">(.*)</pre>", java.util.regex.Pattern.DOTALL)
                .matcher(dom.stdout());
        assertThat(m.find()).as("measurements in %s", dom.stdout()).isTrue();
        String json = m.group(1).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&");
        var out = new ObjectMapper().readTree(json);
        int viewport = out.get("viewport").asInt();
        assertThat(viewport).isBetween(380, 390);
        assertThat(out.get("scrollWidth").asInt()).as("no horizontal scrolling").isLessThanOrEqualTo(viewport);
        // API and Checkout in VA and NY, then Stale, Paused, New, Broken and the hostile one in VA; then the four push
        // monitors' bars of beats.
        var bars = new java.util.ArrayList<com.fasterxml.jackson.databind.JsonNode>();
        out.get("bars").forEach(bars::add);
        assertThat(bars).filteredOn(b -> !b.get("push").asBoolean()).hasSize(9);
        assertThat(bars).filteredOn(b -> b.get("push").asBoolean()).hasSize(4);
        for (var bar : out.get("bars")) {
            assertThat(bar.get("ticks").asInt()).as("ticks of %s", bar).isEqualTo(60);
            assertThat(bar.get("shown").asInt()).as("ticks drawn of %s", bar).isEqualTo(60);
            assertThat(bar.get("left").asDouble()).as("left of %s", bar).isGreaterThanOrEqualTo(0);
            assertThat(bar.get("right").asDouble()).as("right of %s", bar).isLessThanOrEqualTo(viewport);
        }
        var colours = out.get("colours");
        assertThat(colours.get("up").asText()).isEqualTo("rgb(45, 164, 78)");
        assertThat(colours.get("slow").asText()).isEqualTo("rgb(212, 167, 44)");
        assertThat(colours.get("down").asText()).isEqualTo("rgb(207, 34, 46)");
        assertThat(colours.get("timeout").asText()).isEqualTo("rgb(140, 45, 0)");
        assertThat(colours.get("maintenance").asText()).isEqualTo("rgb(84, 174, 255)");
        assertThat(colours.get("none").asText()).isEqualTo("rgb(209, 217, 224)");
        var tooltips = new ArrayList<String>();
        out.get("tooltips").forEach(t -> tooltips.add(t.asText()));
        assertThat(tooltips)
                .anyMatch(t -> t.matches("(\\d{4}-\\d\\d-\\d\\d )?\\d\\d:\\d\\d:\\d\\d UTC: slow, 900ms"))
                .anyMatch(t -> t.endsWith(": down, ASSERTION: " + HOSTILE_ERROR))
                .anyMatch(t -> t.endsWith(": maintenance, CONNECT: refused"));
        assertThat(out.get("injected").asInt())
                .as("elements made from a tooltip")
                .isZero();
    }

    record Browser(int exit, String stdout, String stderr) {}

    /** Runs headless Chromium once at 390 x {@code height} (a phone), destroyed if it outlives its deadline. */
    private static Browser chromium(Path profile, int height, String... args) throws Exception {
        var command = new ArrayList<>(List.of(
                CHROMIUM.toString(),
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--hide-scrollbars",
                "--no-first-run",
                "--user-data-dir=" + profile,
                "--window-size=390," + height));
        command.addAll(List.of(args));
        Files.createDirectories(profile);
        Path out = profile.resolve("stdout.txt");
        Path err = profile.resolve("stderr.txt");
        Process p = new ProcessBuilder(command)
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .start();
        try {
            if (!p.waitFor(BROWSER_DEADLINE.toSeconds(), TimeUnit.SECONDS)) {
                throw new AssertionError("chromium did not finish within " + BROWSER_DEADLINE + ": " + command);
            }
        } finally {
            if (p.isAlive()) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
            }
        }
        return new Browser(p.exitValue(), Files.readString(out), Files.readString(err));
    }
}
