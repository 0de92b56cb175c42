package dev.vantage.evaluate;

import static dev.vantage.evaluate.Scenario.CHANNELS;
import static dev.vantage.evaluate.Scenario.at;
import static dev.vantage.evaluate.Scenario.evaluator;
import static dev.vantage.evaluate.Scenario.fail;
import static dev.vantage.evaluate.Scenario.monitor;
import static dev.vantage.evaluate.Scenario.ok;
import static dev.vantage.evaluate.Scenario.policy;
import static org.assertj.core.api.Assertions.assertThat;

import dev.vantage.notify.Event;
import java.util.List;
import java.util.stream.Stream;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The global state of a monitor across its datacenters, its incidents and their notices. */
class EvaluatorIncidentTest {

    static Stream<Arguments> globalStates() {
        return Stream.of(
                // quorum, state reached in NY VA FR, global state
                Arguments.of(2, "none none none", State.UNKNOWN, List.of()),
                Arguments.of(2, "up none none", State.UP, List.of()),
                Arguments.of(2, "slow up none", State.DEGRADED, List.of()),
                Arguments.of(2, "down none none", State.PARTIAL, List.of(1)),
                Arguments.of(2, "down slow up", State.PARTIAL, List.of(1)),
                Arguments.of(2, "none down down", State.DOWN, List.of(2, 3)),
                Arguments.of(2, "down down down", State.DOWN, List.of(1, 2, 3)),
                Arguments.of(1, "down none none", State.DOWN, List.of(1)),
                Arguments.of(3, "down down up", State.PARTIAL, List.of(1, 2)),
                Arguments.of(3, "down down down", State.DOWN, List.of(1, 2, 3)));
    }

    @ParameterizedTest(name = "quorum {0}, datacenters {1}: {2}")
    @MethodSource("globalStates")
    void theGlobalStateCountsDownDatacentersAgainstTheQuorumAndNotUnknownOnes(
            int quorum, String datacenters, State expected, List<Integer> down) {
        var policy = Policy.of(10, 3, 1, null, 1, null, quorum, null, null);
        var evaluator = evaluator(monitor(1, policy, 1, 2, 3));
        String[] tokens = datacenters.split(" ");
        for (int dc = 1; dc <= 3; dc++) {
            switch (tokens[dc - 1]) {
                case "up" -> evaluator.apply(ok(1, dc, 0));
                case "slow" -> evaluator.apply(Scenario.slow(1, dc, 0));
                case "down" -> evaluator.apply(fail(1, dc, 0));
                default -> {}
            }
        }
        var global = evaluator.find(1).orElseThrow();
        assertThat(global.state()).isEqualTo(expected);
        assertThat(global.datacentersDown()).isEqualTo(down);
    }

    @Test
    void aHugeErrorMessageInAHeartbeatRowIsCutBeforeStatesIncidentsAndNotices() {
        // What an older agent or a hostile login may have written: a 200 KB status line and a 100 KB error type.
        String statusLine = "malformed status line \"" + "A".repeat(200 * 1024) + "\"";
        var evaluator = evaluator(monitor(1, policy(1, 1, null, null), 1));
        evaluator.apply(Scenario.failure(1, 1, 0, "T".repeat(100 * 1024), statusLine));
        var changes = evaluator.drain();

        var dc = evaluator.find(1, 1).orElseThrow();
        assertThat(dc.state()).isEqualTo(State.DOWN);
        assertThat(dc.lastErrorMessage()).hasSizeLessThanOrEqualTo(1024).endsWith("… [cut, 204824 bytes]");
        assertThat(dc.firstErrorType()).hasSizeLessThanOrEqualTo(64);
        assertThat(dc.details()).hasSizeLessThanOrEqualTo(2048);
        assertThat(evaluator.find(1).orElseThrow().details()).hasSizeLessThanOrEqualTo(2048);
        assertThat(evaluator.findIncident(IncidentKey.monitor(1)).orElseThrow().errorMessage())
                .hasSizeLessThanOrEqualTo(1024);
        assertThat(changes.notices()).singleElement().satisfies(n -> assertThat(n.summary())
                .hasSizeLessThanOrEqualTo(2 * 1024 + 64));
    }

    @Test
    void onePartialOutageNeverNotifiesAndAQuorumFiresOnceAndResolvesOnce() {
        var evaluator = evaluator(monitor(1, policy(3), 1, 2, 3)); // quorum 2 of 3
        for (int dc = 1; dc <= 3; dc++) {
            evaluator.apply(ok(1, dc, 0));
        }
        evaluator.apply(fail(1, 1, 10));
        evaluator.apply(fail(1, 1, 20));
        evaluator.apply(fail(1, 2, 20));
        evaluator.apply(fail(1, 1, 30)); // NY is DOWN: a partial outage
        evaluator.apply(fail(1, 2, 30));
        evaluator.drain();

        assertThat(evaluator.find(1).orElseThrow().state()).isEqualTo(State.PARTIAL);
        var partial = evaluator.findIncident(IncidentKey.monitor(1)).orElseThrow();
        assertThat(partial.scope()).isEqualTo("datacenter");
        assertThat(partial.openedAt()).isEqualTo(at(10));
        assertThat(partial.errorType()).isEqualTo("HTTP_STATUS");
        assertThat(partial.errorMessage()).isEqualTo("HTTP 503");
        assertThat(partial.datacenters()).containsExactly(1);
        assertThat(partial.notified()).isFalse();

        evaluator.apply(fail(1, 2, 40)); // VA is DOWN too: the quorum agrees
        evaluator.apply(fail(1, 1, 40));
        var firing = evaluator.drain();
        assertThat(evaluator.find(1).orElseThrow().state()).isEqualTo(State.DOWN);
        assertThat(firing.notices()).singleElement().satisfies(n -> {
            assertThat(n.event()).isEqualTo(Event.FIRING);
            assertThat(n.key()).isEqualTo(IncidentKey.monitor(1));
            assertThat(n.at()).isEqualTo(at(40));
            assertThat(n.channels()).isEqualTo(CHANNELS);
            assertThat(n.summary()).isEqualTo("checkout is DOWN in NY, VA: HTTP_STATUS HTTP 503");
        });
        assertThat(firing.incidents()).singleElement().satisfies(i -> {
            assertThat(i.scope()).isEqualTo("global");
            assertThat(i.notified()).isTrue();
            assertThat(i.datacenters()).containsExactly(1, 2);
            assertThat(i.resolvedAt()).isNull();
        });

        evaluator.apply(fail(1, 3, 50)); // FR joins a little later: no second FIRING
        evaluator.apply(fail(1, 3, 60));
        evaluator.apply(fail(1, 3, 70));
        var joined = evaluator.drain();
        assertThat(joined.notices()).isEmpty();
        assertThat(joined.incidents()).singleElement().satisfies(i -> assertThat(i.datacenters())
                .containsExactly(1, 2, 3));

        for (int dc = 1; dc <= 3; dc++) {
            evaluator.apply(ok(1, dc, 240));
        }
        evaluator.apply(ok(1, 1, 250)); // NY back: still DOWN in VA and FR
        evaluator.apply(ok(1, 2, 250)); // VA back: partial, still no notice
        assertThat(evaluator.find(1).orElseThrow().state()).isEqualTo(State.PARTIAL);
        assertThat(evaluator.drain().notices()).isEmpty();

        evaluator.apply(ok(1, 3, 250)); // FR back: over
        var resolved = evaluator.drain();
        assertThat(resolved.notices()).singleElement().satisfies(n -> {
            assertThat(n.event()).isEqualTo(Event.RESOLVED);
            assertThat(n.at()).isEqualTo(at(250));
            assertThat(n.summary()).isEqualTo("checkout recovered after 4 min");
            assertThat(n.incident().resolvedAt()).isEqualTo(at(250));
        });
        assertThat(resolved.incidents()).singleElement().satisfies(i -> assertThat(i.resolvedAt())
                .isEqualTo(at(250)));
        assertThat(evaluator.openIncidents()).isEmpty();
    }

    @Test
    void aPartialOutageResolvesWithoutNotice() {
        var evaluator = evaluator(monitor(1, policy(3, 1, 1, null), 1, 2, 3));
        evaluator.apply(fail(1, 1, 0));
        evaluator.apply(ok(1, 1, 10));
        var changes = evaluator.drain();
        assertThat(changes.notices()).isEmpty();
        assertThat(changes.incidents()).singleElement().satisfies(i -> {
            assertThat(i.notified()).isFalse();
            assertThat(i.scope()).isEqualTo("datacenter");
            assertThat(i.resolvedAt()).isEqualTo(at(10));
        });
    }

    @Test
    void losingSightOfADownDatacenterIsNotARecovery() {
        var evaluator = evaluator(monitor(1, policy(1), 1));
        Scenario.heartbeats("fail fail fail").forEach(evaluator::apply);
        assertThat(evaluator.drain().notices()).extracting(NoticeRequest::event).containsExactly(Event.FIRING);

        evaluator.tick(at(61), List.of()); // no heartbeat for 41 s: UNKNOWN, not recovered
        var lost = evaluator.drain();
        assertThat(evaluator.find(1, 1).orElseThrow().state()).isEqualTo(State.UNKNOWN);
        assertThat(evaluator.find(1).orElseThrow().state()).isEqualTo(State.UNKNOWN);
        assertThat(lost.notices()).isEmpty();
        assertThat(lost.incidents()).isEmpty();
        assertThat(evaluator.findIncident(IncidentKey.monitor(1))).isPresent();

        evaluator.apply(ok(1, 1, 70)); // one success leaves UNKNOWN, and that is the recovery
        var back = evaluator.drain();
        assertThat(back.notices()).extracting(NoticeRequest::event).containsExactly(Event.RESOLVED);
        assertThat(back.incidents()).singleElement().satisfies(i -> assertThat(i.resolvedAt())
                .isEqualTo(at(70)));
    }

    @Test
    void aDatacenterThatRecoveredBeforeGoingSilentDoesNotHoldTheIncident() {
        var evaluator = evaluator(monitor(1, policy(2, 1, 1, null), 1, 2)); // quorum 1 of 2
        evaluator.apply(fail(1, 1, 0));
        evaluator.apply(fail(1, 2, 0));
        evaluator.apply(ok(1, 1, 10)); // NY recovered, then its agent went silent
        for (int s = 10; s <= 60; s += 10) {
            evaluator.apply(fail(1, 2, s));
            evaluator.tick(at(s), List.of());
        }
        assertThat(evaluator.find(1, 1).orElseThrow().state()).isEqualTo(State.UNKNOWN);
        evaluator.drain();

        evaluator.apply(ok(1, 2, 70));
        assertThat(evaluator.drain().notices()).extracting(NoticeRequest::event).containsExactly(Event.RESOLVED);
    }

    @Test
    void aMonitorCanResolveAndOpenItsNextIncidentInOneDrain() {
        var evaluator = evaluator(monitor(1, policy(1, 1, 1, null), 1));
        evaluator.apply(fail(1, 1, 0));
        evaluator.apply(ok(1, 1, 10));
        evaluator.apply(Scenario.failure(1, 1, 20, "CONNECT", "connection refused"));

        var changes = evaluator.drain();
        assertThat(changes.incidents())
                .extracting(Incident::openedAt, Incident::resolvedAt, Incident::errorType)
                .containsExactly(Tuple.tuple(at(0), at(10), "HTTP_STATUS"), Tuple.tuple(at(20), null, "CONNECT"));
        assertThat(changes.notices())
                .extracting(NoticeRequest::event, n -> n.incident().openedAt())
                .containsExactly(
                        Tuple.tuple(Event.FIRING, at(0)),
                        Tuple.tuple(Event.RESOLVED, at(0)),
                        Tuple.tuple(Event.FIRING, at(20)));
    }

    @Test
    void theGlobalRowListsEveryChangeAndTheDatacentersDown() {
        var evaluator = evaluator(monitor(1, policy(2, 1, 1, null), 1, 2)); // quorum 1
        evaluator.apply(ok(1, 1, 0)); // UNKNOWN -> UP
        evaluator.apply(fail(1, 2, 0)); // -> DOWN
        var global = evaluator.find(1).orElseThrow();
        assertThat(global.state()).isEqualTo(State.DOWN);
        assertThat(global.since()).isEqualTo(at(0));
        assertThat(global.datacentersDown()).containsExactly(2);
        assertThat(global.stateChanges()).containsExactly(at(0), at(0));
        assertThat(global.details()).isEqualTo("DOWN in VA: HTTP_STATUS HTTP 503");
    }
}
