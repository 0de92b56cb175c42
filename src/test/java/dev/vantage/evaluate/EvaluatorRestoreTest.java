package dev.vantage.evaluate;

import static dev.vantage.evaluate.Scenario.CODES;
import static dev.vantage.evaluate.Scenario.DEFAULT_CHANNELS;
import static dev.vantage.evaluate.Scenario.at;
import static dev.vantage.evaluate.Scenario.fail;
import static dev.vantage.evaluate.Scenario.monitor;
import static dev.vantage.evaluate.Scenario.ok;
import static dev.vantage.evaluate.Scenario.policy;
import static dev.vantage.evaluate.Scenario.slow;
import static org.assertj.core.api.Assertions.assertThat;

import dev.vantage.notify.Event;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Drained rows restored into a new evaluator behave as the evaluator that drained them. */
class EvaluatorRestoreTest {
    // One token per 10 s slot and datacenter: ok, slow, fail, or - for no heartbeat.
    private static final String[] SCRIPT = {
        "ok ok fail fail fail fail ok   ok   ok   ok   fail fail ok ok   ok ok   ok ok   " + "ok ".repeat(20),
        "ok ok ok   fail fail fail fail fail ok   ok   ok   ok   fail fail ok fail ok fail " + "ok ".repeat(20),
        "ok slow slow slow - - - - - - fail fail fail ok ok ok ok ok " + "ok ".repeat(20)
    };
    private static final int SLOTS = 38;
    // Down and up after 2, degraded after 2, grace 30 s, quorum 2 of 3, flapping past 4 changes in 2 min.
    private static final List<MonitorConfig> MONITORS =
            List.of(monitor(1, Policy.of(10, 3, 2, 2, 2, null, null, 4, 2), 1, 2, 3), monitor(2, policy(1), 1));

    private static void step(Evaluator evaluator, int slot) {
        int second = slot * 10;
        for (int dc = 1; dc <= 3; dc++) {
            String token = SCRIPT[dc - 1].trim().split("\\s+")[slot];
            switch (token) {
                case "ok" -> evaluator.apply(ok(1, dc, second));
                case "slow" -> evaluator.apply(slow(1, dc, second));
                case "fail" -> evaluator.apply(fail(1, dc, second));
                case "-" -> {}
                default -> throw new IllegalArgumentException(token);
            }
        }
        evaluator.apply(ok(2, 1, second));
        // FR's leader agent vanishes from slot 4 to slot 9
        Instant frSeen = slot >= 4 && slot < 10 ? at(40) : at(second);
        evaluator.tick(
                at(second + 5),
                List.of(
                        DatacenterLiveness.running(1, Scenario.T0, at(second)),
                        DatacenterLiveness.running(2, Scenario.T0, at(second)),
                        DatacenterLiveness.running(3, Scenario.T0, frSeen)));
    }

    private static Evaluator configured() {
        var evaluator = new Evaluator(Scenario.LOST_AFTER, Scenario.T0);
        evaluator.configure(MONITORS, CODES, DEFAULT_CHANNELS, at(0));
        return evaluator;
    }

    @Test
    void theScriptGoesThroughEveryKindOfNotice() {
        var evaluator = configured();
        List<Event> events = new ArrayList<>();
        for (int slot = 0; slot < SLOTS; slot++) {
            step(evaluator, slot);
            evaluator.drain().notices().forEach(n -> events.add(n.event()));
        }
        assertThat(events).contains(Event.FIRING, Event.FLAPPING, Event.RESOLVED, Event.LOST, Event.FOUND);
        assertThat(evaluator.openIncidents()).isEmpty();
    }

    static IntStream cuts() {
        return IntStream.range(1, SLOTS);
    }

    @ParameterizedTest(name = "restarted after slot {0}")
    @MethodSource("cuts")
    void aRestoredEvaluatorContinuesExactlyAsTheOriginal(int cut) {
        var original = configured();
        var store = new Store();
        store.persist(original.drain());
        for (int slot = 0; slot < cut; slot++) {
            step(original, slot);
            store.persist(original.drain());
        }

        var restored = store.restore();
        restored.configure(MONITORS, CODES, DEFAULT_CHANNELS, at(cut * 10));
        original.configure(MONITORS, CODES, DEFAULT_CHANNELS, at(cut * 10));
        var afterRestore = restored.drain();
        assertThat(afterRestore).isEqualTo(original.drain());
        // a reload changes no datacenter row (it may settle flapping, as in the original)
        assertThat(afterRestore.datacenterStates()).isEmpty();
        assertThat(restored.openIncidents()).isEqualTo(original.openIncidents());
        for (int monitorId = 1; monitorId <= 2; monitorId++) {
            assertThat(restored.find(monitorId)).isEqualTo(original.find(monitorId));
            for (int dc = 1; dc <= 3; dc++) {
                assertThat(restored.find(monitorId, dc)).isEqualTo(original.find(monitorId, dc));
            }
        }

        for (int slot = cut; slot < SLOTS; slot++) {
            step(original, slot);
            step(restored, slot);
            assertThat(restored.drain()).as("slot %d", slot).isEqualTo(original.drain());
        }
    }

    @Test
    void aDatacenterSilentInAnOpenIncidentCountsAsNotRecoveredAfterARestart() {
        var original = configured();
        var store = new Store();
        store.persist(original.drain());
        original.apply(fail(1, 1, 0));
        original.apply(fail(1, 1, 10)); // NY DOWN: a partial incident
        original.apply(fail(1, 2, 20));
        original.apply(ok(1, 1, 20));
        original.apply(fail(1, 2, 30)); // VA DOWN
        original.apply(ok(1, 1, 30)); // NY recovered, then goes silent
        for (int s = 40; s <= 70; s += 10) {
            original.apply(fail(1, 2, s));
            original.tick(at(s), List.of());
        }
        store.persist(original.drain());
        assertThat(original.find(1, 1).orElseThrow().state()).isEqualTo(State.UNKNOWN);
        assertThat(store.openIncidents()).singleElement().satisfies(i -> assertThat(i.datacenters())
                .containsExactly(1, 2));

        var restored = store.restore();
        restored.configure(MONITORS, CODES, DEFAULT_CHANNELS, at(70));
        original.configure(MONITORS, CODES, DEFAULT_CHANNELS, at(70));
        restored.drain();
        original.drain();

        // VA recovers: the original knows NY recovered before it went silent; the restored one cannot
        for (var e : List.of(original, restored)) {
            e.apply(ok(1, 2, 80));
            e.apply(ok(1, 2, 90));
        }
        assertThat(original.openIncidents()).isEmpty();
        assertThat(restored.openIncidents()).hasSize(1);
        restored.apply(ok(1, 1, 100));
        assertThat(restored.openIncidents()).isEmpty();
    }
}
