package dev.vantage.evaluate;

import static dev.vantage.evaluate.Scenario.CHANNELS;
import static dev.vantage.evaluate.Scenario.at;
import static dev.vantage.evaluate.Scenario.evaluator;
import static dev.vantage.evaluate.Scenario.monitor;
import static org.assertj.core.api.Assertions.assertThat;

import dev.vantage.notify.Event;
import java.util.List;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.Test;

/** A push monitor: beats make it UP, an explicit failure DOWN, and silence past period + grace DOWN as MISSED. */
class EvaluatorPushTest {
    private static final int PUSH = Evaluator.PUSH_DATACENTER;
    /** Expected every 15 s, 30 s late at most. */
    private static final MonitorConfig EXPORT = monitor(5, Policy.push(15, null, null, 30, null, null), PUSH);

    private static Observation beat(int second, String kind) {
        boolean success = !kind.equals("fail");
        return new Observation(
                0,
                5,
                PUSH,
                at(second),
                success,
                null,
                null,
                null,
                success ? null : "FAIL",
                success ? null : "exit status 3",
                kind);
    }

    private static State state(Evaluator evaluator) {
        return evaluator.find(5).orElseThrow().state();
    }

    @Test
    void aMonitorThatNeverBeatsIsDownOncePeriodAndGraceHavePassedSinceItWasAdded() {
        var evaluator = evaluator(EXPORT);
        evaluator.tick(at(45), List.of());
        assertThat(state(evaluator)).isEqualTo(State.UNKNOWN);
        assertThat(evaluator.find(5).orElseThrow().details()).isEqualTo("no beat yet");
        assertThat(evaluator.drain().notices()).isEmpty();

        evaluator.tick(at(47), List.of());
        var missed = evaluator.drain();
        assertThat(state(evaluator)).isEqualTo(State.DOWN);
        assertThat(evaluator.find(5, PUSH).orElseThrow())
                .extracting(DatacenterStatus::since, DatacenterStatus::firstErrorType, DatacenterStatus::details)
                .containsExactly(at(45), "MISSED", "MISSED: no heartbeat for 47 s (expected every 15 s, grace 30 s)");
        assertThat(missed.incidents())
                .extracting(Incident::openedAt, Incident::scope, Incident::errorType, Incident::errorMessage)
                .containsExactly(Tuple.tuple(
                        at(45),
                        Incident.SCOPE_GLOBAL,
                        "MISSED",
                        "no heartbeat for 47 s (expected every 15 s, grace 30 s)"));
        assertThat(missed.notices())
                .extracting(NoticeRequest::event, NoticeRequest::channels, NoticeRequest::summary)
                .containsExactly(Tuple.tuple(
                        Event.FIRING,
                        CHANNELS,
                        "monitor-5 is DOWN: MISSED no heartbeat for 47 s (expected every 15 s, grace 30 s)"));
        assertThat(evaluator.find(5).orElseThrow().details())
                .isEqualTo("DOWN: MISSED no heartbeat for 47 s (expected every 15 s, grace 30 s)");
    }

    @Test
    void beatsOnTimeKeepItUpSilenceMakesItDownAndTheNextBeatResolves() {
        var evaluator = evaluator(EXPORT);
        for (int second = 0; second <= 100; second += 15) {
            evaluator.apply(beat(second, "success"));
            evaluator.tick(at(second + 1), List.of());
        }
        assertThat(state(evaluator)).isEqualTo(State.UP);
        evaluator.drain();

        evaluator.tick(at(135), List.of()); // last beat at 90: deadline 135
        assertThat(evaluator.drain().notices()).isEmpty();
        evaluator.tick(at(136), List.of());
        assertThat(evaluator.drain().notices()).extracting(NoticeRequest::event).containsExactly(Event.FIRING);
        assertThat(evaluator.find(5).orElseThrow().since()).isEqualTo(at(135));

        evaluator.apply(beat(150, "success"));
        var back = evaluator.drain();
        assertThat(state(evaluator)).isEqualTo(State.UP);
        assertThat(back.notices()).extracting(NoticeRequest::event).containsExactly(Event.RESOLVED);
        assertThat(back.incidents()).singleElement().satisfies(i -> {
            assertThat(i.openedAt()).isEqualTo(at(135));
            assertThat(i.resolvedAt()).isEqualTo(at(150));
        });
    }

    @Test
    void anExplicitFailureIsDownAtOnceByDefaultAndStartAndLogBeatsChangeNothing() {
        var evaluator = evaluator(EXPORT);
        evaluator.apply(beat(0, "success"));
        evaluator.apply(beat(10, "start"));
        evaluator.apply(beat(20, "log"));
        evaluator.drain();
        assertThat(state(evaluator)).isEqualTo(State.UP);
        // start and log are no sign of a finished run: the deadline still counts from the beat at 0
        evaluator.tick(at(46), List.of());
        assertThat(state(evaluator)).isEqualTo(State.DOWN);
        evaluator.apply(beat(50, "success"));
        assertThat(state(evaluator)).isEqualTo(State.UP);
        evaluator.drain();

        evaluator.apply(beat(60, "fail"));
        var failed = evaluator.drain();
        assertThat(state(evaluator)).isEqualTo(State.DOWN);
        assertThat(failed.incidents())
                .extracting(Incident::errorType, Incident::errorMessage)
                .containsExactly(Tuple.tuple("FAIL", "exit status 3"));
        assertThat(failed.notices()).extracting(NoticeRequest::event).containsExactly(Event.FIRING);
        assertThat(failed.ignoredHeartbeats()).isZero();
    }

    @Test
    void downAfterOnThePushRowCountsExplicitFailuresLikeFailedProbes() {
        var evaluator = evaluator(monitor(5, Policy.push(60, 2, null, null, null, null), PUSH));
        evaluator.apply(beat(0, "fail"));
        assertThat(state(evaluator)).isEqualTo(State.UNKNOWN);
        evaluator.apply(beat(60, "fail"));
        assertThat(state(evaluator)).isEqualTo(State.DOWN);
    }

    @Test
    void aRestoredMonitorKeepsItsDeadlineFromTheLastBeat() {
        var store = new Store();
        var evaluator = evaluator(EXPORT);
        evaluator.apply(beat(0, "success"));
        store.persist(evaluator.drain());
        var restored = store.restore(at(20));
        restored.configure(List.of(EXPORT), Scenario.CODES, Scenario.DEFAULT_CHANNELS, at(20));
        restored.tick(at(45), List.of());
        assertThat(restored.find(5).orElseThrow().state()).isEqualTo(State.UP);
        restored.tick(at(46), List.of());
        assertThat(restored.find(5).orElseThrow().state()).isEqualTo(State.DOWN);
    }
}
