package dev.vantage.lifecycle;

import static dev.vantage.lifecycle.Lifecycles.ensurePartitions;
import static dev.vantage.lifecycle.Lifecycles.heartbeat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.vantage.Meters;
import dev.vantage.testing.PostgresExtension;
import dev.vantage.testing.PostgresExtension.Fresh;
import dev.vantage.testing.SettableClock;
import dev.vantage.testing.TestDatabase;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(PostgresExtension.class)
class RollupIT {
    private static final String ROW = "SELECT * FROM api_heartbeat_rollups WHERE monitor_id = ? AND datacenter_id = ?"
            + " AND hour = ?::timestamptz";

    /**
     * Monitor 1 from datacenter 1, 10:00-11:00: four successes of 10, 20, 30 and 40 ms (TLS 5 and 7 ms on two of them),
     * a TIMEOUT of 5000 ms and a CONNECT failure; 11:00-12:00: one success of 50 ms. From datacenter 2, 10:00-11:00: two
     * successes of 100 and 200 ms.
     */
    private static void seed(TestDatabase db) {
        ensurePartitions(db, "2026-01-15", 1);
        heartbeat(db, 1, 1, "2026-01-15T10:00:00Z", null, 10.0, 5.0);
        heartbeat(db, 1, 1, "2026-01-15T10:10:00Z", null, 20.0, null);
        heartbeat(db, 1, 1, "2026-01-15T10:20:00Z", null, 30.0, 7.0);
        heartbeat(db, 1, 1, "2026-01-15T10:30:00Z", null, 40.0, null);
        heartbeat(db, 1, 1, "2026-01-15T10:40:00Z", "TIMEOUT", 5000.0, null);
        heartbeat(db, 1, 1, "2026-01-15T10:59:59.999999Z", "CONNECT", null, null);
        heartbeat(db, 1, 1, "2026-01-15T11:00:00Z", null, 50.0, null);
        heartbeat(db, 1, 2, "2026-01-15T10:05:00Z", null, 100.0, null);
        heartbeat(db, 1, 2, "2026-01-15T10:15:00Z", null, 200.0, null);
    }

    private static long rollUp(TestDatabase db, String from, String to) {
        return db.count("SELECT vantage_rollup_heartbeats(?::timestamptz, ?::timestamptz)", from, to);
    }

    private static Map<String, Object> row(TestDatabase db, int monitor, int datacenter, String hour) {
        return db.jdbi().withHandle(h -> h.createQuery(ROW)
                .bind(0, monitor)
                .bind(1, datacenter)
                .bind(2, hour)
                .mapToMap()
                .one());
    }

    @Test
    void countsAndPercentilesMatchTheHandComputedValues(@Fresh TestDatabase db) {
        seed(db);

        assertThat(rollUp(db, "2026-01-15T10:00:00Z", "2026-01-15T12:00:00Z")).isEqualTo(3);

        var first = row(db, 1, 1, "2026-01-15T10:00:00Z");
        assertThat(first.get("probes")).isEqualTo(6);
        assertThat(first.get("successes")).isEqualTo(4);
        assertThat(db.count(
                        "SELECT count(*) FROM api_heartbeat_rollups WHERE errors = '{\"TIMEOUT\": 1, \"CONNECT\": 1}'"))
                .isEqualTo(1);
        // percentile_cont over the successes 10, 20, 30, 40: p50 halfway between 20 and 30; p95 at rank 0.95 * 3 =
        // 2.85, so 30 + 0.85 * 10; p99 at 2.97. The failures' 5000 ms count nowhere.
        assertThat((double) first.get("response_time_p50_ms")).isEqualTo(25.0);
        assertThat((double) first.get("response_time_p95_ms")).isCloseTo(38.5, within(1e-9));
        assertThat((double) first.get("response_time_p99_ms")).isCloseTo(39.7, within(1e-9));
        assertThat((double) first.get("tcp_connect_p50_ms")).isEqualTo(2.5);
        // A phase that did not happen (NULL) is skipped: TLS of 5 and 7 only.
        assertThat((double) first.get("tls_handshake_p50_ms")).isEqualTo(6.0);
        assertThat((double) first.get("tls_handshake_p95_ms")).isCloseTo(6.9, within(1e-9));
        assertThat(first.get("dns_lookup_p50_ms")).isNull();

        var second = row(db, 1, 1, "2026-01-15T11:00:00Z");
        assertThat(second.get("probes")).isEqualTo(1);
        assertThat(second.get("response_time_p99_ms")).isEqualTo(50.0);
        assertThat(db.count("SELECT count(*) FROM api_heartbeat_rollups WHERE hour = '2026-01-15T11:00:00Z'"
                        + " AND errors = '{}'"))
                .isEqualTo(1);

        var otherDatacenter = row(db, 1, 2, "2026-01-15T10:00:00Z");
        assertThat(otherDatacenter.get("probes")).isEqualTo(2);
        assertThat(otherDatacenter.get("response_time_p50_ms")).isEqualTo(150.0);
    }

    @Test
    void rollingUpAgainChangesNothing(@Fresh TestDatabase db) {
        seed(db);
        String columns = "monitor_id, datacenter_id, hour, probes, successes, errors, response_time_p50_ms,"
                + " response_time_p95_ms, response_time_p99_ms, tls_handshake_p50_ms";
        String all = "SELECT " + columns + " FROM api_heartbeat_rollups ORDER BY 1, 2, 3";

        rollUp(db, "2026-01-15T00:00:00Z", "2026-01-16T00:00:00Z");
        List<Map<String, Object>> once =
                db.jdbi().withHandle(h -> h.createQuery(all).mapToMap().list());
        rollUp(db, "2026-01-15T00:00:00Z", "2026-01-16T00:00:00Z");
        rollUp(db, "2026-01-15T10:00:00Z", "2026-01-15T11:00:00Z");
        List<Map<String, Object>> thrice =
                db.jdbi().withHandle(h -> h.createQuery(all).mapToMap().list());

        assertThat(once).hasSize(3);
        assertThat(thrice).isEqualTo(once);
    }

    @Test
    void aLateRowIsReRolledWithinTheWindowAndOnlyThen(@Fresh TestDatabase db) {
        seed(db);
        var clock = new SettableClock(Instant.parse("2026-01-15T12:10:00Z"));
        var meters = new SimpleMeterRegistry();
        var lifecycle = new DataLifecycle(db.dataSource(), clock, 30, () -> true, meters);

        lifecycle.runOnce();
        assertThat(meters.counter(Meters.ROLLUPS_WRITTEN).count()).isEqualTo(3);
        assertThat(row(db, 1, 1, "2026-01-15T10:00:00Z").get("probes")).isEqualTo(6);

        // A journal replayed two hours late: its hour is re-rolled by the next run.
        heartbeat(db, 1, 1, "2026-01-15T10:50:00Z", "TIMEOUT", 3000.0, null);
        clock.advance(Duration.ofMinutes(5));
        lifecycle.runOnce();
        var reRolled = row(db, 1, 1, "2026-01-15T10:00:00Z");
        assertThat(reRolled.get("probes")).isEqualTo(7);
        assertThat(reRolled.get("successes")).isEqualTo(4);
        assertThat(db.count("SELECT (errors->>'TIMEOUT')::bigint FROM api_heartbeat_rollups"
                        + " WHERE datacenter_id = 1 AND hour = '2026-01-15T10:00:00Z'"))
                .isEqualTo(2);

        // Probes went on until 19:00, rolled up at 20:10. Then a row ten hours late: past the re-roll window, so only
        // in the raw table (until retention rolls its day up).
        heartbeat(db, 1, 1, "2026-01-15T19:00:00Z", null, 1.0, null);
        clock.set(Instant.parse("2026-01-15T20:10:00Z"));
        lifecycle.runOnce();
        assertThat(row(db, 1, 1, "2026-01-15T19:00:00Z").get("probes")).isEqualTo(1);
        heartbeat(db, 1, 1, "2026-01-15T10:55:00Z", null, 1.0, null);
        clock.advance(Duration.ofMinutes(5));
        lifecycle.runOnce();
        assertThat(row(db, 1, 1, "2026-01-15T10:00:00Z").get("probes")).isEqualTo(7);
    }

    @Test
    void theViewsGiveExactUptime(@Fresh TestDatabase db) {
        seed(db);
        ensurePartitions(db, "2026-01-16", 1);
        heartbeat(db, 1, 1, "2026-01-16T00:30:00Z", "HTTP_STATUS", 12.0, null);
        ensurePartitions(db, "2026-02-01", 1);
        heartbeat(db, 1, 1, "2026-02-01T00:00:00Z", null, 12.0, null);
        rollUp(db, "2026-01-01T00:00:00Z", "2026-03-01T00:00:00Z");

        var daily = db.jdbi().withHandle(h -> h.createQuery(
                        "SELECT datacenter_id, day::text, probes, successes, uptime_pct FROM api_uptime_daily"
                                + " WHERE monitor_id = 1 ORDER BY day, datacenter_id")
                .mapToMap()
                .list());
        assertThat(daily)
                .containsExactly(
                        Map.of(
                                "datacenter_id",
                                1,
                                "day",
                                "2026-01-15",
                                "probes",
                                7L,
                                "successes",
                                5L,
                                "uptime_pct",
                                new BigDecimal("71.4286")),
                        Map.of(
                                "datacenter_id",
                                2,
                                "day",
                                "2026-01-15",
                                "probes",
                                2L,
                                "successes",
                                2L,
                                "uptime_pct",
                                new BigDecimal("100.0000")),
                        Map.of(
                                "datacenter_id",
                                1,
                                "day",
                                "2026-01-16",
                                "probes",
                                1L,
                                "successes",
                                0L,
                                "uptime_pct",
                                new BigDecimal("0.0000")),
                        Map.of(
                                "datacenter_id",
                                1,
                                "day",
                                "2026-02-01",
                                "probes",
                                1L,
                                "successes",
                                1L,
                                "uptime_pct",
                                new BigDecimal("100.0000")));

        var january = db.jdbi().withHandle(h -> h.createQuery(
                        "SELECT probes, successes, uptime_pct, hours_observed, minutes_down, datacenters,"
                                + " worst_datacenter_uptime_pct FROM api_sla_monthly"
                                + " WHERE monitor_id = 1 AND month = '2026-01-01'")
                .mapToMap()
                .one());
        // 10 probes, 7 successes. Hours: 10:00 (8 probes, 2 failed: 15 min), 11:00 (none failed), 00:00 on the 16th
        // (1 probe, failed: 60 min). Datacenter 1: 5 of 8.
        assertThat(january)
                .containsExactlyInAnyOrderEntriesOf(Map.of(
                        "probes",
                        10L,
                        "successes",
                        7L,
                        "uptime_pct",
                        new BigDecimal("70.0000"),
                        "hours_observed",
                        3,
                        "minutes_down",
                        new BigDecimal("75.0"),
                        "datacenters",
                        2,
                        "worst_datacenter_uptime_pct",
                        new BigDecimal("62.5000")));
        assertThat(db.count("SELECT count(*) FROM api_sla_monthly WHERE monitor_id = 1"))
                .isEqualTo(2);
    }

    @Test
    void pushedStartAndLogBeatsAreNeitherSuccessesNorFailures(@Fresh TestDatabase db) {
        ensurePartitions(db, "2026-01-15", 1);
        String beat = "INSERT INTO api_heartbeats (monitor_id, datacenter_id, scheduled_at, executed_at, success,"
                + " response_time_ms, error_type, beat_kind) VALUES (7, 0, ?::timestamptz, ?::timestamptz, ?, ?, ?, ?)";
        db.execute(beat, "2026-01-15T10:00:00Z", "2026-01-15T10:00:00Z", true, null, null, "start");
        db.execute(beat, "2026-01-15T10:01:00Z", "2026-01-15T10:01:00Z", true, 60000.0, null, "success");
        db.execute(beat, "2026-01-15T10:02:00Z", "2026-01-15T10:02:00Z", true, null, null, "log");
        db.execute(beat, "2026-01-15T10:03:00Z", "2026-01-15T10:03:00Z", false, null, "FAIL", "fail");

        rollUp(db, "2026-01-15T10:00:00Z", "2026-01-15T11:00:00Z");

        var hour = row(db, 7, 0, "2026-01-15T10:00:00Z");
        assertThat(hour.get("probes")).isEqualTo(2);
        assertThat(hour.get("successes")).isEqualTo(1);
        assertThat((double) hour.get("response_time_p50_ms")).isEqualTo(60000.0);
    }
}
