package dev.vantage.evaluate;

import static dev.vantage.evaluate.Scenario.at;
import static dev.vantage.evaluate.Scenario.evaluator;
import static dev.vantage.evaluate.Scenario.fail;
import static dev.vantage.evaluate.Scenario.flappy;
import static dev.vantage.evaluate.Scenario.monitor;
import static dev.vantage.evaluate.Scenario.ok;
import static org.assertj.core.api.Assertions.assertThat;

import dev.vantage.notify.Event;
import java.util.ArrayList;
import java.util.List;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.Test;

/** A monitor that changes state too often holds its notices until it settles. */
class EvaluatorFlappingTest {

    @Test
    void enteringFlappingNotifiesOnceHoldsTheIncidentOpenAndSettlingResolvesIt() {
        // more than 2 changes within 30 min; a grace of an hour so that ticks leave the datacenter alone
        var evaluator = evaluator(monitor(1, flappy(1, 2, 30, 3600), 1));
        evaluator.apply(ok(1, 1, 0)); // change 1: UNKNOWN -> UP
        evaluator.apply(fail(1, 1, 10)); // change 2: DOWN, FIRING
        evaluator.apply(ok(1, 1, 20)); // change 3: flapping; the recovery does not resolve
        evaluator.apply(fail(1, 1, 30));
        evaluator.apply(ok(1, 1, 40));
        evaluator.apply(fail(1, 1, 50));
        evaluator.apply(ok(1, 1, 60));

        var flapping = evaluator.drain();
        assertThat(flapping.notices())
                .extracting(NoticeRequest::event, NoticeRequest::at)
                .containsExactly(Tuple.tuple(Event.FIRING, at(10)), Tuple.tuple(Event.FLAPPING, at(20)));
        assertThat(flapping.notices().get(1).summary())
                .isEqualTo("checkout is flapping: 3 state changes within 30 min; notifications held until it settles");
        var global = evaluator.find(1).orElseThrow();
        assertThat(global.flapping()).isTrue();
        assertThat(global.state()).isEqualTo(State.UP);
        var held = evaluator.findIncident(IncidentKey.monitor(1)).orElseThrow();
        assertThat(held.openedAt()).isEqualTo(at(10));

        evaluator.tick(at(30 * 60 + 35), List.of()); // changes at 40, 50 and 60 still inside
        assertThat(evaluator.drain().notices()).isEmpty();
        assertThat(evaluator.find(1).orElseThrow().flapping()).isTrue();

        evaluator.tick(at(30 * 60 + 45), List.of()); // changes at 50 and 60 left: settled
        var settled = evaluator.drain();
        assertThat(evaluator.find(1).orElseThrow().flapping()).isFalse();
        assertThat(settled.monitorStates()).singleElement().satisfies(m -> assertThat(m.flapping())
                .isFalse());
        assertThat(settled.notices()).singleElement().satisfies(n -> {
            assertThat(n.event()).isEqualTo(Event.RESOLVED);
            assertThat(n.at()).isEqualTo(at(30 * 60 + 45));
        });
        assertThat(evaluator.openIncidents()).isEmpty();
    }

    @Test
    void aMonitorThatWentGloballyDownWhileFlappingFiresWhenItSettles() {
        // down and up after 1, quorum 2 of 2, more than 2 changes within 1 min
        var evaluator = evaluator(monitor(1, Policy.of(10, 2, 1, 1, null, null, 2, 2, 1), 1, 2));
        evaluator.apply(ok(1, 1, 0)); // change 1: UP
        evaluator.apply(ok(1, 2, 0));
        evaluator.apply(fail(1, 1, 10)); // change 2: PARTIAL, an incident that does not notify
        evaluator.apply(ok(1, 2, 10));
        evaluator.apply(ok(1, 1, 20)); // change 3: UP, flapping; a partial incident sends no FLAPPING
        evaluator.apply(ok(1, 2, 20));
        evaluator.apply(fail(1, 1, 30)); // change 4: PARTIAL
        evaluator.apply(fail(1, 2, 30)); // change 5: DOWN while flapping: no FIRING
        assertThat(evaluator.drain().notices()).isEmpty();
        assertThat(evaluator.findIncident(IncidentKey.monitor(1)).orElseThrow().scope())
                .isEqualTo("global");

        List<NoticeRequest> notices = new ArrayList<>();
        for (int s = 40; s <= 120; s += 10) {
            evaluator.apply(fail(1, 1, s));
            evaluator.apply(fail(1, 2, s));
            notices.addAll(evaluator.drain().notices());
        }
        // at 80 the window (20 s, 80 s] holds the two changes at 30 s: settled
        assertThat(notices).singleElement().satisfies(n -> {
            assertThat(n.event()).isEqualTo(Event.FIRING);
            assertThat(n.at()).isEqualTo(at(80));
            assertThat(n.summary()).isEqualTo("checkout is DOWN in NY, VA: HTTP_STATUS HTTP 503");
            assertThat(n.incident().openedAt()).isEqualTo(at(10));
        });
    }

    @Test
    void flappingWithoutAnOpenIncidentSendsNothing() {
        // UP <-> DEGRADED flapping: never an incident
        var evaluator = evaluator(monitor(1, Policy.of(10, 1, null, null, 1, 3600, null, 2, 30), 1));
        for (int s = 0; s < 100; s += 20) {
            evaluator.apply(ok(1, 1, s));
            evaluator.apply(Scenario.slow(1, 1, s + 10));
        }
        var changes = evaluator.drain();
        assertThat(evaluator.find(1).orElseThrow().flapping()).isTrue();
        assertThat(changes.notices()).isEmpty();
        assertThat(changes.incidents()).isEmpty();
    }
}
