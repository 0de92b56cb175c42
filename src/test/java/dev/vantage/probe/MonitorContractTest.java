package dev.vantage.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * What every {@link Monitor} promises, run against real loopback targets. A new type extends this as {@code
 * <Type>MonitorContractIT} with its URLs; it starts its own protocol server on {@link LoopbackTargets} (closed with
 * them), and takes the blackhole and the refused port from there.
 *
 * @param <S> the type's settings
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class MonitorContractTest<S> {
    protected static final ObjectMapper JSON = new ObjectMapper();
    protected LoopbackTargets targets;
    private String working;

    protected abstract Monitor<S> monitor();

    /** A URL of this type that succeeds; its server runs on {@code targets}. Called once per class. */
    protected abstract String workingUrl(LoopbackTargets targets);

    /**
     * A URL of this type whose target never answers, e.g. on {@link LoopbackTargets#blackholePort()}; null when the
     * type has no such target (the test is then skipped, saying so).
     */
    protected abstract String blackholeUrl(LoopbackTargets targets);

    /** Settings that make the blackhole wait for an answer (e.g. tcp needs an expectation). */
    protected JsonNode blackholeSettings() {
        return JSON.createObjectNode();
    }

    /** The same kind of URL, to {@link LoopbackTargets#refusedPort()}; null when the type has no ports. */
    protected abstract String refusedUrl(LoopbackTargets targets);

    /** The same kind of URL, to a name that cannot resolve. */
    protected abstract String unresolvableUrl();

    @BeforeAll
    void startTargets() {
        targets = new LoopbackTargets();
        working = workingUrl(targets);
    }

    @AfterAll
    void stopTargets() {
        targets.close();
    }

    protected MonitorSpec spec(String url, JsonNode settings) {
        return new MonitorSpec(
                7,
                "contract",
                monitor().type(),
                null,
                url,
                Map.of(),
                null,
                null,
                settings,
                Duration.ofSeconds(5),
                false);
    }

    protected ProbeResult probe(String url, JsonNode settings, Duration timeout) throws InvalidMonitorException {
        S s = monitor().configure(spec(url, settings));
        return monitor().probe(s, new ProbeContext(timeout, false));
    }

    @Test
    void theRegistryFindsTheTypeByItsNameInAnyCase() {
        assertThat(MonitorRegistry.load().find(monitor().type().toUpperCase()))
                .get()
                .isInstanceOf(monitor().getClass());
    }

    @Test
    void configureRejectsGarbageOnlyWithInvalidMonitorExceptionNamingAField() throws Exception {
        List<MonitorSpec> garbage = new ArrayList<>();
        for (String url : new String[] {null, "", "   ", "::::", "http://", "tcp://", "tcp://:80", "\u0000\n", "x"}) {
            garbage.add(spec(url, JSON.createObjectNode()));
        }
        for (String settings : new String[] {
            "[]",
            "7",
            "\"x\"",
            "{\"no_such_key\":1}",
            "{\"expect\":5}",
            "{\"expected_status\":\"x\"}",
            "{\"max_redirects\":-1}",
            "{\"send\":[]}"
        }) {
            garbage.add(spec(working, JSON.readTree(settings)));
        }
        for (MonitorSpec spec : garbage) {
            Throwable thrown = catchThrowable(() -> monitor().configure(spec));
            assertThat(thrown).as("%s", spec).isInstanceOf(InvalidMonitorException.class);
            assertThat(((InvalidMonitorException) thrown).field()).isNotBlank();
        }
    }

    @Test
    void probeReturnsByTheDeadlineAgainstAPeerThatNeverAnswers() throws Exception {
        String url = blackholeUrl(targets);
        Assumptions.assumeTrue(url != null, monitor().type() + " has no target that never answers");
        long start = System.nanoTime();
        ProbeResult r = probe(url, blackholeSettings(), Duration.ofMillis(300));
        long elapsedMs = (System.nanoTime() - start) / 1_000_000;

        assertThat(elapsedMs)
                .as("gives up at the deadline, not before nor long after")
                .isBetween(290L, 300L + 200L);
        assertThat(r.errorType()).isEqualTo(ErrorType.TIMEOUT);
        assertThat(r.errorMessage()).startsWith("timed out after 300 ms ");
        assertThat(r.timings().total()).isBetween(290.0, 500.0);
    }

    @Test
    void aSuccessfulResultKeepsTheInvariants() throws Exception {
        ProbeResult r = probe(working, JSON.createObjectNode(), Duration.ofSeconds(5));

        assertThat(r.success()).as("%s", r).isTrue();
        assertThat(r.errorType()).isNull();
        assertThat(r.errorMessage()).isNull();
        assertThat(r.remoteAddress())
                .as("ip:port, or the ip alone for a type without ports (icmp)")
                .matches("127\\.0\\.0\\.1(:\\d+)?");
        PhaseTimings t = r.timings();
        assertThat(t.dns()).as("an IP literal has no DNS phase").isNull();
        assertThat(t.total()).isPositive();
        for (Double phase :
                new Double[] {t.connect(), t.tls(), t.serverProcessing(), t.transfer(), t.timeToFirstByte()}) {
            if (phase != null) {
                assertThat(phase).isNotNegative().isLessThanOrEqualTo(t.total());
            }
        }
    }

    @Test
    void aRefusedPortIsAConnectFailureWithoutARemoteAddress() throws Exception {
        String url = refusedUrl(targets);
        Assumptions.assumeTrue(url != null, monitor().type() + " has no ports to refuse");
        ProbeResult r = probe(url, JSON.createObjectNode(), Duration.ofSeconds(5));

        assertThat(r.errorType()).isEqualTo(ErrorType.CONNECT);
        assertThat(r.errorMessage()).matches("connection refused by 127\\.0\\.0\\.1:\\d+");
        assertThat(r.remoteAddress()).isNull();
        assertThat(r.timings().timeToFirstByte()).isNull();
    }

    @Test
    void anInvalidNameFailsAtOnceAsDnsWithoutAQuery() throws Exception {
        ProbeResult r = probe(unresolvableUrl(), JSON.createObjectNode(), Duration.ofSeconds(5));

        assertThat(r.errorType()).isEqualTo(ErrorType.DNS);
        assertThat(r.errorMessage())
                .isEqualTo("could not resolve vantage-demo.invalid: names under .invalid never resolve (RFC 6761)");
        assertThat(r.timings().total()).isLessThan(1000.0);
    }
}
