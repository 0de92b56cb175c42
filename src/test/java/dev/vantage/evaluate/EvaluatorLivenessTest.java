package dev.vantage.evaluate;

import static dev.vantage.evaluate.Scenario.DEFAULT_CHANNELS;
import static dev.vantage.evaluate.Scenario.at;
import static dev.vantage.evaluate.Scenario.evaluator;
import static dev.vantage.evaluate.Scenario.neverSeen;
import static dev.vantage.evaluate.Scenario.registered;
import static dev.vantage.evaluate.Scenario.seen;
import static dev.vantage.evaluate.Scenario.stopped;
import static org.assertj.core.api.Assertions.assertThat;

import dev.vantage.notify.Event;
import java.util.List;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.Test;

/**
 * A datacenter without a live leader agent is LOST, once {@code lostAfter} has passed in which a leader could have been
 * seen, until FOUND.
 */
class EvaluatorLivenessTest {

    @Test
    void aDatacenterUnseenPastLostAfterOrNeverSeenIsLostOnce() {
        var evaluator = evaluator();
        evaluator.tick(at(100), List.of(seen(1, 70), seen(2, 69), neverSeen(3)));

        var lost = evaluator.drain();
        assertThat(lost.incidents())
                .extracting(Incident::key, Incident::openedAt, Incident::notified, Incident::datacenters)
                .containsExactly(
                        Tuple.tuple(IncidentKey.datacenter(2), at(69), true, List.of(2)),
                        Tuple.tuple(IncidentKey.datacenter(3), at(0), true, List.of(3)));
        assertThat(lost.notices())
                .extracting(NoticeRequest::event, NoticeRequest::channels, NoticeRequest::summary)
                .containsExactly(
                        Tuple.tuple(
                                Event.LOST,
                                DEFAULT_CHANNELS,
                                "datacenter VA lost: no leader agent seen since 2026-11-23T10:01:09Z"),
                        Tuple.tuple(
                                Event.LOST,
                                DEFAULT_CHANNELS,
                                "datacenter FR lost: no leader agent seen since it was first watched at"
                                        + " 2026-11-23T10:00:00Z"));

        evaluator.tick(at(110), List.of(seen(1, 105), seen(2, 69), neverSeen(3)));
        assertThat(evaluator.drain().isEmpty()).isTrue();
    }

    @Test
    void aLostDatacenterSeenAgainIsFound() {
        var evaluator = evaluator();
        evaluator.tick(at(100), List.of(seen(1, 0)));
        evaluator.drain();

        evaluator.tick(at(280), List.of(seen(1, 275)));
        var found = evaluator.drain();
        assertThat(found.incidents()).singleElement().satisfies(i -> {
            assertThat(i.key()).isEqualTo(IncidentKey.datacenter(1));
            assertThat(i.resolvedAt()).isEqualTo(at(280));
        });
        assertThat(found.notices()).singleElement().satisfies(n -> {
            assertThat(n.event()).isEqualTo(Event.FOUND);
            assertThat(n.summary()).isEqualTo("datacenter NY found: leader agent back after 4 min");
        });
        assertThat(evaluator.openIncidents()).isEmpty();
    }

    @Test
    void aLostDatacenterNoLongerWatchedIsClosed() {
        var evaluator = evaluator();
        evaluator.tick(at(100), List.of(neverSeen(7)));
        assertThat(evaluator.drain().notices().getFirst().summary())
                .isEqualTo(
                        "datacenter #7 lost: no leader agent seen since it was first watched at 2026-11-23T10:00:00Z");

        evaluator.tick(at(110), List.of());
        var closed = evaluator.drain();
        assertThat(closed.notices())
                .extracting(NoticeRequest::event, NoticeRequest::summary)
                .containsExactly(Tuple.tuple(Event.RESOLVED, "datacenter #7 is no longer watched; incident closed"));
        assertThat(closed.incidents()).singleElement().satisfies(i -> assertThat(i.resolvedAt())
                .isEqualTo(at(110)));
    }

    @Test
    void aDatacenterWhoseAgentJustRegisteredHasLostAfterToTakeItsLease() {
        var evaluator = evaluator();
        evaluator.tick(at(50), List.of(registered(1, 50)));
        evaluator.tick(at(80), List.of(registered(1, 50)));
        assertThat(evaluator.drain().isEmpty()).isTrue();

        evaluator.tick(at(81), List.of(registered(1, 50)));
        assertThat(evaluator.drain().incidents())
                .extracting(Incident::key, Incident::openedAt)
                .containsExactly(Tuple.tuple(IncidentKey.datacenter(1), at(50)));
    }

    @Test
    void nothingIsLostForASilenceBeforeTheEvaluatorBeganWatching() {
        var evaluator = new Evaluator(Scenario.LOST_AFTER, at(100));
        evaluator.configure(List.of(), Scenario.CODES, DEFAULT_CHANNELS, at(100));
        evaluator.tick(at(100), List.of(neverSeen(1), seen(2, 5)));
        evaluator.tick(at(130), List.of(neverSeen(1), seen(2, 5)));
        assertThat(evaluator.drain().incidents()).isEmpty();

        evaluator.tick(at(131), List.of(neverSeen(1), seen(2, 5)));
        assertThat(evaluator.drain().incidents())
                .extracting(Incident::key, Incident::openedAt)
                .containsExactly(
                        Tuple.tuple(IncidentKey.datacenter(1), at(100)),
                        Tuple.tuple(IncidentKey.datacenter(2), at(100)));
    }

    @Test
    void aDatacenterWhoseAgentsAllStoppedGracefullyIsStoppedNotLost() {
        var evaluator = evaluator();
        evaluator.tick(at(10), List.of(seen(1, 10)));
        evaluator.tick(at(500), List.of(stopped(1, 12)));
        assertThat(evaluator.drain().isEmpty()).isTrue();

        // An agent started again has lostAfter to lead, counted from its registration.
        evaluator.tick(at(600), List.of(registered(1, 590)));
        evaluator.tick(at(620), List.of(registered(1, 590)));
        assertThat(evaluator.drain().isEmpty()).isTrue();
        evaluator.tick(at(621), List.of(registered(1, 590)));
        assertThat(evaluator.drain().notices()).extracting(NoticeRequest::event).containsExactly(Event.LOST);
    }

    @Test
    void aLostDatacenterWhoseAgentsThenStopGracefullyStaysLostUntilALeaderIsSeen() {
        var evaluator = evaluator();
        evaluator.tick(at(100), List.of(seen(1, 60)));
        assertThat(evaluator.drain().notices()).extracting(NoticeRequest::event).containsExactly(Event.LOST);

        evaluator.tick(at(200), List.of(stopped(1, 60)));
        assertThat(evaluator.drain().isEmpty()).isTrue();
        assertThat(evaluator.openIncidents()).hasSize(1);

        evaluator.tick(at(300), List.of(seen(1, 299)));
        assertThat(evaluator.drain().notices()).extracting(NoticeRequest::event).containsExactly(Event.FOUND);
    }

    @Test
    void instantsAreKeptAtTheDatabasePrecisionSoARestoredIncidentIsTheSameIncident() {
        var evaluator = new Evaluator(Scenario.LOST_AFTER, at(0).plusNanos(123_456_789));
        evaluator.configure(List.of(), Scenario.CODES, DEFAULT_CHANNELS, at(0));
        evaluator.tick(at(40).plusNanos(987_654_321), List.of(neverSeen(1)));
        var lost = evaluator.drain();
        assertThat(lost.incidents()).singleElement().satisfies(i -> assertThat(i.openedAt())
                .isEqualTo(at(0).plusNanos(123_456_000)));

        var store = new Store();
        store.persist(lost);
        var restored = store.restore(at(41));
        restored.tick(at(45).plusNanos(1), List.of(seen(1, 44)));
        var found = restored.drain();
        assertThat(found.incidents()).singleElement().satisfies(i -> {
            assertThat(i.openedAt()).isEqualTo(at(0).plusNanos(123_456_000));
            assertThat(i.resolvedAt()).isEqualTo(at(45));
        });
        store.persist(found);
        assertThat(store.openIncidents()).isEmpty();
    }
}
