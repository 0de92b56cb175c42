package dev.vantage.monitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vantage.evaluate.MonitorConfig;
import dev.vantage.evaluate.Phase;
import dev.vantage.evaluate.PhaseThreshold;
import dev.vantage.notify.NotifierContext;
import dev.vantage.notify.NotifierRegistry;
import dev.vantage.testing.PostgresExtension;
import dev.vantage.testing.PostgresExtension.Fresh;
import dev.vantage.testing.TestDatabase;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@code phase_thresholds} and {@code notify_degraded_after} as V17 constrains them and the monitor module loads them. */
@ExtendWith(PostgresExtension.class)
class PhaseThresholdsIT {

    private static void seed(TestDatabase db) {
        db.execute("INSERT INTO regions (name, region_code) VALUES ('Everywhere', 'all')");
        db.execute("INSERT INTO datacenters (id, code, region_id) VALUES (1, 'NY', 1), (2, 'SYD', 1)");
        db.execute("INSERT INTO schedules (id, name, interval) VALUES (1, 'every minute', 60)");
        db.execute("INSERT INTO api_monitors (id, name, url, schedule_id, notify_degraded_after)"
                + " VALUES (1, 'checkout', 'http://127.0.0.1:9/', 1, 5), (2, 'other', 'http://127.0.0.1:9/', 1, NULL)");
        db.execute("INSERT INTO datacenter_monitors (datacenter_id, monitor_id) VALUES (1, 1), (2, 1), (1, 2)");
    }

    private static MonitorConfig load(TestDatabase db, int monitorId) {
        var configs =
                new MonitorConfigs(db.jdbi(), NotifierRegistry.standard(NotifierContext.of(null, Clock.systemUTC())));
        configs.reload("test");
        return configs.current().monitors().stream()
                .filter(m -> m.monitorId() == monitorId)
                .findFirst()
                .orElseThrow();
    }

    @Test
    void theMonitorModuleLoadsTheOptInAndTheThresholdsOfEachMonitor(@Fresh TestDatabase db) {
        seed(db);
        db.execute(
                "INSERT INTO phase_thresholds (monitor_id, datacenter_id, phase, warning_ms) VALUES"
                        + " (1, NULL, 'dns_lookup_ms', 100), (1, 2, 'dns_lookup_ms', 250.5), (1, 2, 'time_to_first_byte_ms', 800)");

        var checkout = load(db, 1);
        var other = load(db, 2);

        assertThat(checkout.notifyDegradedAfter()).isEqualTo(5);
        assertThat(checkout.phaseThresholds())
                .containsExactlyInAnyOrder(
                        new PhaseThreshold(Phase.DNS_LOOKUP, null, 100),
                        new PhaseThreshold(Phase.DNS_LOOKUP, 2, 250.5),
                        new PhaseThreshold(Phase.TIME_TO_FIRST_BYTE, 2, 800));
        assertThat(other.notifyDegradedAfter()).isNull();
        assertThat(other.phaseThresholds()).isEmpty();
    }

    @Test
    void theSchemaRefusesRowsTheEvaluatorCouldNotUse(@Fresh TestDatabase db) {
        seed(db);
        db.execute("INSERT INTO phase_thresholds (monitor_id, phase, warning_ms) VALUES (1, 'dns_lookup_ms', 100)");

        // NULLS NOT DISTINCT: a second all-datacenters row of the same phase is a duplicate.
        assertThatThrownBy(
                        () -> db.execute(
                                "INSERT INTO phase_thresholds (monitor_id, phase, warning_ms) VALUES (1, 'dns_lookup_ms', 200)"))
                .hasMessageContaining("phase_thresholds_monitor_id_datacenter_id_phase_key");
        assertThatThrownBy(
                        () -> db.execute(
                                "INSERT INTO phase_thresholds (monitor_id, phase, warning_ms) VALUES (1, 'response_time_ms', 9)"))
                .hasMessageContaining("phase_thresholds_phase_check");
        assertThatThrownBy(() -> db.execute(
                        "INSERT INTO phase_thresholds (monitor_id, phase, warning_ms) VALUES (1, 'tcp_connect_ms', 0)"))
                .hasMessageContaining("phase_thresholds_warning_ms_check");
        assertThatThrownBy(() -> db.execute("UPDATE api_monitors SET notify_degraded_after = 0 WHERE id = 1"))
                .hasMessageContaining("api_monitors_notify_degraded_after_check");

        db.execute("DELETE FROM api_monitors WHERE id = 1");
        assertThat(db.count("SELECT count(*) FROM phase_thresholds")).isZero();
    }

    @Test
    void aDegradedIncidentHasItsOwnDedupKey(@Fresh TestDatabase db) {
        seed(db);
        db.execute("INSERT INTO incidents (kind, monitor_id, scope, opened_at, datacenters, notified)"
                + " VALUES ('degraded', 1, 'global', now(), '{2}', true)");
        db.execute("INSERT INTO incidents (kind, monitor_id, scope, opened_at, datacenters, notified)"
                + " VALUES ('monitor', 1, 'datacenter', now(), '{1}', false)");

        List<String> keys = db.jdbi()
                .withHandle(h -> h.createQuery("SELECT kind || ' ' || dedup_key FROM incidents ORDER BY id")
                        .mapTo(String.class)
                        .list());

        assertThat(keys).hasSize(2);
        assertThat(keys.get(0)).matches("degraded vantage-degraded-\\d+");
        assertThat(keys.get(1)).matches("monitor vantage-incident-\\d+");
        assertThatThrownBy(() -> db.execute("INSERT INTO incidents (kind, monitor_id, scope, opened_at, datacenters,"
                        + " notified) VALUES ('degraded', 1, 'global', now(), '{1}', true)"))
                .hasMessageContaining("incidents_open_degraded_key");
    }
}
