package dev.vantage.probe.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vantage.probe.MonitorSpec;
import dev.vantage.probe.ProbeContext;
import dev.vantage.probe.tls.CountingTlsServer;
import dev.vantage.probe.tls.ProbeTls;
import dev.vantage.probe.tls.TlsProvider;
import dev.vantage.testing.TestCa;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * https monitors through the shared TLS context, under both providers: every probe a full handshake on a server that
 * would resume, with its own certificate facts and a timed TLS phase.
 */
class HttpsFullHandshakeIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final TestCa ca = TestCa.create("Vantage Https CA");

    @ParameterizedTest
    @EnumSource(names = {"JSSE", "NATIVE"})
    void everyHttpsProbeIsAFullHandshakeWithItsOwnCertificateAndTimedPhases(TlsProvider provider) throws Exception {
        var monitor = new HttpMonitor(new TlsContexts(ca.trustManager(), ProbeTls.create(provider)));
        try (var server = new CountingTlsServer(ca, "TLSv1.3", null)) {
            for (int i = 0; i < 3; i++) {
                var outcome = probe(monitor, "https://localhost:" + server.port() + "/", i == 1 ? "false" : "true");

                assertThat(outcome.result().success())
                        .as("%s", outcome.result())
                        .isTrue();
                assertThat(outcome.certificate()).isNotNull();
                assertThat(outcome.certificate().subject()).contains("localhost");
                var timings = outcome.result().timings();
                assertThat(timings.tls()).isPositive();
                assertThat(timings.timeToFirstByte()).isGreaterThan(timings.tls());
            }

            assertThat(server.handshakes()).isEqualTo(3);
            assertThat(server.resumed()).isZero();
            assertThat(server.offeredKeys()).isZero();
        }
    }

    private static HttpMonitor.Outcome probe(HttpMonitor monitor, String url, String verify) throws Exception {
        var spec = new MonitorSpec(
                1,
                "it",
                "http",
                "GET",
                url,
                Map.of(),
                null,
                null,
                JSON.readTree("{\"verify_tls\": " + verify + "}"),
                Duration.ofSeconds(30),
                false);
        return monitor.probeWithCertificate(monitor.configure(spec), new ProbeContext(Duration.ofSeconds(5), false));
    }
}
