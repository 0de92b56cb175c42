package dev.vantage.evaluate;

import static dev.vantage.evaluate.Scenario.CHANNELS;
import static dev.vantage.evaluate.Scenario.CODES;
import static dev.vantage.evaluate.Scenario.DEFAULT_CHANNELS;
import static dev.vantage.evaluate.Scenario.at;
import static dev.vantage.evaluate.Scenario.evaluator;
import static dev.vantage.evaluate.Scenario.fail;
import static dev.vantage.evaluate.Scenario.monitor;
import static dev.vantage.evaluate.Scenario.ok;
import static dev.vantage.evaluate.Scenario.policy;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vantage.notify.Event;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Configuration reloads: datacenters and monitors added and removed. */
class EvaluatorConfigurationTest {

    @Test
    void aDatacenterAddedStartsWithNoDataAndLeavesTheGlobalStateAsItWas() {
        var evaluator = evaluator(monitor(1, policy(1), 1));
        evaluator.apply(ok(1, 1, 0));
        evaluator.drain();

        evaluator.configure(List.of(monitor(1, policy(2), 1, 2)), CODES, DEFAULT_CHANNELS, at(5));
        var changes = evaluator.drain();
        assertThat(changes.datacenterStates()).containsExactly(DatacenterStatus.noData(1, 2, at(5)));
        assertThat(changes.removedDatacenterStates()).isEmpty();
        assertThat(evaluator.find(1).orElseThrow().state()).isEqualTo(State.UP);
        assertThat(evaluator.find(1).orElseThrow().details()).isEqualTo("UP; no data from VA");

        evaluator.apply(ok(1, 2, 10));
        assertThat(evaluator.find(1, 2).orElseThrow().state()).isEqualTo(State.UP);
    }

    @Test
    void aDownDatacenterRemovedEndsTheOutageItAloneCaused() {
        var evaluator = evaluator(monitor(1, policy(2, 1, null, null), 1, 2)); // quorum 1
        evaluator.apply(ok(1, 1, 0));
        evaluator.apply(fail(1, 2, 0));
        assertThat(evaluator.drain().notices()).extracting(NoticeRequest::event).containsExactly(Event.FIRING);

        evaluator.configure(List.of(monitor(1, policy(1, 1, null, null), 1)), CODES, DEFAULT_CHANNELS, at(30));
        var changes = evaluator.drain();
        assertThat(changes.removedDatacenterStates()).containsExactly(new DatacenterKey(1, 2));
        assertThat(changes.datacenterStates()).isEmpty();
        assertThat(changes.monitorStates()).singleElement().satisfies(m -> {
            assertThat(m.state()).isEqualTo(State.UP);
            assertThat(m.since()).isEqualTo(at(30));
        });
        assertThat(changes.notices()).singleElement().satisfies(n -> {
            assertThat(n.event()).isEqualTo(Event.RESOLVED);
            assertThat(n.at()).isEqualTo(at(30));
        });
        assertThat(evaluator.find(1, 2)).isEmpty();
        evaluator.apply(ok(1, 2, 40));
        assertThat(evaluator.drain().ignoredHeartbeats()).isEqualTo(1);
    }

    @Test
    void aMonitorRemovedResolvesItsIncidentAndLosesItsRows() {
        var evaluator = evaluator(monitor(1, policy(2, 1, null, null), 1, 2), monitor(2, policy(1), 1));
        evaluator.apply(fail(1, 1, 0)); // DOWN at once, and the quorum of 2 datacenters is 1
        evaluator.drain();

        evaluator.configure(List.of(monitor(2, policy(1), 1)), CODES, DEFAULT_CHANNELS, at(300));
        var changes = evaluator.drain();
        assertThat(changes.removedMonitors()).containsExactly(1);
        assertThat(changes.removedDatacenterStates()).containsExactly(new DatacenterKey(1, 1), new DatacenterKey(1, 2));
        assertThat(changes.datacenterStates()).isEmpty();
        assertThat(changes.monitorStates()).isEmpty();
        assertThat(changes.incidents()).singleElement().satisfies(i -> assertThat(i.resolvedAt())
                .isEqualTo(at(300)));
        assertThat(changes.notices()).singleElement().satisfies(n -> {
            assertThat(n.event()).isEqualTo(Event.RESOLVED);
            assertThat(n.channels()).isEqualTo(CHANNELS);
            assertThat(n.summary())
                    .isEqualTo("checkout is no longer monitored (removed or disabled); incident closed after 5 min");
        });
        assertThat(evaluator.find(1)).isEmpty();
        evaluator.apply(ok(1, 1, 310));
        assertThat(evaluator.drain().ignoredHeartbeats()).isEqualTo(1);
    }

    @Test
    void aMonitorRemovedAndAddedBackInOneDrainStartsAfreshAndIsNotDeleted() {
        var evaluator = evaluator(monitor(1, policy(1), 1));
        evaluator.apply(ok(1, 1, 0));
        evaluator.configure(List.of(), CODES, DEFAULT_CHANNELS, at(10));
        evaluator.configure(List.of(monitor(1, policy(1), 1)), CODES, DEFAULT_CHANNELS, at(20));

        var changes = evaluator.drain();
        assertThat(changes.removedMonitors()).isEmpty();
        assertThat(changes.removedDatacenterStates()).isEmpty();
        assertThat(changes.datacenterStates()).containsExactly(DatacenterStatus.noData(1, 1, at(20)));
        assertThat(changes.monitorStates()).singleElement().satisfies(m -> assertThat(m.state())
                .isEqualTo(State.UNKNOWN));
    }

    @Test
    void aLowerQuorumTakesEffectAtTheReload() {
        var evaluator = evaluator(monitor(1, policy(3, 1, null, null), 1, 2, 3)); // quorum 2
        evaluator.apply(fail(1, 1, 0));
        assertThat(evaluator.find(1).orElseThrow().state()).isEqualTo(State.PARTIAL);
        evaluator.drain();

        var quorumOne = Policy.of(10, 3, 1, null, null, null, 1, null, null);
        evaluator.configure(List.of(monitor(1, quorumOne, 1, 2, 3)), CODES, DEFAULT_CHANNELS, at(5));
        assertThat(evaluator.find(1).orElseThrow().state()).isEqualTo(State.DOWN);
        assertThat(evaluator.drain().notices()).extracting(NoticeRequest::event).containsExactly(Event.FIRING);
    }

    @Test
    void restoreComesBeforeTheFirstConfiguration() {
        var evaluator = evaluator(monitor(1, policy(1), 1));
        assertThatThrownBy(() -> evaluator.restore(List.of(), List.of(), List.of()))
                .isInstanceOf(IllegalStateException.class);
    }
}
