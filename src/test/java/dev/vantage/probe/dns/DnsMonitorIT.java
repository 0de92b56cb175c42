package dev.vantage.probe.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vantage.probe.ErrorType;
import dev.vantage.probe.InvalidMonitorException;
import dev.vantage.probe.MonitorRegistry;
import dev.vantage.probe.MonitorSpec;
import dev.vantage.probe.ProbeContext;
import dev.vantage.probe.ProbeResult;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DnsMonitorIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final DnsMonitor monitor = new DnsMonitor();
    private DnsTestServer server;

    @BeforeAll
    void start() {
        server = new DnsTestServer(
                "example.org. A 192.0.2.1",
                "example.org. A 192.0.2.2",
                "example.org. AAAA 2001:db8::1",
                "example.org. MX 10 mail.example.org.",
                "example.org. TXT \"v=spf1 -all\"",
                "example.org. CAA 0 issue \"letsencrypt.org\"",
                "www.example.org. CNAME example.org.",
                "truncated.example.org. A 192.0.2.7");
    }

    @AfterAll
    void stop() {
        server.close();
    }

    private String url(String name) {
        return "dns://127.0.0.1:" + server.port() + "/" + name;
    }

    private ProbeResult probe(String url, String settings) throws Exception {
        var spec = new MonitorSpec(
                5,
                "dns",
                "dns",
                null,
                url,
                Map.of(),
                null,
                null,
                JSON.readTree(settings),
                Duration.ofSeconds(30),
                false);
        return monitor.probe(monitor.configure(spec), new ProbeContext(Duration.ofSeconds(2), false));
    }

    @Test
    void anARecordThatMatchesPassesWithItsAnswersInDetails() throws Exception {
        ProbeResult r = probe(url("example.org"), "{\"expect_any\": [\"192.0.2.2\"]}");

        assertThat(r.success()).as("%s", r).isTrue();
        assertThat(r.details())
                .containsEntry("server", "127.0.0.1:" + server.port())
                .containsEntry("transport", "udp")
                .containsEntry("record", "A")
                .containsEntry("rcode", "NOERROR")
                .containsEntry("answers", List.of("192.0.2.1", "192.0.2.2"))
                .containsEntry("authoritative", true);
        assertThat(r.timings().total())
                .as("the query time")
                .isPositive()
                .isEqualTo(r.details().get("query_ms"));
        assertThat(r.timings().dns()).as("the server is an IP literal").isNull();
        assertThat(r.timings().connect()).isNull();
        assertThat(r.remoteAddress()).isEqualTo("127.0.0.1:" + server.port());
    }

    @Test
    void anAnswerThatDoesNotMatchFailsNamingWhatWasExpectedAndSeen() throws Exception {
        ProbeResult r = probe(url("example.org"), "{\"expect_any\": [\"192.0.2.9\"]}");

        assertThat(r.errorType()).isEqualTo(ErrorType.DNS);
        assertThat(r.errorMessage()).isEqualTo("no answer is one of [192.0.2.9]; answers [192.0.2.1, 192.0.2.2]");
        assertThat(r.details()).containsEntry("answers", List.of("192.0.2.1", "192.0.2.2"));
    }

    @Test
    void expectAllNeedsEveryAnswer() throws Exception {
        assertThat(probe(url("example.org"), "{\"expect_all\": [\"192.0.2.1\", \"192.0.2.2\"]}")
                        .success())
                .isTrue();
        assertThat(probe(url("example.org"), "{\"expect_all\": [\"192.0.2.1\", \"192.0.2.3\"]}")
                        .errorMessage())
                .isEqualTo(
                        "no answer is 192.0.2.3 (expect_all [192.0.2.1, 192.0.2.3]); answers [192.0.2.1, 192.0.2.2]");
    }

    @ParameterizedTest(name = "{0} over {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "AAAA  | udp | 2001:db8:0:0:0:0:0:1",
                "MX    | tcp | 10 mail.example.org",
                "TXT   | udp | v=spf1 -all",
                "CAA   | tcp | 0 issue \"letsencrypt.org\"",
            })
    void everyRecordTypeOverBothTransports(String record, String transport, String answer) throws Exception {
        ProbeResult r = probe(
                url("example.org"),
                JSON.createObjectNode()
                        .put("record", record)
                        .put("transport", transport)
                        .set("expect_any", JSON.createArrayNode().add(answer))
                        .toString());

        assertThat(r.success()).as("%s", r).isTrue();
        assertThat(r.details()).containsEntry("transport", transport).containsEntry("answers", List.of(answer));
    }

    @Test
    void aRegexMatchesAnyAnswer() throws Exception {
        assertThat(probe(url("www.example.org"), "{\"record\": \"CNAME\", \"expect_regex\": \"^example\\\\.org$\"}")
                        .success())
                .isTrue();
        assertThat(probe(url("example.org"), "{\"record\": \"TXT\", \"expect_regex\": \"^v=DMARC1\"}")
                        .errorMessage())
                .isEqualTo("no answer matches /^v=DMARC1/; answers [v=spf1 -all]");
    }

    @Test
    void anUnknownNameIsNxdomainUnlessThatIsExpected() throws Exception {
        ProbeResult r = probe(url("nope.example.org"), "{}");
        assertThat(r.errorType()).isEqualTo(ErrorType.DNS);
        assertThat(r.errorMessage()).isEqualTo("rcode NXDOMAIN, expected NOERROR");
        assertThat(r.details()).containsEntry("rcode", "NXDOMAIN").containsEntry("answers", List.of());

        assertThat(probe(url("nope.example.org"), "{\"expected_rcode\": \"nxdomain\"}")
                        .success())
                .isTrue();
    }

    @Test
    void aTruncatedUdpAnswerIsAskedAgainOverTcp() throws Exception {
        ProbeResult r = probe(url("truncated.example.org"), "{}");

        assertThat(r.success()).as("%s", r).isTrue();
        assertThat(r.details())
                .containsEntry("transport", "udp, truncated, then tcp")
                .containsEntry("answers", List.of("192.0.2.7"));
        assertThat(r.timings().connect()).as("the TCP connect").isNotNull();
    }

    @Test
    void aTcpQueryHasAConnectPhase() throws Exception {
        ProbeResult r = probe(url("example.org"), "{\"transport\": \"tcp\"}");

        assertThat(r.success()).as("%s", r).isTrue();
        assertThat(r.timings().connect()).isPositive();
        assertThat(r.timings().total()).isEqualTo(r.details().get("query_ms"));
    }

    @Test
    void aUrlWithoutAServerAsksTheSystemsResolverAndAServerNameGetsPort53() throws Exception {
        DnsSettings system = monitor.configure(new MonitorSpec(
                5,
                "dns",
                "dns",
                null,
                "dns:///Example.org.",
                Map.of(),
                null,
                null,
                null,
                Duration.ofSeconds(30),
                false));
        DnsSettings named = monitor.configure(new MonitorSpec(
                5,
                "dns",
                "dns",
                null,
                "dns://ns1.example.net/example.org",
                Map.of(),
                null,
                null,
                null,
                Duration.ofSeconds(30),
                false));

        assertThat(system.server()).isNull();
        assertThat(system.name().toString()).isEqualTo("Example.org.");
        assertThat(system.record()).isEqualTo("A");
        assertThat(named.server()).isEqualTo("ns1.example.net");
        assertThat(named.port()).isEqualTo(53);
        assertThat(named.tcp()).isFalse();
    }

    @Test
    void theRegistryFindsTheTypeByItsUrlScheme() {
        assertThat(MonitorRegistry.load().find("dns")).get().isInstanceOf(DnsMonitor.class);
    }

    @ParameterizedTest(name = "{2}: {3}")
    @CsvSource(
            delimiter = '|',
            value = {
                "''                      | {}                          | url                     | is empty",
                "dns://127.0.0.1         | {}                          | url                     | names no record to ask for, like dns://192.0.2.1/example.org: 'dns://127.0.0.1'",
                "tcp://127.0.0.1/x.org   | {}                          | url                     | scheme must be dns, was 'tcp'",
                "dns://h/x.org           | {\"record\":\"PTR\"}        | settings.record         | must be one of A, AAAA, CNAME, MX, TXT, NS, SOA, CAA, was 'PTR'",
                "dns://h/x.org           | {\"transport\":\"doh\"}     | settings.transport      | must be udp or tcp, was 'doh'",
                "dns://h/x.org           | {\"expected_rcode\":\"OK\"} | settings.expected_rcode | is not a DNS response code (NOERROR, NXDOMAIN, SERVFAIL, REFUSED, …): 'OK'",
                "dns://h/x.org           | {\"expect_any\":\"a\"}      | settings.expect_any     | must be a non-empty list of answers as text",
                "dns://h/x.org           | {\"expect_regex\":\"(\"}    | settings.expect_regex   | is not a regular expression: Unclosed group",
                "dns://h/x.org           | {\"expect\":\"a\"}          | settings.expect         | unknown setting (known: expect_all, expect_any, expect_regex, expected_rcode, record, transport)",
            })
    void configureNamesTheFieldAndReason(String url, String settings, String field, String reason) {
        var spec = new MonitorSpec(
                5,
                "dns",
                "dns",
                null,
                url,
                Map.of(),
                null,
                null,
                JSON.valueToTree(readTree(settings)),
                Duration.ofSeconds(30),
                false);

        assertThatThrownBy(() -> monitor.configure(spec)).isInstanceOfSatisfying(InvalidMonitorException.class, e -> {
            assertThat(e.field()).isEqualTo(field);
            assertThat(e.getMessage()).isEqualTo(field + ": " + reason);
        });
    }

    private static Object readTree(String json) {
        try {
            return JSON.readTree(json);
        } catch (Exception e) {
            throw new IllegalArgumentException(json, e);
        }
    }
}
