package dev.vantage.evaluate;

import static dev.vantage.evaluate.Scenario.CHANNELS;
import static dev.vantage.evaluate.Scenario.CODES;
import static dev.vantage.evaluate.Scenario.DEFAULT_CHANNELS;
import static dev.vantage.evaluate.Scenario.LOST_AFTER;
import static dev.vantage.evaluate.Scenario.T0;
import static dev.vantage.evaluate.Scenario.at;
import static dev.vantage.evaluate.Scenario.fail;
import static dev.vantage.evaluate.Scenario.ok;
import static dev.vantage.evaluate.Scenario.policy;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.vantage.notify.Event;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Monitor dependencies: a dependent that goes DOWN while its dependency fails is suppressed (state recorded, incident
 * linked, no notice of its own), whatever the order of the rows within a batch.
 */
class EvaluatorDependencyTest {
    private static final int DB = 1;
    private static final int API_A = 2;
    private static final int API_B = 3;

    /** Down after 1 failure, up after 1 success, one datacenter (NY). */
    private static MonitorConfig monitor(int id, String name, Integer... dependsOn) {
        return new MonitorConfig(id, name, policy(1, 1, 1, null), Set.of(1), CHANNELS, Set.of(dependsOn));
    }

    private static Evaluator databaseAndTwoApis() {
        return Scenario.evaluator(monitor(DB, "db"), monitor(API_A, "api-a", DB), monitor(API_B, "api-b", DB));
    }

    private static Incident incident(Evaluator e, int monitorId) {
        return e.findIncident(IncidentKey.monitor(monitorId)).orElseThrow();
    }

    @ParameterizedTest(name = "rows in order {0}")
    @ValueSource(strings = {"1 2 3", "2 3 1", "3 1 2", "3 2 1"})
    void aDependencyAndItsDependentsFailingInOneBatchNotifyOnlyTheDependencyWhateverTheRowOrder(String order) {
        var evaluator = databaseAndTwoApis();
        for (String id : order.split(" ")) {
            evaluator.apply(fail(Integer.parseInt(id), 1, 10));
        }
        var changes = evaluator.drain();

        assertThat(changes.notices())
                .extracting(NoticeRequest::key, NoticeRequest::event, NoticeRequest::at)
                .containsExactly(tuple(IncidentKey.monitor(DB), Event.FIRING, at(10)));
        var database = incident(evaluator, DB);
        for (int api : List.of(API_A, API_B)) {
            assertThat(evaluator.find(api).orElseThrow().state()).isEqualTo(State.DOWN);
            var suppressed = incident(evaluator, api);
            assertThat(suppressed.notified()).isFalse();
            assertThat(suppressed.scope()).isEqualTo(Incident.SCOPE_GLOBAL);
            assertThat(suppressed.suppressedBy()).isEqualTo(database.ref());
        }
        assertThat(changes.incidents())
                .filteredOn(i -> i.key().subjectId() != DB)
                .allSatisfy(i -> assertThat(i.suppressedBy()).isEqualTo(database.ref()));
        assertThat(changes.monitorStates()).extracting(MonitorStatus::state).containsOnly(State.DOWN);
    }

    @Test
    void aDependentGoingDownWhileItsDependencyIsDownIsSuppressedAndResolvesSilently() {
        var evaluator = databaseAndTwoApis();
        evaluator.apply(fail(DB, 1, 10));
        assertThat(evaluator.drain().notices()).hasSize(1);

        evaluator.apply(fail(API_A, 1, 20));
        var suppressed = evaluator.drain();
        assertThat(suppressed.notices()).isEmpty();
        assertThat(suppressed.incidents()).singleElement().satisfies(i -> {
            assertThat(i.key()).isEqualTo(IncidentKey.monitor(API_A));
            assertThat(i.suppressedBy()).isEqualTo(new IncidentRef(IncidentKey.monitor(DB), at(10)));
        });

        evaluator.apply(ok(API_A, 1, 30)); // the API recovers first: nobody heard of it, nobody hears it is over
        var resolved = evaluator.drain();
        assertThat(resolved.notices()).isEmpty();
        assertThat(resolved.incidents()).singleElement().satisfies(i -> assertThat(i.resolvedAt())
                .isEqualTo(at(30)));

        evaluator.apply(ok(DB, 1, 40));
        assertThat(evaluator.drain().notices())
                .extracting(NoticeRequest::key, NoticeRequest::event)
                .containsExactly(tuple(IncidentKey.monitor(DB), Event.RESOLVED));
    }

    @Test
    void aDependentThatFailsBeforeItsDependencyFiresOnItsOwn() {
        var evaluator = databaseAndTwoApis();
        evaluator.apply(fail(API_A, 1, 10));
        var first = evaluator.drain();
        assertThat(first.notices())
                .extracting(NoticeRequest::key, NoticeRequest::event)
                .containsExactly(tuple(IncidentKey.monitor(API_A), Event.FIRING));
        assertThat(incident(evaluator, API_A).suppressedBy()).isNull();

        evaluator.apply(fail(DB, 1, 20));
        assertThat(evaluator.drain().notices()).extracting(NoticeRequest::key).containsExactly(IncidentKey.monitor(DB));
        assertThat(incident(evaluator, API_A).suppressedBy()).isNull();
    }

    @Test
    void whenTheDependencyRecoversFirstTheStillDownDependentFiresOnItsOwnAndLaterResolves() {
        var evaluator = databaseAndTwoApis();
        evaluator.apply(fail(DB, 1, 10));
        evaluator.apply(fail(API_A, 1, 10));
        evaluator.drain();

        evaluator.apply(ok(DB, 1, 20)); // the database is back; api-a is still DOWN: its outage is its own
        evaluator.apply(fail(API_A, 1, 20));
        var own = evaluator.drain();
        assertThat(own.notices())
                .extracting(NoticeRequest::key, NoticeRequest::event, NoticeRequest::at)
                .containsExactly(
                        tuple(IncidentKey.monitor(DB), Event.RESOLVED, at(20)),
                        tuple(IncidentKey.monitor(API_A), Event.FIRING, at(20)));
        var fired = incident(evaluator, API_A);
        assertThat(fired.notified()).isTrue();
        assertThat(fired.suppressedBy())
                .as("kept as a record")
                .isEqualTo(new IncidentRef(IncidentKey.monitor(DB), at(10)));

        evaluator.apply(ok(API_A, 1, 30));
        assertThat(evaluator.drain().notices())
                .extracting(NoticeRequest::key, NoticeRequest::event)
                .containsExactly(tuple(IncidentKey.monitor(API_A), Event.RESOLVED));
    }

    @Test
    void aDependencyThatRecoversAndADependentThatRecoversInTheSameBatchNotifyOnlyTheDependency() {
        var evaluator = databaseAndTwoApis();
        evaluator.apply(fail(DB, 1, 10));
        evaluator.apply(fail(API_A, 1, 10));
        evaluator.drain();

        evaluator.apply(ok(DB, 1, 20));
        evaluator.apply(ok(API_A, 1, 20));
        assertThat(evaluator.drain().notices())
                .extracting(NoticeRequest::key, NoticeRequest::event)
                .containsExactly(tuple(IncidentKey.monitor(DB), Event.RESOLVED));
    }

    @ParameterizedTest(name = "rows in order {0}")
    @ValueSource(strings = {"1 2 3", "3 2 1", "2 3 1"})
    void aChainLinksEveryDependentToTheRootIncident(String order) {
        // 3 depends on 2, which depends on 1: only 1 notifies, and its notice is the one both are linked to.
        var evaluator = Scenario.evaluator(monitor(1, "dns"), monitor(2, "db", 1), monitor(3, "api", 2));
        for (String id : order.split(" ")) {
            evaluator.apply(fail(Integer.parseInt(id), 1, 10));
        }
        var changes = evaluator.drain();

        assertThat(changes.notices()).extracting(NoticeRequest::key).containsExactly(IncidentKey.monitor(1));
        var root = incident(evaluator, 1).ref();
        assertThat(incident(evaluator, 2).suppressedBy()).isEqualTo(root);
        assertThat(incident(evaluator, 3).suppressedBy()).isEqualTo(root);
    }

    @Test
    void aDependencyWhoseFiredIncidentIsStillOpenSuppressesThoughNoLongerDownGlobally() {
        // Two datacenters, quorum 1: the database fired, then NY recovered while VA is lost from sight (UNKNOWN).
        var db = new MonitorConfig(DB, "db", Policy.of(10, 2, 1, 1, null, null, 1, null, null), Set.of(1, 2), CHANNELS);
        var evaluator = Scenario.evaluator(db, monitor(API_A, "api-a", DB));
        evaluator.apply(fail(DB, 1, 10));
        evaluator.apply(fail(DB, 2, 10));
        evaluator.drain();
        evaluator.apply(ok(DB, 1, 20));
        evaluator.tick(at(60), List.of()); // VA silent past its grace: UNKNOWN, the incident waits for it
        evaluator.drain();
        assertThat(evaluator.find(DB).orElseThrow().state()).isNotEqualTo(State.DOWN);
        assertThat(incident(evaluator, DB).isOpen()).isTrue();

        evaluator.apply(fail(API_A, 1, 70));
        var changes = evaluator.drain();
        assertThat(changes.notices()).isEmpty();
        assertThat(incident(evaluator, API_A).suppressedBy())
                .isEqualTo(incident(evaluator, DB).ref());
    }

    @Test
    void aDependencyThatIsOnlyUnknownSuppressesNothing() {
        var evaluator = databaseAndTwoApis();
        evaluator.apply(ok(DB, 1, 0));
        evaluator.tick(at(60), List.of()); // the database's datacenter is lost from sight: UNKNOWN, not DOWN
        evaluator.drain();
        assertThat(evaluator.find(DB).orElseThrow().state()).isEqualTo(State.UNKNOWN);

        evaluator.apply(fail(API_A, 1, 70));
        assertThat(evaluator.drain().notices())
                .extracting(NoticeRequest::key, NoticeRequest::event)
                .containsExactly(tuple(IncidentKey.monitor(API_A), Event.FIRING));
    }

    @Test
    void aSuppressedDependentThatStartsFlappingSendsNoFlappingNotice() {
        var flappy =
                new MonitorConfig(API_A, "api-a", Scenario.flappy(1, 2, 30, null), Set.of(1), CHANNELS, Set.of(DB));
        var evaluator = Scenario.evaluator(monitor(DB, "db"), flappy);
        evaluator.apply(fail(DB, 1, 10));
        evaluator.drain();

        var notices = new ArrayList<NoticeRequest>();
        for (int s = 20; s <= 80; s += 10) {
            evaluator.apply(s % 20 == 0 ? fail(API_A, 1, s) : ok(API_A, 1, s));
            notices.addAll(evaluator.drain().notices());
        }
        assertThat(evaluator.find(API_A).orElseThrow().flapping()).isTrue();
        assertThat(notices).isEmpty();
    }

    @Test
    void aRestoredSuppressedIncidentStaysSilentUntilItsDependencyRecovers() {
        var original = databaseAndTwoApis();
        original.apply(fail(DB, 1, 10));
        original.apply(fail(API_A, 1, 10));
        original.drain();

        var restored = new Evaluator(LOST_AFTER, T0);
        var states = new ArrayList<DatacenterStatus>();
        var globals = new ArrayList<MonitorStatus>();
        for (int id : List.of(DB, API_A, API_B)) {
            original.find(id, 1).ifPresent(states::add);
            original.find(id).ifPresent(globals::add);
        }
        Collections.reverse(states);
        restored.restore(states, globals, original.openIncidents());
        restored.configure(
                List.of(monitor(DB, "db"), monitor(API_A, "api-a", DB), monitor(API_B, "api-b", DB)),
                CODES,
                DEFAULT_CHANNELS,
                at(15));
        assertThat(restored.drain().notices()).isEmpty();
        assertThat(restored.openIncidents()).isEqualTo(original.openIncidents());

        restored.apply(ok(DB, 1, 20));
        assertThat(restored.drain().notices())
                .extracting(NoticeRequest::key, NoticeRequest::event)
                .containsExactly(
                        tuple(IncidentKey.monitor(DB), Event.RESOLVED),
                        tuple(IncidentKey.monitor(API_A), Event.FIRING));
    }

    @Test
    void aDependencyOnAMonitorThatIsNotConfiguredIsIgnored() {
        var evaluator = Scenario.evaluator(monitor(API_A, "api-a", 99));
        evaluator.apply(fail(API_A, 1, 10));
        assertThat(evaluator.drain().notices()).extracting(NoticeRequest::event).containsExactly(Event.FIRING);
    }

    @Test
    void removingTheFailingDependencyLetsTheSuppressedDependentFire() {
        var evaluator = databaseAndTwoApis();
        evaluator.apply(fail(DB, 1, 10));
        evaluator.apply(fail(API_A, 1, 10));
        evaluator.drain();

        evaluator.configure(List.of(monitor(API_A, "api-a", DB)), CODES, DEFAULT_CHANNELS, at(20));
        assertThat(evaluator.drain().notices())
                .extracting(NoticeRequest::key, NoticeRequest::event)
                .containsExactly(
                        tuple(IncidentKey.monitor(DB), Event.RESOLVED),
                        tuple(IncidentKey.monitor(API_A), Event.FIRING));
    }
}
