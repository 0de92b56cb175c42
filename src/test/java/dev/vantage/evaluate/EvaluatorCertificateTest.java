package dev.vantage.evaluate;

import static dev.vantage.evaluate.Scenario.CHANNELS;
import static dev.vantage.evaluate.Scenario.CODES;
import static dev.vantage.evaluate.Scenario.DEFAULT_CHANNELS;
import static dev.vantage.evaluate.Scenario.T0;
import static dev.vantage.evaluate.Scenario.at;
import static dev.vantage.evaluate.Scenario.evaluator;
import static dev.vantage.evaluate.Scenario.expiring;
import static dev.vantage.evaluate.Scenario.fail;
import static dev.vantage.evaluate.Scenario.monitor;
import static dev.vantage.evaluate.Scenario.ok;
import static dev.vantage.evaluate.Scenario.policy;
import static org.assertj.core.api.Assertions.assertThat;

import dev.vantage.notify.Event;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** A certificate about to expire is notified once per certificate, and closed when no datacenter warns of it. */
class EvaluatorCertificateTest {
    /** The certificate served first: 5 days left. */
    private static final Instant A = T0.plus(Duration.ofDays(5));
    /** Its successor, itself within the window: 12 days left. */
    private static final Instant B = T0.plus(Duration.ofDays(12));

    /**
     * One step per 10 s slot, {@code <datacenter>:<what>}: {@code A} or {@code B} a success warning of that
     * certificate, {@code ok} a success without a warning, {@code fail} a failure, {@code W} a success warning without
     * a readable notAfter.
     */
    private static List<Event> run(String script) {
        var evaluator = evaluator(monitor(1, policy(2), 1, 2));
        List<Event> events = new ArrayList<>();
        int second = 0;
        for (String step : script.trim().split("\\s+")) {
            int dc = Integer.parseInt(step.substring(0, 1));
            String what = step.substring(2);
            evaluator.apply(
                    switch (what) {
                        case "A" -> expiring(1, dc, second, A);
                        case "B" -> expiring(1, dc, second, B);
                        case "ok" -> ok(1, dc, second);
                        case "fail" -> fail(1, dc, second);
                        case "W" -> expiring(1, dc, second, null);
                        default -> throw new IllegalArgumentException(step);
                    });
            evaluator.drain().notices().forEach(n -> events.add(n.event()));
            second += 10;
        }
        return events;
    }

    static Stream<Arguments> scripts() {
        return Stream.of(
                Arguments.of("1:A 1:A 1:A 1:A 1:A 1:A", List.of(Event.CERTIFICATE)),
                Arguments.of("1:A 1:ok", List.of(Event.CERTIFICATE, Event.RENEWED)),
                Arguments.of("1:A 1:ok 1:ok 1:A", List.of(Event.CERTIFICATE, Event.RENEWED, Event.CERTIFICATE)),
                Arguments.of("1:A 1:B 1:B", List.of(Event.CERTIFICATE, Event.RENEWED, Event.CERTIFICATE)),
                Arguments.of("1:B 1:A 1:B 1:A", List.of(Event.CERTIFICATE)),
                Arguments.of("1:A 2:ok 1:A 2:ok", List.of(Event.CERTIFICATE)),
                Arguments.of("1:A 2:A 1:ok 2:A 2:ok", List.of(Event.CERTIFICATE, Event.RENEWED)),
                Arguments.of("1:A 1:fail 1:fail 1:A", List.of(Event.CERTIFICATE)),
                Arguments.of("1:ok 2:ok 1:fail 1:ok", List.of()),
                Arguments.of("1:W 1:W 1:ok", List.of()));
    }

    @ParameterizedTest(name = "{0} notifies {1}")
    @MethodSource("scripts")
    void eachCertificateIsNotifiedOnce(String script, List<Event> expected) {
        assertThat(run(script)).isEqualTo(expected);
    }

    @Test
    void theNoticeSaysWhenTheCertificateExpiresAndGoesToTheMonitorsChannels() {
        var evaluator = evaluator(monitor(1, policy(1), 1));
        evaluator.apply(expiring(1, 1, 0, A));
        var changes = evaluator.drain();

        assertThat(changes.notices()).singleElement().satisfies(n -> {
            assertThat(n.event()).isEqualTo(Event.CERTIFICATE);
            assertThat(n.channels()).isEqualTo(CHANNELS);
            assertThat(n.summary())
                    .isEqualTo("the certificate of checkout expires on 2026-11-28 10:00 UTC (in 5 days)");
            assertThat(n.incident().key()).isEqualTo(IncidentKey.certificate(1));
            assertThat(n.incident().certNotAfter()).isEqualTo(A);
            assertThat(n.incident().dedupKey(99)).isEqualTo("vantage-certificate-1-" + A.getEpochSecond());
        });
        assertThat(evaluator.find(1, 1).orElseThrow().state()).isEqualTo(State.DEGRADED);

        evaluator.apply(ok(1, 1, 10));
        assertThat(evaluator.drain().notices()).singleElement().satisfies(n -> {
            assertThat(n.event()).isEqualTo(Event.RENEWED);
            assertThat(n.summary())
                    .isEqualTo("the certificate of checkout that expires on 2026-11-28 10:00 UTC"
                            + " is no longer served within the warning window (renewed)");
            assertThat(n.incident().resolvedAt()).isEqualTo(at(10));
        });
        assertThat(evaluator.openIncidents()).isEmpty();
    }

    @Test
    void aCertificateIncidentAndAnOutageAreOpenSideBySide() {
        var evaluator = evaluator(monitor(1, policy(1, 1, 1, null), 1));
        evaluator.apply(expiring(1, 1, 0, A));
        evaluator.apply(fail(1, 1, 10));

        assertThat(evaluator.openIncidents())
                .extracting(Incident::key)
                .containsExactly(IncidentKey.monitor(1), IncidentKey.certificate(1));
        assertThat(evaluator.drain().notices())
                .extracting(NoticeRequest::event)
                .containsExactly(Event.CERTIFICATE, Event.FIRING);
    }

    @Test
    void aRestoredEvaluatorDoesNotNotifyTheSameCertificateAgain() {
        var original = evaluator(monitor(1, policy(1), 1));
        var store = new Store();
        original.apply(expiring(1, 1, 0, A));
        store.persist(original.drain());

        var restored = store.restore(at(5));
        restored.configure(List.of(monitor(1, policy(1), 1)), CODES, DEFAULT_CHANNELS, at(5));
        assertThat(restored.openIncidents()).isEqualTo(original.openIncidents());
        restored.drain();
        for (int s = 10; s <= 100; s += 10) {
            restored.apply(expiring(1, 1, s, A));
        }
        assertThat(restored.drain().notices()).isEmpty();

        restored.apply(ok(1, 1, 110));
        assertThat(restored.drain().notices()).extracting(NoticeRequest::event).containsExactly(Event.RENEWED);
    }

    @Test
    void aRemovedMonitorClosesItsCertificateIncident() {
        var evaluator = evaluator(monitor(1, policy(1), 1));
        evaluator.apply(expiring(1, 1, 0, A));
        evaluator.drain();

        evaluator.configure(List.of(), CODES, DEFAULT_CHANNELS, at(10));
        assertThat(evaluator.drain().notices()).singleElement().satisfies(n -> {
            assertThat(n.event()).isEqualTo(Event.RESOLVED);
            assertThat(n.key()).isEqualTo(IncidentKey.certificate(1));
        });
        assertThat(evaluator.openIncidents()).isEmpty();
    }
}
