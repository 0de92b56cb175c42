package dev.vantage.probe;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PhaseReportTest {
    private static final Instant AT = Instant.parse("2025-01-01T00:00:00Z");

    @Test
    void aSuccessfulHttpsProbeShowsEveryPhaseAndCurlsCumulativeTimes() {
        var timings = new PhaseTimings(1.5, 0.25, 10.125, 200.5, 3.0, 212.5, 215.5, null);
        var result = ProbeResult.at(AT)
                .timings(timings)
                .statusCode(200)
                .responseSizeBytes(1048576L)
                .remoteAddress("127.0.0.1:8443")
                .success();

        assertThat(PhaseReport.render("https://localhost:8443/big", result))
                .isEqualTo(
                        """
                Probe of https://localhost:8443/big

                  DNS lookup               1.500 ms
                  TCP connection           0.250 ms
                  TLS handshake           10.125 ms
                  Server processing      200.500 ms
                  Content transfer         3.000 ms

                  namelookup               1.500 ms
                  connect                  1.750 ms
                  pretransfer             11.875 ms
                  starttransfer          212.500 ms
                  total                  215.500 ms

                  status             200
                  remote address     127.0.0.1:8443
                  size               1048576 bytes
                  redirects          0
                  result             OK
                """);
    }

    @Test
    void aRefusedProbeShowsDashesForWhatNeverHappenedAndTheError() {
        var timings = new PhaseTimings(null, null, null, null, null, null, 0.42, null);
        var result =
                ProbeResult.at(AT).timings(timings).outcome(ErrorType.CONNECT, "connection refused by 127.0.0.1:9");

        assertThat(PhaseReport.render("http://127.0.0.1:9/", result))
                .isEqualTo(
                        """
                Probe of http://127.0.0.1:9/

                  DNS lookup                      -
                  TCP connection                  -
                  TLS handshake                   -
                  Server processing               -
                  Content transfer                -

                  namelookup                      -
                  connect                         -
                  pretransfer                     -
                  starttransfer                   -
                  total                    0.420 ms

                  status             -
                  remote address     -
                  size               -
                  redirects          0
                  result             CONNECT: connection refused by 127.0.0.1:9
                """);
    }

    @Test
    void redirectTimeIsAddedToTheCumulativeTimesAndShown() {
        var timings = new PhaseTimings(null, 0.5, null, 1.0, 0.5, 12.0, 12.5, 10.0);
        var result = ProbeResult.at(AT)
                .timings(timings)
                .statusCode(200)
                .responseSizeBytes(5L)
                .remoteAddress("127.0.0.1:80")
                .redirects(2)
                .success();

        assertThat(PhaseReport.render("http://127.0.0.1/redirect/2", result))
                .contains("  connect                 10.500 ms\n")
                .contains("  redirect                10.000 ms\n")
                .contains("  redirects          2\n");
    }

    @Test
    void whatOnlyTheTypeKnowsFollowsOneKeyALine() {
        var details = new java.util.LinkedHashMap<String, Object>();
        details.put("rcode", "NOERROR");
        details.put("answers", List.of("192.0.2.1", "192.0.2.2"));
        details.put("query_ms", 0.25);
        details.put("soa", Map.of("serial", 7));
        var result = ProbeResult.at(AT)
                .timings(new PhaseTimings(null, null, null, null, null, null, 0.25, null))
                .details(details)
                .success();

        assertThat(PhaseReport.render("dns://127.0.0.1/example.org", result))
                .endsWith(
                        """
                  result             OK

                  rcode              NOERROR
                  answers            192.0.2.1, 192.0.2.2
                  query_ms           0.25
                  soa                {"serial":7}
                """);
    }

    @Test
    void withoutDetailsTheReportEndsWithTheResult() {
        var result = ProbeResult.success(AT, PhaseTimings.NONE);

        assertThat(PhaseReport.render("tcp://127.0.0.1:1", result)).endsWith("  result             OK\n");
    }
}
