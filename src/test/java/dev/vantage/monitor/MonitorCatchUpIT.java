package dev.vantage.monitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.vantage.testing.PostgresExtension;
import dev.vantage.testing.PostgresExtension.Fresh;
import dev.vantage.testing.TestDatabase;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A monitor module that starts behind (after a restart, a failover, a database outage) reads a backlog in many batches.
 * Until it has caught up, most datacenters' newer heartbeats are still unread; judging their silence against the wall
 * clock then would turn them UNKNOWN and back for every batch.
 */
@ExtendWith(PostgresExtension.class)
class MonitorCatchUpIT {
    private static final int MONITORS = 5;
    private static final int SLOTS = 180; // every 10 s: half an hour of heartbeats

    @Test
    void aBacklogReadInManyBatchesLeavesEveryDatacenterUpSinceItsFirstHeartbeat(@Fresh TestDatabase db) {
        db.execute("INSERT INTO datacenters (id, code) VALUES (1, 'VA'), (2, 'NY'), (3, 'LON')");
        db.execute("INSERT INTO schedules (id, name, interval) VALUES (1, 'every 10 s', 10)");
        db.execute("INSERT INTO api_monitors (name, url, schedule_id)"
                + " SELECT 'm' || g, 'http://127.0.0.1:9/', 1 FROM generate_series(1, " + MONITORS + ") g");
        db.execute("INSERT INTO datacenter_monitors (datacenter_id, monitor_id)"
                + " SELECT d.id, m.id FROM datacenters d CROSS JOIN api_monitors m");
        // Live leaders everywhere (no agent runs here): no datacenter is LOST.
        db.execute("INSERT INTO agents (name, datacenter_id, role) SELECT 'a-' || code, id, 'leader' FROM datacenters");
        db.jdbi().inTransaction(h -> new HeartbeatCursor().load(h));

        // Half an hour of passing probes, one transaction per datacenter and slot, the last slot 5 s ago; the grace
        // window is 30 s (2 intervals + 10 s).
        Instant first = Instant.now().truncatedTo(ChronoUnit.SECONDS).minusSeconds(5 + 10L * (SLOTS - 1));
        for (int slot = 0; slot < SLOTS; slot++) {
            for (int dc = 1; dc <= 3; dc++) {
                db.execute(
                        """
                        INSERT INTO api_heartbeats (monitor_id, datacenter_id, scheduled_at, executed_at, success,
                            response_time_ms)
                        SELECT id, ?, ?, ?, true, 12.5 FROM api_monitors
                        """,
                        dc,
                        first.plusSeconds(10L * slot).atOffset(ZoneOffset.UTC),
                        first.plusSeconds(10L * slot).atOffset(ZoneOffset.UTC));
            }
        }

        // 50 heartbeats a batch: 54 rounds, each holding a little over 3 slots of the 15 datacenter rows.
        var settings = MonitorSettings.defaults(db.connection(), "catch-up").withBatchSize(50);
        try (var module = MonitorModule.start(settings, new SimpleMeterRegistry(), Clock.systemUTC())) {
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> db.count(
                                    "SELECT count(*) FROM monitor_states WHERE datacenter_id IS NOT NULL"
                                            + " AND last_scheduled_at = ?",
                                    first.plusSeconds(10L * (SLOTS - 1)).atOffset(ZoneOffset.UTC))
                            == 3 * MONITORS);
            assertThat(module.leading()).isTrue();
        }

        assertThat(db.count(
                        "SELECT count(*) FROM monitor_states WHERE datacenter_id IS NOT NULL AND state = 'UP'"
                                + " AND since = ?",
                        first.atOffset(ZoneOffset.UTC)))
                .as("datacenters UP since the first slot, never UNKNOWN in between")
                .isEqualTo(3 * MONITORS);
        assertThat(db.count("SELECT count(*) FROM monitor_states WHERE datacenter_id IS NULL AND state = 'UP'"
                        + " AND cardinality(state_changes) <= 1"))
                .as("global states UP with at most their first change")
                .isEqualTo(MONITORS);
        assertThat(db.count("SELECT count(*) FROM incidents")).isZero();
    }
}
