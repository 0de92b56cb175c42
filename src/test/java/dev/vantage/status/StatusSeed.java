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
 * without any state, 6 a broken row whose URL carries credentials; {@link #push} adds push monitors after them.
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

    /** The push token of "Report job": planted in its row and in its message, it must appear in no output. */
    public static final String PUSH_TOKEN = "PuSh-T0KEN_planted-in-the-status-seed-0123";

    /**
     * Push monitors, after whatever else is seeded, with their states and beats as the ping endpoints and the monitor
     * module write them (beats and states under datacenter 0): {@link #neverBeaten}, {@link #beating}, {@link
     * #missed} and {@link #failedWithALongMessage}.
     */
    public static void push(TestDatabase db, Instant now) {
        neverBeaten(db, now);
        beating(db, now);
        missed(db, now);
        failedWithALongMessage(db, now);
    }

    /** "Nightly export": a daily job added 2 h ago that has not run yet (grace by default: the period, at most 1 h). */
    public static int neverBeaten(TestDatabase db, Instant now) {
        int id = pushMonitor(db, "Nightly export", "push", 86400, null);
        pushState(db, id, "UNKNOWN", now, Duration.ofHours(2), null, null, "no data yet", "no beat yet");
        return id;
    }

    /**
     * "Heartbeat", expected every 15 s with 30 s of grace, UP: success beats every 15 s, two of them ending runs of 1.5
     * and 2.5 s; a log beat with a message 20 s ago; a success 12 s ago that the monitor module has not read yet (its
     * state's newest beat is 27 s old); a start 5 s ago.
     */
    public static int beating(TestDatabase db, Instant now) {
        int id = pushMonitor(db, "Heartbeat", "push", 15, 30);
        beat(db, id, now, Duration.ofSeconds(87), "success", null, null);
        beat(db, id, now, Duration.ofSeconds(74), "start", null, null);
        beat(db, id, now, Duration.ofSeconds(72), "success", "exported 1200 rows", 1500.0);
        beat(db, id, now, Duration.ofSeconds(60), "start", null, null);
        beat(db, id, now, Duration.ofSeconds(57), "success", null, 2500.0);
        beat(db, id, now, Duration.ofSeconds(42), "success", null, null);
        beat(db, id, now, Duration.ofSeconds(27), "success", null, null);
        beat(db, id, now, Duration.ofSeconds(20), "log", "half way: 1200 of 2400 rows", null);
        beat(db, id, now, Duration.ofSeconds(12), "success", null, null);
        beat(db, id, now, Duration.ofSeconds(5), "start", null, null);
        pushState(db, id, "UP", now, Duration.ofMinutes(5), Duration.ofSeconds(27), null, "up", "UP");
        return id;
    }

    /**
     * "Backup", expected every 15 s with 30 s of grace, silent for 3 min: the monitor module turned it DOWN as MISSED
     * after 47 s (its stored text still says so) and opened an incident that lists the pseudo-datacenter 0.
     */
    public static int missed(TestDatabase db, Instant now) {
        int id = pushMonitor(db, "Backup", "push", 15, 30);
        beat(db, id, now, Duration.ofSeconds(195), "success", null, null);
        beat(db, id, now, Duration.ofSeconds(180), "success", "backup done: 3 files", null);
        String missed = "no heartbeat for 47 s (expected every 15 s, grace 30 s)";
        pushState(
                db,
                id,
                "DOWN",
                now,
                Duration.ofSeconds(135),
                Duration.ofSeconds(180),
                "MISSED",
                "MISSED: " + missed,
                "DOWN: MISSED " + missed);
        db.execute(
                "INSERT INTO incidents (kind, monitor_id, scope, opened_at, error_type, error_message, datacenters)"
                        + " VALUES ('monitor', ?, 'global', ?, 'MISSED', ?, '{0}')",
                id, ago(now, Duration.ofSeconds(135)), missed);
        return id;
    }

    /**
     * "Report job" (type written {@code PUSH}, assigned to VA by mistake), DOWN: its last beat, 10 s ago, failed with
     * 200 KB of output that quotes its ping URL.
     */
    public static int failedWithALongMessage(TestDatabase db, Instant now) {
        int id = pushMonitor(db, "Report job", "PUSH", 15, 30);
        db.execute("UPDATE api_monitors SET push_token = ? WHERE id = ?", PUSH_TOKEN, id);
        db.execute("INSERT INTO datacenter_monitors (datacenter_id, monitor_id) VALUES (1, ?)", id);
        String output = "curl: (22) The requested URL returned error: 503 for http://monitor:8080/ping/" + PUSH_TOKEN
                + "/fail\n" + "x".repeat(200_000);
        beat(db, id, now, Duration.ofSeconds(10), "fail", output, null);
        pushState(
                db,
                id,
                "DOWN",
                now,
                Duration.ofSeconds(10),
                Duration.ofSeconds(10),
                "FAIL",
                "FAIL: the job reported a failure",
                "DOWN: FAIL the job reported a failure");
        return id;
    }

    static int pushMonitor(TestDatabase db, String name, String type, int interval, Integer grace) {
        return db.jdbi().withHandle(h -> {
            int schedule = h.createQuery(
                            "INSERT INTO schedules (name, interval) VALUES (:name, :interval) RETURNING id")
                    .bind("name", name + " schedule")
                    .bind("interval", interval)
                    .mapTo(Integer.class)
                    .one();
            return h.createQuery("INSERT INTO api_monitors (name, type, schedule_id, grace_seconds)"
                            + " VALUES (:name, :type, :schedule, :grace) RETURNING id")
                    .bind("name", name)
                    .bind("type", type)
                    .bind("schedule", schedule)
                    .bind("grace", grace)
                    .mapTo(Integer.class)
                    .one();
        });
    }

    /** A beat as the ping endpoint writes it: datacenter 0, no agent, success unless it is a fail. */
    static void beat(TestDatabase db, int monitor, Instant now, Duration ago, String kind, String message, Double ms) {
        boolean fail = kind.equals("fail");
        db.execute(
                "INSERT INTO api_heartbeats (monitor_id, datacenter_id, scheduled_at, executed_at, success,"
                        + " response_time_ms, error_type, error_message, beat_kind, message, details)"
                        + " VALUES (?, 0, ?, ?, ?, ?, ?, ?, ?, ?, '{\"source\": \"http\"}')",
                monitor,
                ago(now, ago),
                ago(now, ago),
                !fail,
                ms,
                fail ? "FAIL" : null,
                fail ? "the job reported a failure" : null,
                kind,
                message);
    }

    /** The datacenter-0 row and the global row of a push monitor, as the monitor module writes them. */
    static void pushState(
            TestDatabase db,
            int monitor,
            String state,
            Instant now,
            Duration since,
            Duration lastBeat,
            String firstErrorType,
            String details,
            String globalDetails) {
        db.execute(
                "INSERT INTO monitor_states (monitor_id, datacenter_id, state, since, last_scheduled_at,"
                        + " first_error_type, details) VALUES (?, 0, ?, ?, ?, ?, ?)",
                monitor,
                state,
                ago(now, since),
                lastBeat == null ? null : ago(now, lastBeat),
                firstErrorType,
                details);
        db.execute(
                "INSERT INTO monitor_states (monitor_id, datacenter_id, state, since, details) VALUES (?, NULL, ?, ?, ?)",
                monitor,
                state,
                ago(now, since),
                globalDetails);
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
