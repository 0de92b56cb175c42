package dev.vantage.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vantage.evaluate.Changes;
import dev.vantage.evaluate.DatacenterLiveness;
import dev.vantage.evaluate.Evaluator;
import dev.vantage.evaluate.MonitorConfig;
import dev.vantage.evaluate.Scenario;
import dev.vantage.testing.PostgresExtension;
import dev.vantage.testing.PostgresExtension.Fresh;
import dev.vantage.testing.TestDatabase;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Incidents and their notices through real rows, across transactions and rebuilds, at the wall clock's precision. */
@ExtendWith(PostgresExtension.class)
class IncidentStoreIT {
    private static final IncidentStore.Names NAMES = new IncidentStore.Names() {
        @Override
        public String monitorName(int monitorId) {
            return "monitor-" + monitorId;
        }

        @Override
        public String target(int monitorId) {
            return null;
        }

        @Override
        public String datacenterCode(int datacenterId) {
            return "DC" + datacenterId;
        }
    };

    @Test
    void aDatacenterLostAtANanosecondInstantIsFoundInALaterTransaction(@Fresh TestDatabase db) {
        db.execute("INSERT INTO regions (name) VALUES ('r')");
        db.execute("INSERT INTO datacenters (id, code, region_id) VALUES (2, 'NY', 1)");
        db.execute("INSERT INTO notification_channels (id, name, type, settings, is_default)"
                + " VALUES (1, 'log', 'log', '{}', true)");
        // The wall clock of a JVM on Linux has sub-microsecond digits; PostgreSQL keeps microseconds.
        Instant start = Instant.parse("2026-12-06T03:34:43.390123789Z");
        var evaluator = new Evaluator(Duration.ofSeconds(10), start);
        evaluator.configure(List.of(), Map.of(2, "NY"), List.of(1), start);
        var registeredOnly = List.of(DatacenterLiveness.running(2, start.plusMillis(800), null));

        evaluator.tick(start.plusSeconds(12).plusNanos(345_678_901), registeredOnly);
        persist(db, evaluator.drain());
        evaluator.tick(
                start.plusSeconds(14).plusNanos(1),
                List.of(DatacenterLiveness.running(2, start.plusMillis(800), start.plusSeconds(13))));
        persist(db, evaluator.drain());

        assertThat(db.count("SELECT count(*) FROM incidents WHERE kind = 'datacenter' AND resolved_at IS NOT NULL"))
                .isEqualTo(1);
        List<String> events = db.jdbi().withHandle(h -> h.createQuery("SELECT event FROM notifications ORDER BY id")
                .mapTo(String.class)
                .list());
        assertThat(events).containsExactly("lost", "found");
        assertThat(db.count("SELECT count(DISTINCT incident_id) FROM notifications"))
                .isEqualTo(1);
    }

    @Test
    void aRebuiltEvaluatorResolvesTheIncidentItsPredecessorOpened(@Fresh TestDatabase db) {
        db.execute("INSERT INTO regions (name) VALUES ('r')");
        db.execute("INSERT INTO datacenters (id, code, region_id) VALUES (3, 'LON', 1)");
        Instant start = Instant.parse("2026-12-06T03:34:43.000000999Z");
        var first = new Evaluator(Duration.ofSeconds(10), start);
        first.configure(List.of(), Map.of(3, "LON"), List.of(), start);
        first.tick(start.plusSeconds(11).plusNanos(7), List.of(DatacenterLiveness.running(3, start, null)));
        persist(db, first.drain());

        Instant rebuiltAt = start.plusSeconds(12).plusNanos(3);
        var rebuilt = new Evaluator(Duration.ofSeconds(10), rebuiltAt);
        db.jdbi().useHandle(h -> rebuilt.restore(List.of(), List.of(), IncidentStore.listOpen(h)));
        rebuilt.configure(List.of(), Map.of(3, "LON"), List.of(), rebuiltAt);
        rebuilt.tick(rebuiltAt.plusSeconds(1), List.of(DatacenterLiveness.running(3, start, rebuiltAt.plusNanos(500))));
        persist(db, rebuilt.drain());

        assertThat(db.count("SELECT count(*) FROM incidents")).isEqualTo(1);
        assertThat(db.count("SELECT count(*) FROM incidents WHERE resolved_at IS NOT NULL"))
                .isEqualTo(1);
    }

    @Test
    void aCertificateIsNotifiedOnceUnderADedupKeyNamingItAcrossARebuildAndWithoutReminders(@Fresh TestDatabase db) {
        db.execute("INSERT INTO notification_channels (id, name, type, settings, is_default)"
                + " VALUES (1, 'log', 'log', '{}', true)");
        Instant notAfter = Instant.parse("2026-11-28T10:00:00Z");
        String dedupKey = "vantage-certificate-5-" + notAfter.getEpochSecond();
        var monitors = List.of(new MonitorConfig(5, "shop", Scenario.policy(1), java.util.Set.of(2), List.of(1)));
        var first = new Evaluator(Duration.ofSeconds(10), Scenario.T0);
        first.configure(monitors, Map.of(2, "NY"), List.of(1), Scenario.T0);
        persist(db, first.drain());
        for (int s = 0; s < 50; s += 10) {
            first.apply(Scenario.expiring(5, 2, s, notAfter));
            persist(db, first.drain());
        }

        var rebuilt = new Evaluator(Duration.ofSeconds(10), Scenario.at(55));
        db.jdbi().useHandle(h -> rebuilt.restore(List.of(), List.of(), IncidentStore.listOpen(h)));
        assertThat(rebuilt.openIncidents()).isEqualTo(first.openIncidents());
        rebuilt.configure(monitors, Map.of(2, "NY"), List.of(1), Scenario.at(55));
        for (int s = 60; s < 100; s += 10) {
            rebuilt.apply(Scenario.expiring(5, 2, s, notAfter));
            persist(db, rebuilt.drain());
        }
        int reminders = db.jdbi()
                .inTransaction(h ->
                        dev.vantage.notify.Reminders.enqueue(h, Scenario.at(100).plus(Duration.ofDays(1))));
        assertThat(reminders).as("a certificate is told once, never reminded").isZero();
        rebuilt.apply(Scenario.ok(5, 2, 100));
        persist(db, rebuilt.drain());

        List<String> rows = db.jdbi().withHandle(h -> h.createQuery(
                        "SELECT n.event || ' ' || n.dedup_key || ' ' || i.dedup_key || ' ' || (n.payload ->> 'kind')"
                                + " FROM notifications n JOIN incidents i ON i.id = n.incident_id ORDER BY n.id")
                .mapTo(String.class)
                .list());
        assertThat(rows)
                .containsExactly(
                        "certificate " + dedupKey + " " + dedupKey + " certificate",
                        "renewed " + dedupKey + " " + dedupKey + " certificate");
        assertThat(db.count("SELECT count(*) FROM incidents WHERE kind = 'certificate' AND resolved_at IS NOT NULL"
                        + " AND cert_not_after = '2026-11-28T10:00:00Z' AND monitor_id = 5"))
                .isEqualTo(1);
    }

    @Test
    void theSchemaRefusesACertificateIncidentWithoutItsCertificate(@Fresh TestDatabase db) {
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> db.execute(
                                "INSERT INTO incidents (kind, monitor_id, scope, opened_at) VALUES ('certificate', 5, 'global', now())"))
                .hasMessageContaining("incidents_subject_check");
    }

    private static void persist(TestDatabase db, Changes changes) {
        db.jdbi().useTransaction(h -> {
            try {
                IncidentStore.persist(h, changes, NAMES);
            } catch (java.sql.SQLException e) {
                throw new IllegalStateException(e);
            }
        });
    }
}
