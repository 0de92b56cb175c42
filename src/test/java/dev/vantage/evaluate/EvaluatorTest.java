package dev.vantage.evaluate;

import static dev.vantage.evaluate.Scenario.at;
import static dev.vantage.evaluate.Scenario.evaluator;
import static dev.vantage.evaluate.Scenario.fail;
import static dev.vantage.evaluate.Scenario.heartbeats;
import static dev.vantage.evaluate.Scenario.monitor;
import static dev.vantage.evaluate.Scenario.ok;
import static dev.vantage.evaluate.Scenario.policy;
import static dev.vantage.evaluate.Scenario.success;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The state of one monitor in one datacenter, heartbeat by heartbeat. */
class EvaluatorTest {

    static Stream<Arguments> sequences() {
        return Stream.of(
                // description, policy, heartbeats every 10 s, state after each
                Arguments.of("down after the default 3 failures", policy(1), "ok fail fail fail", "UP UP UP DOWN"),
                Arguments.of(
                        "a success resets the failures", policy(1), "ok fail fail ok fail fail", "UP UP UP UP UP UP"),
                Arguments.of("down after 1 when the monitor says so", policy(1, 1, null, null), "ok fail", "UP DOWN"),
                Arguments.of(
                        "down after 5 when the monitor says so",
                        policy(1, 5, null, null),
                        "ok fail fail fail fail fail",
                        "UP UP UP UP UP DOWN"),
                Arguments.of(
                        "up after the default 2 successes",
                        policy(1),
                        "ok fail fail fail ok ok",
                        "UP UP UP DOWN DOWN UP"),
                Arguments.of(
                        "up after 3 when the monitor says so",
                        policy(1, null, 3, null),
                        "fail fail fail ok ok ok",
                        "UNKNOWN UNKNOWN DOWN DOWN DOWN UP"),
                Arguments.of(
                        "a failure while recovering keeps it down and restarts the count",
                        policy(1),
                        "fail fail fail ok fail ok ok",
                        "UNKNOWN UNKNOWN DOWN DOWN DOWN DOWN UP"),
                Arguments.of(
                        "degraded after the default 3 slow successes",
                        policy(1),
                        "ok slow slow slow",
                        "UP UP UP DEGRADED"),
                Arguments.of(
                        "a fast success resets the slow count",
                        policy(1),
                        "ok slow slow ok slow slow",
                        "UP UP UP UP UP UP"),
                Arguments.of(
                        "degraded after 1 when the monitor says so",
                        policy(1, null, null, 1),
                        "ok slow",
                        "UP DEGRADED"),
                Arguments.of(
                        "degraded comes back up on a fast success",
                        policy(1),
                        "slow slow slow ok",
                        "UP UP DEGRADED UP"),
                Arguments.of(
                        "a failure below down-after leaves degraded as it is",
                        policy(1),
                        "slow slow slow fail slow",
                        "UP UP DEGRADED DEGRADED DEGRADED"),
                Arguments.of(
                        "degraded goes down like up does",
                        policy(1),
                        "slow slow slow fail fail fail",
                        "UP UP DEGRADED DEGRADED DEGRADED DOWN"),
                Arguments.of(
                        "down recovers to degraded when the slow count is reached",
                        policy(1, null, 2, 2),
                        "fail fail fail slow slow",
                        "UNKNOWN UNKNOWN DOWN DOWN DEGRADED"),
                Arguments.of("no data is left by a success", policy(1), "ok", "UP"),
                Arguments.of(
                        "no data is left for degraded when one slow probe is enough",
                        policy(1, null, null, 1),
                        "slow",
                        "DEGRADED"),
                Arguments.of("no data stays unknown below down-after", policy(1), "fail fail", "UNKNOWN UNKNOWN"),
                Arguments.of("no data goes down at down-after", policy(1), "fail fail fail", "UNKNOWN UNKNOWN DOWN"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("sequences")
    void theStateFollowsTheHeartbeats(String description, Policy policy, String tokens, String expected) {
        var evaluator = evaluator(monitor(1, policy, 1));
        List<State> states = heartbeats(tokens).stream()
                .map(h -> {
                    evaluator.apply(h);
                    return evaluator.find(1, 1).orElseThrow().state();
                })
                .toList();
        assertThat(states)
                .containsExactlyElementsOf(
                        Arrays.stream(expected.split(" ")).map(State::valueOf).toList());
    }

    static Stream<Arguments> thresholds() {
        return Stream.of(
                // response time, warning, critical, slow?
                Arguments.of(1500.0, 1000, 2000, true),
                Arguments.of(1000.0, 1000, 2000, false), // not above the threshold
                Arguments.of(900.0, 1000, 2000, false),
                Arguments.of(1500.0, null, 2000, false), // no warning: the critical threshold applies
                Arguments.of(2500.0, null, 2000, true),
                Arguments.of(99_999.0, null, null, false), // no threshold: never slow
                Arguments.of(null, 1000, 2000, false));
    }

    @ParameterizedTest(name = "{0} ms with warning {1} and critical {2}: slow {3}")
    @MethodSource("thresholds")
    void aSuccessIsSlowAboveTheWarningThresholdOrElseTheCriticalOne(
            Double responseTimeMs, Integer warningMs, Integer criticalMs, boolean slow) {
        var evaluator = evaluator(monitor(1, policy(1, null, null, 1), 1));
        evaluator.apply(success(1, 1, 0, responseTimeMs, warningMs, criticalMs));
        var status = evaluator.find(1, 1).orElseThrow();
        assertThat(status.consecutiveSlow()).isEqualTo(slow ? 1 : 0);
        assertThat(status.state()).isEqualTo(slow ? State.DEGRADED : State.UP);
    }

    @Test
    void countersRememberTheFirstFailureOfARunAndTheLastHeartbeat() {
        var evaluator = evaluator(monitor(1, policy(1), 1));
        evaluator.apply(ok(1, 1, 0));
        evaluator.apply(Scenario.failure(1, 1, 10, "CONNECT", "connection refused"));
        evaluator.apply(Scenario.failure(1, 1, 20, "TIMEOUT", "timed out after 5 s"));

        var status = evaluator.find(1, 1).orElseThrow();
        assertThat(status.consecutiveFailures()).isEqualTo(2);
        assertThat(status.consecutiveSuccesses()).isZero();
        assertThat(status.failingSince()).isEqualTo(at(10));
        assertThat(status.firstErrorType()).isEqualTo("CONNECT");
        assertThat(status.firstErrorMessage()).isEqualTo("connection refused");
        assertThat(status.lastScheduledAt()).isEqualTo(at(20));
        assertThat(status.lastSuccess()).isFalse();
        assertThat(status.lastErrorType()).isEqualTo("TIMEOUT");
        assertThat(status.lastErrorMessage()).isEqualTo("timed out after 5 s");

        evaluator.apply(ok(1, 1, 30));
        status = evaluator.find(1, 1).orElseThrow();
        assertThat(status.consecutiveSuccesses()).isEqualTo(1);
        assertThat(status.consecutiveFailures()).isZero();
        assertThat(status.failingSince()).isNull();
        assertThat(status.firstErrorType()).isNull();
        assertThat(status.lastSuccess()).isTrue();
        assertThat(status.lastResponseTimeMs()).isEqualTo(100.0);
        assertThat(status.lastErrorType()).isNull();
    }

    @Test
    void aTransitionStartsAtTheSlotOfTheHeartbeatThatCausedItAndSaysWhy() {
        var evaluator = evaluator(monitor(1, policy(1, null, null, 1), 1));
        heartbeats("ok fail fail fail").forEach(evaluator::apply);
        var down = evaluator.find(1, 1).orElseThrow();
        assertThat(down.since()).isEqualTo(at(30));
        assertThat(down.details()).isEqualTo("HTTP_STATUS: HTTP 503");

        evaluator.apply(Scenario.slow(1, 1, 40));
        evaluator.apply(Scenario.slow(1, 1, 50));
        var degraded = evaluator.find(1, 1).orElseThrow();
        assertThat(degraded.state()).isEqualTo(State.DEGRADED);
        assertThat(degraded.since()).isEqualTo(at(50));
        assertThat(degraded.details()).isEqualTo("slow: 1500 ms > 1000 ms");
    }

    @Test
    void aSuccessWarningThatTheCertificateExpiresSoonIsDegradedAtOnceUntilASuccessWithoutIt() {
        var evaluator = evaluator(monitor(1, policy(1), 1));
        String warning = "certificate of CN=shop.example expires in 5 days (2026-12-11T07:30:00Z)";
        evaluator.apply(ok(1, 1, 0));
        evaluator.apply(withWarning(ok(1, 1, 10), warning));
        var degraded = evaluator.find(1, 1).orElseThrow();
        assertThat(degraded.state()).isEqualTo(State.DEGRADED);
        assertThat(degraded.since()).isEqualTo(at(10));
        assertThat(degraded.details()).isEqualTo(warning);

        evaluator.apply(withWarning(ok(1, 1, 20), warning));
        assertThat(evaluator.find(1, 1).orElseThrow().since())
                .as("the same warning again changes nothing")
                .isEqualTo(at(10));

        evaluator.apply(ok(1, 1, 30)); // renewed
        var up = evaluator.find(1, 1).orElseThrow();
        assertThat(up.state()).isEqualTo(State.UP);
        assertThat(up.since()).isEqualTo(at(30));
    }

    private static Observation withWarning(Observation o, String warning) {
        return new Observation(
                o.heartbeatId(),
                o.monitorId(),
                o.datacenterId(),
                o.scheduledAt(),
                o.success(),
                o.responseTimeMs(),
                o.warningMs(),
                o.criticalMs(),
                o.errorType(),
                o.errorMessage(),
                o.beatKind(),
                warning,
                o.certNotAfter());
    }

    @Test
    void aHeartbeatNotAfterTheNewestSlotIsCountedLateAndChangesNothing() {
        var evaluator = evaluator(monitor(1, policy(1, 1, null, null), 1));
        evaluator.apply(ok(1, 1, 20));
        evaluator.drain();

        evaluator.apply(fail(1, 1, 10)); // a journal replay delivering an old slot
        evaluator.apply(fail(1, 1, 20)); // the same slot again

        var changes = evaluator.drain();
        assertThat(changes.lateHeartbeats()).isEqualTo(2);
        assertThat(changes.datacenterStates()).isEmpty();
        var status = evaluator.find(1, 1).orElseThrow();
        assertThat(status.state()).isEqualTo(State.UP);
        assertThat(status.consecutiveFailures()).isZero();
        assertThat(status.lastScheduledAt()).isEqualTo(at(20));
    }

    @Test
    void heartbeatsOfMonitorsOrDatacentersNotConfiguredAreIgnored() {
        var evaluator = evaluator(monitor(1, policy(1), 1));
        evaluator.apply(ok(2, 1, 0));
        evaluator.apply(ok(1, 3, 0));
        var changes = evaluator.drain();
        assertThat(changes.ignoredHeartbeats()).isEqualTo(2);
        assertThat(changes.datacenterStates()).isEmpty();
    }

    @Test
    void aDatacenterWithoutHeartbeatPastTheGraceWindowIsUnknownUntilTheNextOne() {
        var evaluator = evaluator(monitor(1, policy(1), 1)); // grace: 2 intervals + 10 s = 30 s
        evaluator.apply(ok(1, 1, 0));

        evaluator.tick(at(30), List.of());
        assertThat(evaluator.find(1, 1).orElseThrow().state()).isEqualTo(State.UP);

        evaluator.tick(at(31), List.of());
        var unknown = evaluator.find(1, 1).orElseThrow();
        assertThat(unknown.state()).isEqualTo(State.UNKNOWN);
        assertThat(unknown.since()).isEqualTo(at(30));
        assertThat(unknown.details()).isEqualTo("no heartbeat since 2026-11-23T10:00:00Z");
        assertThat(evaluator.find(1).orElseThrow().state()).isEqualTo(State.UNKNOWN);

        evaluator.apply(ok(1, 1, 40));
        var back = evaluator.find(1, 1).orElseThrow();
        assertThat(back.state()).isEqualTo(State.UP);
        assertThat(back.since()).isEqualTo(at(40));
    }

    @Test
    void aTargetFailingBeforeAndAfterTheGapIsDownAtOnce() {
        var evaluator = evaluator(monitor(1, policy(1), 1));
        heartbeats("ok fail fail").forEach(evaluator::apply);
        evaluator.tick(at(60), List.of());
        assertThat(evaluator.find(1, 1).orElseThrow().state()).isEqualTo(State.UNKNOWN);

        evaluator.apply(fail(1, 1, 70));
        var down = evaluator.find(1, 1).orElseThrow();
        assertThat(down.state()).isEqualTo(State.DOWN);
        assertThat(down.consecutiveFailures()).isEqualTo(3);
        assertThat(down.failingSince()).isEqualTo(at(10));
    }

    @Test
    void aNewDatacenterStartsWithNoDataAndStaysUnknownAtTicks() {
        var evaluator = new Evaluator(Scenario.LOST_AFTER, Scenario.T0);
        evaluator.configure(List.of(monitor(1, policy(1), 1)), Scenario.CODES, List.of(), at(0));
        var first = evaluator.drain();
        assertThat(first.datacenterStates()).containsExactly(DatacenterStatus.noData(1, 1, at(0)));
        assertThat(first.monitorStates()).singleElement().satisfies(m -> {
            assertThat(m.state()).isEqualTo(State.UNKNOWN);
            assertThat(m.stateChanges()).isEmpty();
        });

        evaluator.tick(at(3600), List.of());
        assertThat(evaluator.drain().isEmpty()).isTrue();
    }

    @Test
    void onlyStateChangesBuildDetailsWhileEveryHeartbeatUpdatesTheRow() {
        var evaluator = evaluator(monitor(1, policy(1), 1));
        evaluator.apply(ok(1, 1, 0));
        String details = evaluator.find(1, 1).orElseThrow().details();
        evaluator.apply(success(1, 1, 10, 250.0, 1000, 2000));
        var changes = evaluator.drain();
        assertThat(changes.datacenterStates()).singleElement().satisfies(s -> {
            assertThat(s.lastResponseTimeMs()).isEqualTo(250.0);
            assertThat(s.details()).isSameAs(details);
        });
    }
}
