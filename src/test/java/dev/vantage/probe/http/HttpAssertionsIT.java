package dev.vantage.probe.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.vantage.probe.ErrorType;
import dev.vantage.probe.MonitorSpec;
import dev.vantage.probe.ProbeContext;
import dev.vantage.testing.TestCa;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Assertions and certificate facts against a real loopback HTTPS server whose certificate a test CA issued: JSON
 * answers, headers, and certificates that expire in 30 days, in 5 days, and expired yesterday.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HttpAssertionsIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String HEALTH =
            "{\"status\":\"ok\",\"version\":\"1.4.2\",\"checks\":{\"db\":{\"latency_ms\":3}},"
                    + "\"items\":[{\"id\":1},{\"id\":2}]}";

    private final TestCa ca = TestCa.create("Vantage Test CA");
    private final HttpMonitor monitor = new HttpMonitor(new TlsContexts(ca.trustManager()));
    private TestCa.Server server;
    private TestCa.Server expiringSoon;
    private TestCa.Server expired;

    @BeforeAll
    void start() {
        Map<String, HttpHandler> handlers = Map.of(
                "/health", answer(200, "application/json", HEALTH),
                "/down", answer(200, "application/json", "{\"status\":\"down\"}"),
                "/html", answer(200, "text/html", "<html>error</html>"));
        server = TestCa.https(ca.serverContext("localhost", Duration.ofDays(30)), handlers);
        expiringSoon =
                TestCa.https(ca.serverContext("localhost", Duration.ofDays(5).plusHours(1)), handlers);
        Instant now = Instant.now();
        expired = TestCa.https(
                ca.serverContext("localhost", now.minus(Duration.ofDays(30)), now.minus(Duration.ofDays(1))), handlers);
    }

    @AfterAll
    void stop() {
        server.close();
        expiringSoon.close();
        expired.close();
    }

    private static HttpHandler answer(int status, String contentType, String body) {
        return (HttpExchange exchange) -> {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", contentType);
            exchange.getResponseHeaders().add("X-Served-By", "loopback-1");
            exchange.sendResponseHeaders(status, bytes.length);
            try (var out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        };
    }

    private HttpMonitor.Outcome probe(String url, String settings) throws Exception {
        var spec = new MonitorSpec(
                1,
                "it",
                "http",
                "GET",
                url,
                Map.of(),
                null,
                null,
                JSON.readTree(settings),
                Duration.ofSeconds(30),
                false);
        return monitor.probeWithCertificate(monitor.configure(spec), new ProbeContext(Duration.ofSeconds(5), false));
    }

    private static final String FIVE =
            """
            {"assertions": [
              {"subject": "status", "op": "==", "value": 200},
              {"subject": "response_time_ms", "op": "<", "value": 5000},
              {"subject": "header", "name": "content-type", "op": "contains", "value": "json"},
              {"subject": "json", "path": "$.status", "op": "==", "value": "ok"},
              {"subject": "json", "path": "$.checks.db.latency_ms", "op": "<", "value": 50},
              {"subject": "json", "path": "$.items[?(@.id == 2)]", "op": "exists"},
              {"subject": "header", "name": "X-Debug", "op": "absent"},
              {"subject": "body", "op": "not_contains", "value": "error"},
              {"subject": "body", "op": "matches", "value": "\\"version\\":\\"1\\\\.\\\\d+"},
              {"subject": "cert_days_left", "op": ">=", "value": 14}
            ]}""";

    @Test
    void aHealthyJsonEndpointPassesEveryKindOfAssertion() throws Exception {
        var outcome = probe(server.url("/health"), FIVE);

        assertThat(outcome.result().success()).as("%s", outcome.result()).isTrue();
        assertThat(outcome.result().errorType()).isNull();
    }

    @Test
    void aFailedJsonAssertionFailsAsAssertionNamingItAndTheValueSeen() throws Exception {
        var outcome = probe(
                server.url("/down"),
                """
                {"assertions": [{"subject": "status", "op": "==", "value": 200},
                                {"subject": "json", "path": "$.status", "op": "==", "value": "ok"}]}""");

        assertThat(outcome.result().errorType()).isEqualTo(ErrorType.ASSERTION);
        assertThat(outcome.result().errorMessage())
                .isEqualTo("assertions[1] [JSON $.status] == \"ok\" failed: saw \"down\"");
        assertThat(outcome.result().details())
                .containsEntry(
                        "assertions_failed",
                        java.util.List.of(
                                Map.of("index", 1, "assertion", "[JSON $.status] == \"ok\"", "seen", "\"down\"")));
    }

    @Test
    void everyFailedAssertionIsListedNotOnlyTheFirst() throws Exception {
        var outcome = probe(
                server.url("/html"),
                """
                {"assertions": [{"subject": "header", "name": "X-Served-By", "op": "absent"},
                                {"subject": "body", "op": "not_contains", "value": "error"},
                                {"subject": "json", "path": "$.status", "op": "exists"},
                                {"subject": "cert_days_left", "op": ">", "value": 60}]}""");

        assertThat(outcome.result().errorType()).isEqualTo(ErrorType.ASSERTION);
        assertThat(outcome.result().errorMessage())
                .startsWith("assertions[0] [HEADER X-Served-By] absent failed: saw it present; "
                        + "assertions[1] [BODY] not_contains \"error\" failed: saw it in the body; "
                        + "assertions[2] [JSON $.status] exists failed: saw a body that is not JSON (")
                .endsWith("; assertions[3] [CERT_DAYS_LEFT] > 60 failed: saw 29");
    }

    @Test
    void aStatusCheckFailureComesBeforeTheAssertions() throws Exception {
        var outcome = probe(
                server.url("/nowhere"),
                """
                {"assertions": [{"subject": "json", "path": "$.status", "op": "==", "value": "ok"}]}""");

        assertThat(outcome.result().errorType()).isEqualTo(ErrorType.HTTP_STATUS);
    }

    @Test
    void everyHttpsProbeRecordsTheServerCertificate() throws Exception {
        var outcome = probe(server.url("/health"), "{}");

        var cert = outcome.certificate();
        assertThat(cert).isNotNull();
        assertThat(cert.daysLeft()).isEqualTo(29);
        assertThat(cert.subject()).isEqualTo("CN=localhost");
        assertThat(cert.issuer()).isEqualTo("CN=Vantage Test CA");
        assertThat(cert.sans()).containsExactly("localhost", "127.0.0.1", "0:0:0:0:0:0:0:1");
        assertThat(cert.chainValid()).isTrue();
        assertThat(cert.details(14)).doesNotContainKey("cert_expiry_warning");
        assertThat(outcome.result().details())
                .containsEntry("cert_days_left", 29L)
                .containsEntry("cert_issuer", "CN=Vantage Test CA")
                .containsEntry("cert_chain_valid", true)
                .doesNotContainKey("assertions_failed");
    }

    @Test
    void aCertificateExpiringWithinTheWarningDaysIsASuccessWithAWarning() throws Exception {
        var outcome = probe(expiringSoon.url("/health"), "{}");

        assertThat(outcome.result().success()).isTrue();
        assertThat(outcome.certificate().daysLeft()).isEqualTo(5);
        assertThat(outcome.certificate().details(14))
                .containsEntry(
                        "cert_expiry_warning",
                        "certificate of CN=localhost expires in 5 days ("
                                + outcome.certificate().notAfter() + ")");
        assertThat(outcome.certificate().details(5)).doesNotContainKey("cert_expiry_warning");
        assertThat(outcome.result().details()).containsKey("cert_expiry_warning");
    }

    @Test
    void anExpiredCertificateFailsAsTlsAndIsStillRecorded() throws Exception {
        var outcome = probe(expired.url("/health"), "{}");

        assertThat(outcome.result().errorType()).isEqualTo(ErrorType.TLS);
        assertThat(outcome.result().errorMessage()).startsWith("TLS handshake failed: certificate expired");
        assertThat(outcome.certificate().daysLeft()).isEqualTo(-1);
        assertThat(outcome.certificate().chainValid()).isFalse();
        assertThat(outcome.certificate().chainError()).startsWith("certificate expired");
        assertThat(outcome.result().details()).containsEntry("cert_chain_valid", false);
    }

    @Test
    void withoutVerificationTheChainIsStillJudgedAndReportedNotEnforced() throws Exception {
        var outcome = probe(expired.url("/health"), "{\"verify_tls\": false}");

        assertThat(outcome.result().success()).isTrue();
        assertThat(outcome.certificate().chainValid()).isFalse();
        assertThat(outcome.certificate().details(14)).containsEntry("cert_chain_valid", false);
    }

    @Test
    void plainHttpHasNoCertificate() throws Exception {
        try (var receiver = dev.vantage.testing.HttpReceiver.start()) {
            var outcome = probe(receiver.uri("/x").toString(), "{}");
            assertThat(outcome.certificate()).isNull();
            assertThat(outcome.result().details()).isEmpty();
        }
    }
}
