package dev.vantage.evaluate;

import static dev.vantage.evaluate.Scenario.CHANNELS;
import static dev.vantage.evaluate.Scenario.DEFAULT_CHANNELS;
import static dev.vantage.evaluate.Scenario.LOST_AFTER;
import static dev.vantage.evaluate.Scenario.T0;
import static dev.vantage.evaluate.Scenario.at;
import static dev.vantage.evaluate.Scenario.expiring;
import static dev.vantage.evaluate.Scenario.fail;
import static dev.vantage.evaluate.Scenario.phases;
import static dev.vantage.evaluate.Scenario.policy;
import static dev.vantage.evaluate.Scenario.slow;
import static org.assertj.core.api.Assertions.assertThat;

import dev.vantage.notify.Event;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Slow responses and phase thresholds make a datacenter DEGRADED; a monitor that opted in ({@code
 * notify_degraded_after}) is told once (DEGRADED) and once more when it is fast again (RECOVERED).
 */
class EvaluatorDegradedTest {
    private static final Map<Integer, String> CODES = Map.of(1, "NY", 2, "SYD");
    /** DNS above 100 ms is slow in every datacenter. */
    private static final List<PhaseThreshold> DNS_100 = List.of(new PhaseThreshold(Phase.DNS_LOOKUP, null, 100));

    /** Monitor 1 in NY (1) and SYD (2): degraded after 3 slow successes (the default), quorum 1. */
    private static MonitorConfig monitor(Integer notifyDegradedAfter, List<PhaseThreshold> thresholds) {
        return new MonitorConfig(1, "checkout", policy(2), Set.of(1, 2), CHANNELS, notifyDegradedAfter, thresholds);
    }

    private static Evaluator evaluator(MonitorConfig config) {
        var evaluator = new Evaluator(LOST_AFTER, T0);
        evaluator.configure(List.of(config), CODES, DEFAULT_CHANNELS, T0);
        evaluator.drain();
        return evaluator;
    }

    /** Fast in every phase. */
    private static Observation fast(int dc, int second) {
        return phases(1, dc, second, 20.0, 10.0, 30.0, 80.0);
    }

    private static Observation slowDns(int dc, int second) {
        return phases(1, dc, second, 182.4, 10.0, 30.0, 250.0);
    }

    /**
     * One step per 10 s slot, {@code <datacenter>:<what>}: {@code ok} fast, {@code dns} DNS at 182.4 ms, {@code slow}
     * a response of 1500 ms (warning 1000), {@code fail} a failure, {@code cert} a fast success warning of its
     * certificate; {@code xN} repeats a step N times.
     */
    private static List<Event> run(Evaluator evaluator, String script) {
        List<Event> events = new ArrayList<>();
        int second = 0;
        for (String token : script.trim().split("\\s+")) {
            String[] repeat = token.split("x");
            String step = repeat[0];
            int times = repeat.length > 1 ? Integer.parseInt(repeat[1]) : 1;
            for (int n = 0; n < times; n++) {
                int dc = Integer.parseInt(step.substring(0, 1));
                int s = second;
                evaluator.apply(
                        switch (step.substring(2)) {
                            case "ok" -> fast(dc, s);
                            case "dns" -> slowDns(dc, s);
                            case "slow" -> slow(1, dc, s);
                            case "fail" -> fail(1, dc, s);
                            case "cert" -> expiring(1, dc, s, T0.plus(Duration.ofDays(5)));
                            default -> throw new IllegalArgumentException(step);
                        });
                evaluator.drain().notices().forEach(notice -> events.add(notice.event()));
                second += 10;
            }
        }
        return events;
    }

    static Stream<Arguments> scripts() {
        return Stream.of(
                // DEGRADED at the 3rd slow success; notified 2 slots later (DEGRADED for 2 slots), once.
                Arguments.of("1:dnsx3", List.of()),
                Arguments.of("1:dnsx4", List.of(Event.DEGRADED)),
                Arguments.of("1:dnsx12", List.of(Event.DEGRADED)),
                Arguments.of("1:dnsx3 1:ok 1:dnsx3 1:ok", List.of()),
                Arguments.of("1:dnsx4 1:ok", List.of(Event.DEGRADED, Event.RECOVERED)),
                Arguments.of("1:dnsx4 1:ok 1:dnsx4", List.of(Event.DEGRADED, Event.RECOVERED, Event.DEGRADED)),
                // The response time counts as before: slower than the warning threshold.
                Arguments.of("1:slowx4 1:ok", List.of(Event.DEGRADED, Event.RECOVERED)),
                // A phase and the response time in turns are one run of slow successes.
                Arguments.of("1:dns 1:slow 1:dns 1:slow 1:ok", List.of(Event.DEGRADED, Event.RECOVERED)),
                // Another datacenter slow too holds it open until both are fast; it joins without a notice.
                Arguments.of("1:dnsx4 2:dnsx3 1:ok", List.of(Event.DEGRADED)),
                Arguments.of("1:dnsx4 2:dnsx3 1:ok 2:ok", List.of(Event.DEGRADED, Event.RECOVERED)),
                // An outage in between is the monitor incident's: no extra noise, RECOVERED once all are UP.
                Arguments.of(
                        "1:dnsx4 1:failx3 1:okx2",
                        List.of(Event.DEGRADED, Event.FIRING, Event.RESOLVED, Event.RECOVERED)),
                Arguments.of("1:dnsx4 2:failx3 1:ok", List.of(Event.DEGRADED, Event.FIRING)),
                Arguments.of(
                        "1:dnsx4 2:failx3 1:ok 2:okx2",
                        List.of(Event.DEGRADED, Event.FIRING, Event.RESOLVED, Event.RECOVERED)),
                // A failure shorter than downAfter breaks the slow run; it is no recovery.
                Arguments.of("1:dnsx4 1:fail 1:ok", List.of(Event.DEGRADED, Event.RECOVERED)),
                // A certificate warning makes DEGRADED too, but it has its own incident: it is not slowness.
                Arguments.of("1:certx6", List.of(Event.CERTIFICATE)));
    }

    @ParameterizedTest(name = "{0} notifies {1}")
    @MethodSource("scripts")
    void aDatacenterDegradedForLongEnoughIsNotifiedOnce(String script, List<Event> expected) {
        assertThat(run(evaluator(monitor(2, DNS_100)), script)).isEqualTo(expected);
    }

    @Test
    void aDatacenterSlowUnderAMaintenanceWindowIsToldOnlyWhenTheWindowEnds() {
        var evaluator = evaluator(monitor(2, DNS_100));
        evaluator.maintain(new Maintenance(
                List.of(MaintenanceWindow.oneOff(1, "deploy", Set.of(1), null, T0, T0.plusSeconds(95)))));
        evaluator.tick(T0, List.of());
        evaluator.drain();

        assertThat(run(evaluator, "1:dnsx8")).as("slow inside the window").isEmpty();
        evaluator.tick(T0.plusSeconds(95), List.of());
        assertThat(evaluator.drain().notices())
                .extracting(NoticeRequest::event)
                .as("still slow when it ends")
                .containsExactly(Event.DEGRADED);
    }

    @Test
    void withoutTheOptInDegradedIsOnlyShown() {
        var evaluator = evaluator(monitor(null, DNS_100));

        assertThat(run(evaluator, "1:dnsx10 1:ok")).isEmpty();
        assertThat(evaluator.find(1, 1).orElseThrow().state()).isEqualTo(State.UP);
        assertThat(evaluator.openIncidents()).isEmpty();
    }

    @Test
    void theDetailsAndTheNoticeNameThePhaseTheDatacenterAndTheThreshold() {
        var evaluator = evaluator(monitor(2, DNS_100));
        run(evaluator, "1:dnsx3");
        var state = evaluator.find(1, 1).orElseThrow();
        assertThat(state.state()).isEqualTo(State.DEGRADED);
        assertThat(state.details()).isEqualTo("DNS slow in NY: dns_lookup_ms 182.4 > 100 (3 in a row)");
        assertThat(evaluator.find(1).orElseThrow().details())
                .isEqualTo("DNS slow in NY: dns_lookup_ms 182.4 > 100 (3 in a row)");

        evaluator.apply(slowDns(1, 30));
        var notice = evaluator.drain().notices().getFirst();

        assertThat(notice.event()).isEqualTo(Event.DEGRADED);
        assertThat(notice.key()).isEqualTo(IncidentKey.degraded(1));
        assertThat(notice.summary())
                .isEqualTo("checkout is DEGRADED: DNS slow in NY: dns_lookup_ms 182.4 > 100 (4 in a row)");
        assertThat(notice.channels()).isEqualTo(CHANNELS);
        assertThat(notice.incident().openedAt()).isEqualTo(at(20));
        assertThat(notice.incident().errorMessage())
                .isEqualTo("DNS slow in NY: dns_lookup_ms 182.4 > 100 (3 in a row)");
        assertThat(notice.incident().dedupKey(42)).isEqualTo("vantage-degraded-42");

        evaluator.apply(fast(1, 40));
        var recovered = evaluator.drain().notices().getFirst();
        assertThat(recovered.event()).isEqualTo(Event.RECOVERED);
        assertThat(recovered.event().closes()).isTrue();
        assertThat(recovered.summary()).isEqualTo("checkout is fast again after 20 s");
        assertThat(recovered.incident().resolvedAt()).isEqualTo(at(40));
    }

    @Test
    void theFirstPhaseAboveItsThresholdIsNamedAndAMissingPhaseIsNeverSlow() {
        var thresholds = List.of(
                new PhaseThreshold(Phase.TLS_HANDSHAKE, null, 50),
                new PhaseThreshold(Phase.TIME_TO_FIRST_BYTE, null, 300));
        var evaluator = evaluator(monitor(null, thresholds));
        for (int s = 0; s < 30; s += 10) {
            // Plain HTTP: no TLS phase; the first byte only is slow.
            evaluator.apply(phases(1, 1, s, 5.0, 5.0, null, 412.25));
            evaluator.apply(phases(1, 2, s, 5.0, 5.0, 75.0, 412.25));
        }
        assertThat(evaluator.find(1, 1).orElseThrow().details())
                .isEqualTo("first byte slow in NY: time_to_first_byte_ms 412.3 > 300 (3 in a row)");
        assertThat(evaluator.find(1, 2).orElseThrow().details())
                .isEqualTo("TLS handshake slow in SYD: tls_handshake_ms 75 > 50 (3 in a row)");
    }

    @Test
    void theMonitorsDetailsSayWhereAndWhy() {
        var evaluator = evaluator(monitor(null, DNS_100));
        run(evaluator, "1:slowx3");
        assertThat(evaluator.find(1).orElseThrow().details()).isEqualTo("DEGRADED in NY: slow: 1500 ms > 1000 ms");

        for (int s = 30; s < 60; s += 10) {
            evaluator.apply(slowDns(2, s));
        }
        assertThat(evaluator.find(1).orElseThrow().details()).isEqualTo("DEGRADED in NY, SYD: slow: 1500 ms > 1000 ms");
        evaluator.apply(fast(1, 60));
        assertThat(evaluator.find(1).orElseThrow().details())
                .isEqualTo("DNS slow in SYD: dns_lookup_ms 182.4 > 100 (3 in a row)");
    }

    @Test
    void dnsSlowOnlyInSyd() {
        var onlySyd = List.of(new PhaseThreshold(Phase.DNS_LOOKUP, 2, 100));
        var evaluator = evaluator(monitor(1, onlySyd));

        List<Event> events = run(evaluator, "1:dns 2:dns 1:dns 2:dns 1:dns 2:dns");

        assertThat(events).containsExactly(Event.DEGRADED);
        assertThat(evaluator.find(1, 1).orElseThrow().state()).isEqualTo(State.UP);
        assertThat(evaluator.find(1, 2).orElseThrow().details())
                .isEqualTo("DNS slow in SYD: dns_lookup_ms 182.4 > 100 (3 in a row)");
        assertThat(evaluator.findIncident(IncidentKey.degraded(1)).orElseThrow().datacenters())
                .containsExactly(2);
    }

    @Test
    void aDatacentersOwnThresholdOverridesTheOneForEveryDatacenter() {
        var thresholds =
                List.of(new PhaseThreshold(Phase.DNS_LOOKUP, null, 100), new PhaseThreshold(Phase.DNS_LOOKUP, 2, 500));
        var evaluator = evaluator(monitor(null, thresholds));

        run(evaluator, "1:dns 2:dns 1:dns 2:dns 1:dns 2:dns");

        assertThat(evaluator.find(1, 1).orElseThrow().state()).isEqualTo(State.DEGRADED);
        assertThat(evaluator.find(1, 2).orElseThrow().state()).isEqualTo(State.UP);
    }

    @Test
    void aThresholdChangedByAReloadAppliesToTheNextHeartbeat() {
        var evaluator = evaluator(monitor(null, List.of()));
        run(evaluator, "1:dnsx3");
        assertThat(evaluator.find(1, 1).orElseThrow().state()).isEqualTo(State.UP);

        evaluator.configure(List.of(monitor(null, DNS_100)), CODES, DEFAULT_CHANNELS, at(30));
        for (int s = 30; s < 60; s += 10) {
            evaluator.apply(slowDns(1, s));
        }

        assertThat(evaluator.find(1, 1).orElseThrow().state()).isEqualTo(State.DEGRADED);
    }

    @Test
    void clearingTheOptInClosesTheOpenIncidentWithRecovered() {
        var evaluator = evaluator(monitor(2, DNS_100));
        run(evaluator, "1:dnsx4");

        evaluator.configure(List.of(monitor(null, DNS_100)), CODES, DEFAULT_CHANNELS, at(45));
        var notices = evaluator.drain().notices();

        assertThat(notices).singleElement().satisfies(n -> {
            assertThat(n.event()).isEqualTo(Event.RECOVERED);
            assertThat(n.summary()).contains("slow-response notices turned off");
        });
        assertThat(evaluator.openIncidents()).isEmpty();
    }

    @Test
    void aRemovedMonitorClosesItsDegradedIncident() {
        var evaluator = evaluator(monitor(2, DNS_100));
        run(evaluator, "1:dnsx4");

        evaluator.configure(List.of(), CODES, DEFAULT_CHANNELS, at(45));

        assertThat(evaluator.drain().notices()).singleElement().satisfies(n -> {
            assertThat(n.event()).isEqualTo(Event.RECOVERED);
            assertThat(n.summary()).startsWith("checkout is no longer monitored");
        });
    }

    @Test
    void aRestartKeepsTheIncidentWithoutNotifyingAgain() {
        var original = evaluator(monitor(2, DNS_100));
        var store = new Store();
        for (int s = 0; s < 60; s += 10) {
            original.apply(slowDns(1, s));
            store.persist(original.drain());
        }
        assertThat(store.openIncidents()).singleElement().satisfies(i -> assertThat(i.key())
                .isEqualTo(IncidentKey.degraded(1)));

        var restored = store.restore();
        restored.configure(List.of(monitor(2, DNS_100)), CODES, DEFAULT_CHANNELS, at(60));
        restored.drain();
        restored.apply(slowDns(1, 60));
        assertThat(restored.drain().notices()).isEmpty();

        restored.apply(fast(1, 70));
        assertThat(restored.drain().notices()).extracting(NoticeRequest::event).containsExactly(Event.RECOVERED);
    }
}
