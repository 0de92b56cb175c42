package dev.vantage.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vantage.probe.ErrorType;
import dev.vantage.probe.InvalidMonitorException;
import dev.vantage.probe.MonitorSpec;
import dev.vantage.probe.ProbeContext;
import dev.vantage.probe.ProbeResult;
import dev.vantage.probe.http.HttpMonitor;
import dev.vantage.probe.tcp.TcpMonitor;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Targets that attack the agent rather than fail: endless bodies, huge status lines and headers, redirects that would
 * carry the monitor's secrets elsewhere, peers that never read. Each is a real loopback socket written for the test.
 */
class HostileTargetIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SECRET_HEADER = "Bearer hostile-test-secret";
    private static final String SECRET_BODY = "{\"password\":\"hostile-test-body\"}";
    /** The shared cut of target texts: 1024 characters and a marker such as {@code … [cut, 204800 bytes]}. */
    private static final int CUT_TEXT = 1024 + 40;

    private final HttpMonitor http = new HttpMonitor();
    private final TcpMonitor tcp = new TcpMonitor();

    // ---- bounded memory per probe -------------------------------------------------------------------------------

    @Test
    void maxBodyBytesAboveItsMaximumIsAnInvalidRowNamingTheFieldAndTheLimit() {
        assertThatThrownBy(() -> http.configure(spec(
                        "GET",
                        "http://127.0.0.1:1/",
                        Map.of(),
                        null,
                        "{\"max_body_bytes\":" + Integer.MAX_VALUE + "}")))
                .isInstanceOf(InvalidMonitorException.class)
                .hasMessageContaining("settings.max_body_bytes")
                .hasMessageContaining("67108864");
    }

    @Test
    void anEndlessBodyIsReadUpToMaxBodyBytesAndOnlyAPrefixIsKept() throws Exception {
        try (var target = HostileTarget.plain("127.0.0.1", (s, t) -> {
            t.readRequest(s);
            HostileTarget.write(s, "HTTP/1.1 200 OK\r\nContent-Length: 1073741824\r\n\r\n");
            endless(s.getOutputStream(), (byte) 'a');
        })) {
            ProbeResult r = probe(
                    spec("GET", target.url("/gib"), Map.of(), null, "{\"max_body_bytes\":8388608}"),
                    Duration.ofSeconds(20),
                    true);

            assertThat(r.success()).as("%s", r.errorMessage()).isTrue();
            assertThat(r.responseSizeBytes()).isEqualTo(8L * 1024 * 1024);
            assertThat(r.body()).as("the kept prefix").hasSizeLessThanOrEqualTo(64 * 1024 + 64);
        }
    }

    @Test
    void bodyContainsIsMatchedWhileStreamingAcrossReadsAndBeyondTheKeptPrefix() throws Exception {
        try (var target = HostileTarget.plain("127.0.0.1", (s, t) -> {
            t.readRequest(s);
            HostileTarget.write(s, "HTTP/1.1 200 OK\r\nContent-Length: 1073741824\r\n\r\n");
            OutputStream out = s.getOutputStream();
            byte[] filler = new byte[16 * 1024];
            Arrays.fill(filler, (byte) 'a');
            for (int i = 0; i < 64; i++) {
                out.write(filler);
            }
            HostileTarget.write(s, "NEE");
            Thread.sleep(100); // the needle arrives in two reads
            HostileTarget.write(s, "DLE");
            endless(out, (byte) 'b');
        })) {
            String settings = "{\"max_body_bytes\":4194304,\"body_contains\":\"NEEDLE\"}";
            ProbeResult found =
                    probe(spec("GET", target.url("/"), Map.of(), null, settings), Duration.ofSeconds(20), false);
            ProbeResult missing = probe(
                    spec(
                            "GET",
                            target.url("/"),
                            Map.of(),
                            null,
                            "{\"max_body_bytes\":4194304,\"body_contains\":\"HAY\"}"),
                    Duration.ofSeconds(20),
                    false);

            assertThat(found.success()).as("%s", found.errorMessage()).isTrue();
            assertThat(missing.errorType()).isEqualTo(ErrorType.BODY);
            assertThat(missing.errorMessage()).isEqualTo("body does not contain \"HAY\" in its first 4194304 bytes");
        }
    }

    // ---- texts from targets are cut -----------------------------------------------------------------------------

    @Test
    void aHugeStatusLineIsCutInTheErrorMessage() throws Exception {
        try (var target = HostileTarget.plain("127.0.0.1", (s, t) -> {
            t.readRequest(s);
            HostileTarget.write(s, "HTTP/1.1 2x0 " + "A".repeat(200 * 1024) + "\r\n\r\n");
        })) {
            ProbeResult r = probe(spec("GET", target.url("/"), Map.of(), null, "{}"), Duration.ofSeconds(10), false);

            assertThat(r.errorType()).isEqualTo(ErrorType.PROTOCOL);
            assertThat(r.errorMessage()).hasSizeLessThanOrEqualTo(CUT_TEXT).contains("[cut, ");
        }
    }

    @Test
    void hugeResponseHeaderValuesAreCutEachAndInTotal() throws Exception {
        var head = new StringBuilder("HTTP/1.1 200 OK\r\nServer: ")
                .append("S".repeat(100 * 1024))
                .append("\r\nContent-Type: text/plain; x=")
                .append("C".repeat(20 * 1024))
                .append("\r\n");
        for (int i = 0; i < 40; i++) {
            head.append("X-Junk-")
                    .append(i)
                    .append(": ")
                    .append("J".repeat(3000))
                    .append("\r\n");
        }
        head.append("Content-Length: 2\r\n\r\nok");
        try (var target = HostileTarget.plain("127.0.0.1", (s, t) -> {
            t.readRequest(s);
            HostileTarget.write(s, head.toString());
        })) {
            ProbeResult r = probe(spec("GET", target.url("/"), Map.of(), null, "{}"), Duration.ofSeconds(10), false);

            assertThat(r.success()).as("%s", r.errorMessage()).isTrue();
            assertThat(r.header("Server")).hasSizeLessThanOrEqualTo(CUT_TEXT).contains("[cut, 102400 bytes]");
            assertThat(r.header("Content-Type")).hasSizeLessThanOrEqualTo(CUT_TEXT);
            assertThat(r.responseHeaders().values())
                    .allSatisfy(v -> assertThat(v).hasSizeLessThanOrEqualTo(CUT_TEXT));
            int total = r.responseHeaders().entrySet().stream()
                    .mapToInt(e -> e.getKey().length() + e.getValue().length())
                    .sum();
            assertThat(total).as("all stored header text").isLessThanOrEqualTo(16 * 1024 + CUT_TEXT);
        }
    }

    // ---- redirects ----------------------------------------------------------------------------------------------

    /** Where the next hop goes, relative to the first target. */
    enum Hop {
        OTHER_PORT,
        OTHER_HOST
    }

    @ParameterizedTest(name = "{0} to {1}: the next hop is {2}")
    @CsvSource({
        "301, OTHER_PORT, GET",
        "302, OTHER_PORT, GET",
        "303, OTHER_PORT, GET",
        "307, OTHER_PORT, POST",
        "308, OTHER_PORT, POST",
        "302, OTHER_HOST, GET",
        "307, OTHER_HOST, POST",
    })
    void aCrossOriginRedirectCarriesNoConfiguredHeaderCookieNorBody(int code, Hop hop, String method) throws Exception {
        try (var next = HostileTarget.plain(hop == Hop.OTHER_HOST ? "127.0.0.2" : "127.0.0.1", (s, t) -> {
                    t.readRequest(s);
                    HostileTarget.write(s, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok");
                });
                var first = HostileTarget.plain("127.0.0.1", (s, t) -> {
                    t.readRequest(s);
                    HostileTarget.write(
                            s,
                            "HTTP/1.1 " + code + " Moved\r\nLocation: " + next.url("/landing")
                                    + "\r\nContent-Length: 0\r\n\r\n");
                })) {
            ProbeResult r = probe(
                    spec("POST", first.url("/"), secretHeaders(), SECRET_BODY, "{}"), Duration.ofSeconds(10), false);

            assertThat(r.success()).as("%s", r.errorMessage()).isTrue();
            assertThat(first.requests()).singleElement().satisfies(q -> {
                assertThat(q.header("Authorization")).isEqualTo(SECRET_HEADER);
                assertThat(q.body()).isEqualTo(SECRET_BODY);
            });
            assertThat(next.requests()).singleElement().satisfies(q -> {
                assertThat(q.method()).isEqualTo(method);
                assertThat(q.header("Authorization")).isNull();
                assertThat(q.header("Cookie")).isNull();
                assertThat(q.header("X-Api-Key")).isNull();
                assertThat(q.body()).isEmpty();
            });
        }
    }

    @Test
    void aSameOriginRedirectKeepsTheHeadersAndThe307Body() throws Exception {
        try (var target = HostileTarget.plain("127.0.0.1", (s, t) -> {
            var q = t.readRequest(s);
            if (q.target().equals("/")) {
                HostileTarget.write(s, "HTTP/1.1 307 Again\r\nLocation: /landing\r\nContent-Length: 0\r\n\r\n");
            } else {
                HostileTarget.write(s, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
            }
        })) {
            ProbeResult r = probe(
                    spec("POST", target.url("/"), secretHeaders(), SECRET_BODY, "{}"), Duration.ofSeconds(10), false);

            assertThat(r.success()).as("%s", r.errorMessage()).isTrue();
            assertThat(target.requests()).hasSize(2).last().satisfies(q -> {
                assertThat(q.method()).isEqualTo("POST");
                assertThat(q.header("Authorization")).isEqualTo(SECRET_HEADER);
                assertThat(q.header("X-Api-Key")).isEqualTo("hostile-key");
                assertThat(q.body()).isEqualTo(SECRET_BODY);
            });
        }
    }

    @Test
    void httpsToHttpIsNotFollowedUnlessTheSettingAllowsIt() throws Exception {
        try (var plain = HostileTarget.plain("127.0.0.1", (s, t) -> {
                    t.readRequest(s);
                    HostileTarget.write(s, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok");
                });
                var secure = HostileTarget.tls((s, t) -> {
                    t.readRequest(s);
                    HostileTarget.write(
                            s,
                            "HTTP/1.1 302 Found\r\nLocation: " + plain.url("/clear") + "\r\nContent-Length: 0\r\n\r\n");
                })) {
            ProbeResult refused = probe(
                    spec("GET", secure.url("/"), secretHeaders(), null, "{\"verify_tls\":false}"),
                    Duration.ofSeconds(10),
                    false);

            assertThat(refused.errorType()).isEqualTo(ErrorType.HTTP_STATUS);
            assertThat(refused.errorMessage()).contains("https to http").contains("settings.follow_https_to_http");
            assertThat(plain.requests()).isEmpty();

            ProbeResult allowed = probe(
                    spec(
                            "GET",
                            secure.url("/"),
                            secretHeaders(),
                            null,
                            "{\"verify_tls\":false,\"follow_https_to_http\":true}"),
                    Duration.ofSeconds(10),
                    false);

            assertThat(allowed.success()).as("%s", allowed.errorMessage()).isTrue();
            assertThat(plain.requests()).singleElement().satisfies(q -> {
                assertThat(q.header("Authorization")).isNull();
                assertThat(q.header("Cookie")).isNull();
                assertThat(q.header("X-Api-Key")).isNull();
            });
        }
    }

    // ---- TCP send deadline --------------------------------------------------------------------------------------

    @Test
    void aTcpSendToAPeerThatNeverReadsTimesOutByTheDeadlineEveryTime() throws Exception {
        try (var target = HostileTarget.plain("127.0.0.1", (s, t) -> {
            s.setReceiveBufferSize(4096);
            Thread.sleep(Duration.ofSeconds(60)); // never reads; closed by the test
        })) {
            String send = "x".repeat(16 * 1024 * 1024);
            var settings = JSON.createObjectNode().put("send", send).put("expect", "never");
            var spec = new MonitorSpec(
                    9,
                    "tcp-send",
                    "tcp",
                    null,
                    target.tcpUrl(),
                    Map.of(),
                    null,
                    null,
                    settings,
                    Duration.ofSeconds(30),
                    false);

            for (int slot = 0; slot < 2; slot++) {
                ProbeResult r = CompletableFuture.supplyAsync(() -> {
                            try {
                                return tcp.probe(tcp.configure(spec), new ProbeContext(Duration.ofSeconds(1), false));
                            } catch (InvalidMonitorException e) {
                                throw new IllegalStateException(e);
                            }
                        })
                        .get(15, TimeUnit.SECONDS);

                assertThat(r.errorType()).isEqualTo(ErrorType.TIMEOUT);
                assertThat(r.errorMessage()).isEqualTo("timed out after 1000 ms while sending");
                assertThat(r.timings().total()).isBetween(900.0, 3000.0);
            }
        }
    }

    @Test
    void anHttpRequestBodyToAPeerThatNeverReadsTimesOutByTheDeadline() throws Exception {
        try (var target = HostileTarget.plain("127.0.0.1", (s, t) -> {
            s.setReceiveBufferSize(4096);
            Thread.sleep(Duration.ofSeconds(60)); // never reads; closed by the test
        })) {
            var spec = spec("POST", target.url("/upload"), Map.of(), "x".repeat(16 * 1024 * 1024), "{}");

            long start = System.nanoTime();
            ProbeResult r = CompletableFuture.supplyAsync(() -> {
                        try {
                            return probe(spec, Duration.ofSeconds(1), false);
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                    })
                    .get(15, TimeUnit.SECONDS);

            assertThat(r.errorType()).isEqualTo(ErrorType.TIMEOUT);
            long elapsedMs = (System.nanoTime() - start) / 1_000_000;

            assertThat(r.errorMessage()).startsWith("timed out after 1000 ms ");
            // Preparing a 16 MiB body may take a while before the request starts: the bound is the probe's deadline.
            assertThat(elapsedMs).isLessThan(3000);
        }
    }

    // ---- helpers ------------------------------------------------------------------------------------------------

    private ProbeResult probe(MonitorSpec spec, Duration timeout, boolean includeBody) throws Exception {
        return http.probe(http.configure(spec), new ProbeContext(timeout, includeBody));
    }

    private static Map<String, String> secretHeaders() {
        var headers = new HashMap<String, String>();
        headers.put("Authorization", SECRET_HEADER);
        headers.put("Cookie", "session=hostile-cookie");
        headers.put("X-Api-Key", "hostile-key");
        return headers;
    }

    private static MonitorSpec spec(
            String method, String url, Map<String, String> headers, String body, String settings) throws IOException {
        return new MonitorSpec(
                11,
                "hostile",
                "http",
                method,
                url,
                headers,
                body,
                null,
                JSON.readTree(settings),
                Duration.ofSeconds(30),
                false);
    }

    /** Writes {@code fill} until the probe hangs up. */
    private static void endless(OutputStream out, byte fill) throws IOException {
        byte[] chunk = new byte[64 * 1024];
        Arrays.fill(chunk, fill);
        while (true) {
            out.write(chunk);
        }
    }
}
