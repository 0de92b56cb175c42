package dev.vantage.evaluate;

import static dev.vantage.evaluate.Scenario.DEFAULT_CHANNELS;
import static dev.vantage.evaluate.Scenario.at;
import static dev.vantage.evaluate.Scenario.evaluator;
import static dev.vantage.evaluate.Scenario.neverSeen;
import static dev.vantage.evaluate.Scenario.seen;
import static org.assertj.core.api.Assertions.assertThat;

import dev.vantage.notify.Event;
import java.util.List;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.Test;

/** A datacenter without a live leader agent is LOST until FOUND. */
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
                        Tuple.tuple(IncidentKey.datacenter(3), at(100), true, List.of(3)));
        assertThat(lost.notices())
                .extracting(NoticeRequest::event, NoticeRequest::channels, NoticeRequest::summary)
                .containsExactly(
                        Tuple.tuple(
                                Event.LOST,
                                DEFAULT_CHANNELS,
                                "datacenter VA lost: no leader agent seen since 2026-11-23T10:01:09Z"),
                        Tuple.tuple(Event.LOST, DEFAULT_CHANNELS, "datacenter FR lost: no leader agent ever seen"));

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
                .isEqualTo("datacenter #7 lost: no leader agent ever seen");

        evaluator.tick(at(110), List.of());
        var closed = evaluator.drain();
        assertThat(closed.notices())
                .extracting(NoticeRequest::event, NoticeRequest::summary)
                .containsExactly(Tuple.tuple(Event.RESOLVED, "datacenter #7 is no longer watched; incident closed"));
        assertThat(closed.incidents()).singleElement().satisfies(i -> assertThat(i.resolvedAt())
                .isEqualTo(at(110)));
    }
}
