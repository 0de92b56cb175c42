package dev.vantage.probe.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vantage.probe.ErrorType;
import dev.vantage.probe.InvalidMonitorException;
import dev.vantage.probe.MonitorSpec;
import dev.vantage.probe.ProbeContext;
import dev.vantage.testing.TestCa;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The {@code tls} type against loopback TLS servers whose certificates a test CA issued with chosen validity. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TlsMonitorIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final TestCa ca = TestCa.create("Vantage Test CA");
    private final TlsMonitor monitor = new TlsMonitor(ca.trustManager());
    private TestCa.Server valid;
    private TestCa.Server expiringSoon;
    private TestCa.Server expired;

    @BeforeAll
    void start() {
        valid = TestCa.https(ca.serverContext("localhost", Duration.ofDays(90)), Map.of());
        expiringSoon =
                TestCa.https(ca.serverContext("localhost", Duration.ofDays(5).plusHours(1)), Map.of());
        Instant now = Instant.now();
        expired = TestCa.https(
                ca.serverContext("localhost", now.minus(Duration.ofDays(30)), now.minus(Duration.ofDays(3))), Map.of());
    }

    @AfterAll
    void stop() {
        valid.close();
        expiringSoon.close();
        expired.close();
    }

    private TlsMonitor.Outcome check(String url, String settings) throws Exception {
        return check(monitor, url, settings);
    }

    private static TlsMonitor.Outcome check(TlsMonitor monitor, String url, String settings) throws Exception {
        var spec = new MonitorSpec(
                1,
                "it",
                "tls",
                null,
                url,
                Map.of(),
                null,
                null,
                JSON.readTree(settings),
                Duration.ofSeconds(30),
                false);
        return monitor.check(monitor.configure(spec), new ProbeContext(Duration.ofSeconds(5), false));
    }

    private static String url(TestCa.Server server) {
        return "tls://127.0.0.1:" + server.port();
    }

    @Test
    void aValidCertificateIsASuccessWithItsFactsAndTheHandshakeTimed() throws Exception {
        var outcome = check(url(valid), "{}");

        assertThat(outcome.result().success()).as("%s", outcome.result()).isTrue();
        assertThat(outcome.result().timings().tls()).isPositive();
        assertThat(outcome.result().timings().serverProcessing()).isNull();
        assertThat(outcome.result().timings().timeToFirstByte()).isNull();
        assertThat(outcome.result().statusCode()).isNull();
        assertThat(outcome.certificate().daysLeft()).isEqualTo(89);
        assertThat(outcome.certificate().chainValid()).isTrue();
        assertThat(outcome.certificate().issuer()).isEqualTo("CN=Vantage Test CA");
    }

    @Test
    void aCertificateExpiringInFiveDaysSucceedsWithAWarningThatSaysWhen() throws Exception {
        var outcome = check(url(expiringSoon), "{}");

        assertThat(outcome.result().success()).isTrue();
        assertThat(outcome.certificate().expiryWarning(14))
                .isEqualTo("certificate of CN=localhost expires in 5 days ("
                        + outcome.certificate().notAfter() + ")");
        assertThat(outcome.certificate().expiryWarning(5)).isNull();
        assertThat(outcome.result().details())
                .containsEntry("cert_expiry_warning", outcome.certificate().expiryWarning(14))
                .containsEntry("cert_days_left", 5L);
    }

    @Test
    void anExpiredCertificateFailsAsTlsSayingSo() throws Exception {
        var outcome = check(url(expired), "{}");

        assertThat(outcome.result().errorType()).isEqualTo(ErrorType.TLS);
        assertThat(outcome.result().errorMessage()).startsWith("TLS handshake failed: certificate expired (");
        assertThat(outcome.certificate().daysLeft()).isEqualTo(-3);
        assertThat(outcome.result().details()).containsEntry("cert_chain_valid", false);
    }

    @Test
    void aChainFromAnUntrustedIssuerFailsUnlessVerificationIsOff() throws Exception {
        var stranger = new TlsMonitor(TestCa.create("Someone Else").trustManager());

        var verified = check(stranger, url(valid), "{}");
        var unverified = check(stranger, url(valid), "{\"verify_tls\": false}");

        assertThat(verified.result().errorType()).isEqualTo(ErrorType.TLS);
        assertThat(verified.result().errorMessage()).startsWith("TLS handshake failed: certificate not trusted (");
        assertThat(unverified.result().success()).isTrue();
        assertThat(unverified.certificate().chainValid()).isFalse();
        assertThat(unverified.certificate().chainError()).startsWith("certificate not trusted (");
    }

    @Test
    void theSniNameIsTheNameTheCertificateMustCarry() throws Exception {
        assertThat(check(url(valid), "{\"sni\": \"localhost\"}").result().success())
                .isTrue();

        var other = check(url(valid), "{\"sni\": \"shop.example\"}");
        assertThat(other.result().errorType()).isEqualTo(ErrorType.TLS);
        assertThat(other.result().errorMessage())
                .isEqualTo("TLS handshake failed: certificate is not valid for host name shop.example");
    }

    @Test
    void ipv6LoopbackIsCheckedAgainstItsIpSan() throws Exception {
        var v6 = TestCa.https(
                ca.serverContext("localhost", Duration.ofDays(90)), Map.of(), java.net.InetAddress.getByName("::1"));
        try {
            var outcome = check("tls://[::1]:" + v6.port(), "{}");

            assertThat(outcome.result().success()).as("%s", outcome.result()).isTrue();
            assertThat(outcome.result().remoteAddress())
                    .endsWith(":" + v6.port())
                    .contains("0:0:0:0:0:0:0:1");
        } finally {
            v6.close();
        }
    }

    static Stream<Arguments> invalid() {
        return Stream.of(
                Arguments.of("https://h:443", "{}", "url", "scheme must be tls, was 'https'"),
                Arguments.of(
                        "tls://h:443/path",
                        "{}",
                        "url",
                        "has a path or query, which a TLS check does not use: 'tls://h:443/path'"),
                Arguments.of("tls://h:0", "{}", "url", "needs a port between 1 and 65535: 'tls://h:0'"),
                Arguments.of(
                        "tls://h",
                        "{\"sni\": \"10.0.0.1\"}",
                        "settings.sni",
                        "must be a host name (letters, digits, '.', '-'), was '10.0.0.1'"),
                Arguments.of(
                        "tls://h",
                        "{\"cert_expiry_warning_days\": -1}",
                        "settings.cert_expiry_warning_days",
                        "must be between 0 and 3650, was -1"),
                Arguments.of(
                        "tls://h",
                        "{\"expect\": \"x\"}",
                        "settings.expect",
                        "unknown setting (known: cert_expiry_warning_days, sni, verify_tls)"));
    }

    @ParameterizedTest
    @MethodSource("invalid")
    void anInvalidRowNamesTheFieldAndTheReason(String url, String settings, String field, String reason) {
        assertThatThrownBy(() -> monitor.configure(new MonitorSpec(
                        1,
                        "it",
                        "tls",
                        null,
                        url,
                        Map.of(),
                        null,
                        null,
                        JSON.readTree(settings),
                        Duration.ofSeconds(30),
                        false)))
                .isInstanceOfSatisfying(InvalidMonitorException.class, e -> {
                    assertThat(e.field()).isEqualTo(field);
                    assertThat(e.reason()).isEqualTo(reason);
                });
    }

    @Test
    void thePortDefaultsTo443AndTheSniToTheHostName() throws Exception {
        var spec = new MonitorSpec(
                1, "it", "tls", null, "tls://shop.example", Map.of(), null, null, null, Duration.ofSeconds(30), false);
        TlsSettings s = monitor.configure(spec);

        assertThat(s.port()).isEqualTo(443);
        assertThat(s.sni()).isEqualTo("shop.example");
        assertThat(s.verifyTls()).isTrue();
        assertThat(s.certExpiryWarningDays()).isEqualTo(14);
    }
}
