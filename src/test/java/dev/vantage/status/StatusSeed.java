package dev.vantage.status;

import dev.vantage.testing.TestDatabase;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;

/**
 * Rows a status report reads, written with SQL as the agents and the monitor module would have written them. The
 * status only reads monitor_states, incidents and api_heartbeats, so seeding them directly is faithful.
 *
 * <p>Datacenters VA (1), NY (2), LON (3). Monitors: 1 "API" UP in VA and NY with known latencies; in {@link #full}
 * also 2 "Checkout" PARTIAL (NY DOWN), 3 "Stale" UNKNOWN (last heartbeat 45 s ago), 4 "Paused" disabled, 5 "New"
 * without any state, 6 a broken row whose URL carries credentials.
 */
public final class StatusSeed {
    /** Response times of monitor 1's successful probes in the last hour: p50 55, p95 95.5 (linear interpolation). */
    static final double[] LAST_HOUR_MS = {10, 20, 30, 40, 50, 60, 70, 80, 90, 100};

    private StatusSeed() {}

    static Timestamp ago(Instant now, Duration d) {
        return Timestamp.from(now.minus(d));
    }

    /** Only monitor 1, UP everywhere: a deployment that is all well. */
    public static void healthy(TestDatabase db, Instant now) {
        Instant day = now.minus(Duration.ofDays(3));
        db.execute(
                "SELECT vantage_ensure_heartbeat_partitions((?::timestamptz AT TIME ZONE 'UTC')::date, 6)",
                Timestamp.from(day));
        db.execute("INSERT INTO datacenters (code, name) VALUES ('VA', 'Virginia'), ('NY', 'New York'),"
                + " ('LON', 'London')");
        db.execute("INSERT INTO schedules (name, interval) VALUES ('every 30 s', 30)");
        db.execute("INSERT INTO api_monitors (name, url, schedule_id) VALUES ('API', 'https://api.example/health', 1)");
        db.execute("INSERT INTO datacenter_monitors VALUES (1, 1), (2, 1)");
        // The last hour: ten successes spread over VA and NY, and one failure that counts for uptime only.
        for (int i = 0; i < LAST_HOUR_MS.length; i++) {
            heartbeat(db, 1, 1 + i % 2, ago(now, Duration.ofMinutes(50 - i * 5)), true, LAST_HOUR_MS[i]);
        }
        heartbeat(db, 1, 1, ago(now, Duration.ofMinutes(52)), false, 5000.0);
        // Two hours ago: four successes, in the sparkline's second-to-last bucket, not in the percentiles.
        for (int i = 0; i < 4; i++) {
            heartbeat(db, 1, 2, ago(now, Duration.ofMinutes(119 - i)), true, 200.0 + i * 100);
        }
        // Thirty hours ago: outside every window.
        heartbeat(db, 1, 1, ago(now, Duration.ofHours(30)), false, null);
        state(db, 1, null, "UP", now, "UP", Duration.ofMinutes(5));
        state(db, 1, 1, "UP", now, "up: 100 ms", Duration.ofMinutes(5));
        state(db, 1, 2, "UP", now, "up: 90 ms", Duration.ofMinutes(10));
        db.execute(
                "INSERT INTO incidents (kind, monitor_id, scope, opened_at, resolved_at, error_type, error_message,"
                        + " datacenters) VALUES ('monitor', 1, 'global', ?, ?, 'TIMEOUT', 'waiting for the first byte',"
                        + " '{1,2}')",
                ago(now, Duration.ofHours(3)),
                ago(now, Duration.ofHours(2)));
        db.execute(
                "INSERT INTO incidents (kind, monitor_id, scope, opened_at, resolved_at, error_type, datacenters)"
                        + " VALUES ('monitor', 1, 'global', ?, ?, 'DNS', '{1}')",
                ago(now, Duration.ofHours(40)), ago(now, Duration.ofHours(39)));
        db.execute(
                "INSERT INTO agents (name, datacenter_id, hostname, version, role, lease_epoch, last_seen_at)"
                        + " VALUES ('va-1', 1, 'host-a', '0.1.0', 'leader', 7, ?)",
                ago(now, Duration.ofSeconds(2)));
        db.execute(
                "INSERT INTO agents (name, datacenter_id, hostname, version, role, last_seen_at)"
                        + " VALUES ('va-2', 1, 'host-b', '0.1.0', 'standby', ?)",
                ago(now, Duration.ofSeconds(1)));
        db.execute(
                "INSERT INTO agents (name, datacenter_id, role, last_seen_at, stopped_at)"
                        + " VALUES ('ny-old', 2, 'stopped', ?, ?)",
                ago(now, Duration.ofHours(3)),
                ago(now, Duration.ofHours(3)));
        db.execute(
                "INSERT INTO datacenter_leases (datacenter_id, epoch, holder_agent_id, acquired_at)"
                        + " VALUES (1, 7, 1, ?)",
                ago(now, Duration.ofHours(1)));
    }

    /** {@link #healthy} plus monitors in every other state, an open incident and invalid rows. */
    public static void full(TestDatabase db, Instant now) {
        healthy(db, now);
        db.execute("INSERT INTO api_monitors (name, url, schedule_id) VALUES ('Checkout', 'https://shop.example/', 1)");
        db.execute("INSERT INTO api_monitors (name, url, schedule_id) VALUES ('Stale', 'https://stale.example/', 1)");
        db.execute("INSERT INTO api_monitors (name, url, schedule_id, enabled)"
                + " VALUES ('Paused', 'https://paused.example/', 1, false)");
        db.execute("INSERT INTO api_monitors (name, url, schedule_id) VALUES ('New', 'https://new.example/', 1)");
        db.execute("INSERT INTO api_monitors (name, url, schedule_id, headers) VALUES ('Broken',"
                + " 'https://user:hunter2@[bad/x?token=s3cret', 1, '{\"Authorization\": \"Bearer sekrit-value\"}')");
        db.execute("INSERT INTO datacenter_monitors VALUES (1, 2), (2, 2), (1, 3), (1, 4), (1, 5), (1, 6)");
        heartbeat(db, 2, 1, ago(now, Duration.ofSeconds(20)), true, 80.0);
        heartbeat(db, 2, 2, ago(now, Duration.ofSeconds(25)), false, null);
        state(
                db,
                2,
                null,
                "PARTIAL",
                now,
                "DOWN in NY (1 of 2, quorum 2): HTTP_STATUS [STATUS] (503) == 200-299",
                Duration.ofMinutes(3));
        state(db, 2, 1, "UP", now, "up: 80 ms", Duration.ofMinutes(30));
        state(db, 2, 2, "DOWN", now, "HTTP_STATUS: [STATUS] (503) == 200-299", Duration.ofMinutes(3));
        heartbeat(db, 3, 1, ago(now, Duration.ofSeconds(45)), true, 30.0);
        state(db, 3, null, "UNKNOWN", now, "no data from any datacenter", Duration.ofSeconds(5));
        state(db, 3, 1, "UNKNOWN", now, "no heartbeat since 2026-01-01T00:00:00Z", Duration.ofSeconds(5));
        db.execute(
                "INSERT INTO incidents (kind, monitor_id, scope, opened_at, error_type, error_message, datacenters)"
                        + " VALUES ('monitor', 2, 'datacenter', ?, 'HTTP_STATUS', 'status 503, expected 200-299',"
                        + " '{2}')",
                ago(now, Duration.ofMinutes(3)));
        db.execute("INSERT INTO notification_channels (name, type, settings) VALUES"
                + " ('ops hook', 'webhook', '{\"url\": \"ftp://hooks.example/T0KEN123\"}'),"
                + " ('pigeon', 'carrier-pigeon', '{}'),"
                + " ('logs', 'log', '{}')");
    }

    static void heartbeat(TestDatabase db, int monitor, int dc, Timestamp at, boolean success, Double ms) {
        db.execute(
                "INSERT INTO api_heartbeats (monitor_id, datacenter_id, scheduled_at, executed_at, success,"
                        + " response_time_ms, error_type) VALUES (?, ?, ?, ?, ?, ?, ?)",
                monitor,
                dc,
                at,
                at,
                success,
                ms,
                success ? null : "TIMEOUT");
    }

    static void state(
            TestDatabase db, int monitor, Integer dc, String state, Instant now, String details, Duration since) {
        db.execute(
                "INSERT INTO monitor_states (monitor_id, datacenter_id, state, since, details, last_scheduled_at)"
                        + " VALUES (?, ?, ?, ?, ?, ?)",
                monitor,
                dc,
                state,
                ago(now, since),
                details,
                state.equals("UNKNOWN") ? ago(now, Duration.ofMinutes(10)) : ago(now, Duration.ofSeconds(30)));
    }
}
