package dev.vantage.evaluate;

import static dev.vantage.evaluate.Scenario.at;
import static dev.vantage.evaluate.Scenario.evaluator;
import static dev.vantage.evaluate.Scenario.fail;
import static dev.vantage.evaluate.Scenario.monitor;
import static dev.vantage.evaluate.Scenario.ok;
import static dev.vantage.evaluate.Scenario.policy;
import static org.assertj.core.api.Assertions.assertThat;

import dev.vantage.notify.Event;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Maintenance windows: states read MAINTENANCE, nothing notifies, what still fails at the end fires then. */
class EvaluatorMaintenanceTest {

    /** A one-off window over monitor 1 (all datacenters, or those given) from second {@code from} to {@code to}. */
    private static Maintenance window(int from, int to, Integer... datacenters) {
        return new Maintenance(List.of(MaintenanceWindow.oneOff(
                1, "deploy", Set.of(1), datacenters.length == 0 ? null : Set.of(datacenters), at(from), at(to))));
    }

    private static List<NoticeRequest> notices(List<Changes> drained) {
        List<NoticeRequest> out = new ArrayList<>();
        drained.forEach(c -> out.addAll(c.notices()));
        return out;
    }

    /** Applies one token per 10 s in datacenter 1 from second {@code from}, ticking after each; returns the drains. */
    private static List<Changes> run(Evaluator e, int from, String tokens) {
        List<Changes> drained = new ArrayList<>();
        int second = from;
        for (String token : tokens.trim().split("\\s+")) {
            e.apply(token.equals("ok") ? ok(1, 1, second) : fail(1, 1, second));
            e.tick(at(second), List.of());
            drained.add(e.drain());
            second += 10;
        }
        return drained;
    }

    @Test
    void anOutageInsideAWindowShowsMaintenanceNotifiesNothingAndFiresOnceAtItsEnd() {
        var e = evaluator(monitor(1, policy(1), 1));
        e.maintain(window(5, 65));
        List<Changes> drained = new ArrayList<>(run(e, 0, "ok ok fail fail fail fail fail"));

        assertThat(notices(drained)).isEmpty();
        assertThat(e.find(1).orElseThrow().state()).isEqualTo(State.MAINTENANCE);
        var dc = e.find(1, 1).orElseThrow();
        assertThat(dc.state()).isEqualTo(State.DOWN);
        assertThat(dc.shownState()).isEqualTo(State.MAINTENANCE);
        var incident = e.findIncident(IncidentKey.monitor(1)).orElseThrow();
        assertThat(incident.notified()).isFalse();

        e.tick(at(65), List.of());
        var end = e.drain();
        assertThat(end.notices()).extracting(NoticeRequest::event).containsExactly(Event.FIRING);
        assertThat(end.notices().getFirst().at()).isEqualTo(at(65));
        assertThat(e.find(1).orElseThrow().state()).isEqualTo(State.DOWN);
        assertThat(e.find(1, 1).orElseThrow().shownState()).isEqualTo(State.DOWN);

        drained = run(e, 70, "fail fail ok ok");
        assertThat(notices(drained)).extracting(NoticeRequest::event).containsExactly(Event.RESOLVED);
    }

    @Test
    void anOutageThatRecoversInsideTheWindowSendsNothingAtAll() {
        var e = evaluator(monitor(1, policy(1), 1));
        e.maintain(window(5, 95));
        var drained = new ArrayList<>(run(e, 0, "ok fail fail fail fail ok ok ok"));
        e.tick(at(95), List.of());
        drained.add(e.drain());
        drained.addAll(run(e, 100, "ok ok"));

        assertThat(notices(drained)).isEmpty();
        assertThat(e.findIncident(IncidentKey.monitor(1))).isEmpty();
        assertThat(e.find(1).orElseThrow().state()).isEqualTo(State.UP);
    }

    @Test
    void aHeartbeatInsideTheWindowBeforeAnyTickSawItStartsStillEntersMaintenance() {
        var e = evaluator(monitor(1, policy(1, 1, 1, null), 1));
        e.tick(at(1), List.of());
        e.maintain(window(5, 100));
        e.apply(fail(1, 1, 10)); // the slot is in the window; no tick since it began
        assertThat(e.drain().notices()).isEmpty();
        assertThat(e.find(1).orElseThrow().state()).isEqualTo(State.MAINTENANCE);
        assertThat(e.inMaintenance(1, 1)).isTrue();
    }

    @Test
    void aDatacenterInMaintenanceCountsAsUnknownForTheQuorumAndTheOthersStillFire() {
        var policy = Policy.of(10, 3, 1, 1, null, null, 2, null, null);
        var e = evaluator(monitor(1, policy, 1, 2, 3));
        e.maintain(window(0, 1000, 1));
        e.tick(at(0), List.of());
        e.apply(fail(1, 1, 10));
        e.apply(fail(1, 2, 10));
        e.apply(ok(1, 3, 10));
        e.tick(at(10), List.of());
        var first = e.drain();
        assertThat(first.notices()).isEmpty();
        assertThat(e.find(1).orElseThrow().state()).isEqualTo(State.PARTIAL);
        assertThat(e.find(1).orElseThrow().datacentersDown()).containsExactly(2);
        assertThat(e.find(1, 1).orElseThrow().shownState()).isEqualTo(State.MAINTENANCE);

        e.apply(fail(1, 3, 20)); // two datacenters outside the window: a quorum
        assertThat(e.drain().notices()).extracting(NoticeRequest::event).containsExactly(Event.FIRING);
        assertThat(e.find(1).orElseThrow().datacentersDown()).containsExactly(2, 3);
    }

    @Test
    void enteringAndLeavingMaintenanceDoesNotCountTowardsFlapping() {
        var e = evaluator(monitor(1, Scenario.flappy(1, 2, 60, null), 1));
        e.apply(ok(1, 1, 0));
        for (int i = 0; i < 3; i++) {
            int start = 10 + i * 20;
            e.maintain(window(start, start + 10));
            e.apply(ok(1, 1, start));
            e.tick(at(start), List.of());
            e.apply(ok(1, 1, start + 10));
            e.tick(at(start + 10), List.of());
        }
        assertThat(e.find(1).orElseThrow().flapping()).isFalse();
        assertThat(e.find(1).orElseThrow().stateChanges()).hasSize(1); // UNKNOWN to UP only
    }

    @Test
    void aCertificateWarningInsideAWindowWaitsForItsEnd() {
        var e = evaluator(monitor(1, policy(1), 1));
        e.maintain(window(0, 30));
        e.tick(at(0), List.of());
        Instant notAfter = at(5 * 86_400);
        e.apply(Scenario.expiring(1, 1, 10, notAfter));
        assertThat(e.drain().notices()).isEmpty();
        e.tick(at(30), List.of());
        e.drain();
        e.apply(Scenario.expiring(1, 1, 40, notAfter));
        assertThat(e.drain().notices()).extracting(NoticeRequest::event).containsExactly(Event.CERTIFICATE);
    }

    @Test
    void aRestoredRowKeepsItsUnderlyingStateAndTheWindowIsJudgedAgainAtTheFirstTick() {
        var e = evaluator(monitor(1, policy(1, 1, 1, null), 1));
        e.maintain(window(0, 100));
        e.tick(at(0), List.of());
        e.apply(fail(1, 1, 10));
        e.tick(at(10), List.of());
        var rows = e.drain();
        var dc = rows.datacenterStates().getLast();
        assertThat(dc.maintenance()).isTrue();
        assertThat(dc.state()).isEqualTo(State.DOWN);

        var restored = new Evaluator(Scenario.LOST_AFTER, at(20));
        restored.restore(List.of(dc), rows.monitorStates(), List.copyOf(rows.incidents()));
        restored.configure(
                List.of(monitor(1, policy(1, 1, 1, null), 1)), Scenario.CODES, Scenario.DEFAULT_CHANNELS, at(20));
        restored.maintain(Maintenance.NONE);
        restored.drain();
        restored.tick(at(21), List.of());
        var after = restored.drain();
        assertThat(after.notices()).extracting(NoticeRequest::event).containsExactly(Event.FIRING);
        assertThat(restored.find(1, 1).orElseThrow().shownState()).isEqualTo(State.DOWN);
    }
}
