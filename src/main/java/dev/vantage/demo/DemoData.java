package dev.vantage.demo;

import java.util.List;
import org.jdbi.v3.core.Handle;

/**
 * The demo's configuration rows: two regions, three datacenters, two schedules, a dozen monitors aimed at the demo's
 * own loopback targets, one per outcome a user should recognise (fast, slow, large, TLS, each error type, and a broken
 * row), one monitor with a scripted outage (see {@link DemoOutage}), a failing monitor under maintenance windows (one
 * active, one weekly), and a default {@code log} notification channel.
 * Rows, not schema: inserted like a user would with SQL.
 */
final class DemoData {
    /** The monitor whose target fails in VA and NY for a while, then recovers: the demo's incident. */
    static final String OUTAGE_MONITOR = "Checkout (brief outage in VA and NY)";

    /**
     * A "database" that fails with the checkout (same script, VA and NY), and two APIs that depend on it
     * ({@code monitor_dependencies}) and fail while it is DOWN (see {@link DemoOutage#dependent()}): the database
     * notifies, the APIs are suppressed, and the database's resolved notice lists them.
     */
    static final String DATABASE = "Database (brief outage in VA and NY)";

    static final List<String> DEPENDENT_APIS =
            List.of("Orders API (depends on the database)", "Payments API (depends on the database)");

    /** A push monitor whose job pings it every 2.5 s (see {@link DemoBeats}). */
    static final String HEARTBEAT_JOB = "Heartbeat job (push)";

    /** A push monitor whose job pings for 15 s, then stops: DOWN (MISSED) and a firing notice in the demo's log. */
    static final String EXPORT_JOB = "Nightly export (push, stops beating)";

    /**
     * The monitor whose target always answers 503: a maintenance window covers it (one-off, active for a day from each
     * start of the demo; and a weekly one, upcoming), so it shows MAINTENANCE and notifies nothing.
     */
    static final String MAINTENANCE_MONITOR = "Maintenance page (503)";

    /** The default channel: notifications appear in the demo's own log, which needs no receiver. */
    static final String LOG_CHANNEL = "demo log";

    private DemoData() {}

    /** A demo monitor: its name is its key, so a restart on a kept data directory only updates the URLs. */
    record DemoMonitor(
            String name, String type, String method, String url, String settings, Integer timeoutMs, String schedule) {}

    static List<DemoMonitor> monitors(DemoTargets t) {
        return List.of(
                new DemoMonitor("Fast API", "http", "GET", t.httpUrl("/fast"), "{}", null, "every 5 s"),
                new DemoMonitor("Slow first byte (200 ms)", "http", "GET", t.httpUrl("/slow"), "{}", null, "every 5 s"),
                new DemoMonitor("Large download (1 MiB)", "http", "GET", t.httpUrl("/big"), "{}", null, "every 10 s"),
                new DemoMonitor(
                        "HTTPS, self-signed (verify_tls off)",
                        "https",
                        "GET",
                        t.httpsUrl("/fast"),
                        "{\"verify_tls\": false}",
                        null,
                        "every 5 s"),
                new DemoMonitor(
                        "HTTPS, self-signed (verified)", "https", "GET", t.httpsUrl("/fast"), "{}", null, "every 10 s"),
                new DemoMonitor(MAINTENANCE_MONITOR, "http", "GET", t.httpUrl("/status/503"), "{}", null, "every 5 s"),
                new DemoMonitor("Redirect to fast", "http", "GET", t.httpUrl("/redirect"), "{}", null, "every 10 s"),
                new DemoMonitor("Refused port", "http", "GET", t.refusedUrl(), "{}", null, "every 5 s"),
                new DemoMonitor("Never answers", "http", "GET", t.blackholeUrl(), "{}", 2000, "every 5 s"),
                new DemoMonitor("Unresolvable name", "http", "GET", t.unresolvableUrl(), "{}", null, "every 10 s"),
                new DemoMonitor(
                        "TCP banner",
                        "tcp",
                        null,
                        t.tcpUrl(),
                        "{\"expect\": \"" + DemoTargets.BANNER + "\"}",
                        null,
                        "every 5 s"),
                new DemoMonitor(
                        "DNS record (matches)",
                        "dns",
                        null,
                        t.dnsUrl(),
                        "{\"expect_any\": [\"" + DemoDns.ADDRESS + "\"]}",
                        null,
                        "every 5 s"),
                new DemoMonitor(
                        "DNS record (changed)",
                        "dns",
                        null,
                        t.dnsUrl(),
                        "{\"expect_any\": [\"192.0.2.99\"]}",
                        null,
                        "every 10 s"),
                new DemoMonitor(
                        "Certificate expiring in 5 days (tls)",
                        "tls",
                        null,
                        t.expiringTlsUrl(),
                        "{\"verify_tls\": false}",
                        null,
                        "every 10 s"),
                new DemoMonitor(
                        "JSON health (assertions hold)",
                        "http",
                        "GET",
                        t.httpUrl("/health"),
                        "{\"assertions\": [{\"subject\": \"status\", \"op\": \"==\", \"value\": 200},"
                                + " {\"subject\": \"json\", \"path\": \"$.status\", \"op\": \"==\", \"value\": \"ok\"},"
                                + " {\"subject\": \"json\", \"path\": \"$.checks.db.latency_ms\", \"op\": \"<\", \"value\": 50}]}",
                        null,
                        "every 5 s"),
                new DemoMonitor(
                        "JSON health (an assertion fails)",
                        "http",
                        "GET",
                        t.httpUrl("/health"),
                        "{\"assertions\": [{\"subject\": \"json\", \"path\": \"$.version\", \"op\": \"==\","
                                + " \"value\": \"2.0.0\"}]}",
                        null,
                        "every 10 s"),
                new DemoMonitor("Ping loopback", "icmp", null, "icmp://127.0.0.1", "{}", null, "every 5 s"),
                new DemoMonitor("Broken row (bad URL)", "http", "GET", "htp:/missing-slash", "{}", null, "every 10 s"),
                new DemoMonitor(OUTAGE_MONITOR, "http", "GET", t.httpUrl("/outage"), "{}", null, "every 5 s"),
                new DemoMonitor(DATABASE, "http", "GET", t.httpUrl("/outage/database"), "{}", null, "every 5 s"),
                new DemoMonitor(
                        DEPENDENT_APIS.get(0), "http", "GET", t.httpUrl("/outage/dependent"), "{}", null, "every 5 s"),
                new DemoMonitor(
                        DEPENDENT_APIS.get(1), "http", "GET", t.httpUrl("/outage/dependent"), "{}", null, "every 5 s"));
    }

    /** The push token of the demo's push monitor {@code name}, empty when the row is gone. */
    static java.util.Optional<String> pushToken(Handle h, String name) {
        return h.createQuery("SELECT push_token FROM api_monitors WHERE name = :name AND lower(type) = 'push'")
                .bind("name", name)
                .mapTo(String.class)
                .findFirst();
    }

    /** Inserts everything on an empty database; on a kept one, points the demo monitors at this run's ports. */
    static void seed(Handle h, DemoTargets targets) {
        boolean empty = h.createQuery("SELECT count(*) FROM datacenters")
                        .mapTo(Long.class)
                        .one()
                == 0;
        if (empty) {
            h.execute("INSERT INTO regions (name, region_code, group_name) VALUES"
                    + " ('US East (N. Virginia)', 'us-east-1', 'US'), ('Europe (London)', 'eu-west-2', 'Europe')");
            h.execute("INSERT INTO datacenters (code, name, region_id) VALUES"
                    + " ('VA', 'Virginia', (SELECT id FROM regions WHERE region_code = 'us-east-1')),"
                    + " ('NY', 'New York', (SELECT id FROM regions WHERE region_code = 'us-east-1')),"
                    + " ('LON', 'London', (SELECT id FROM regions WHERE region_code = 'eu-west-2'))");
            h.execute("INSERT INTO schedules (name, interval, thresholds_warning, thresholds_critical) VALUES"
                    + " ('every 5 s', 5, 300, 800), ('every 10 s', 10, 500, 1000)");
        }
        for (DemoMonitor m : monitors(targets)) {
            int updated = h.createUpdate("UPDATE api_monitors SET url = :url WHERE name = :name")
                    .bind("url", m.url())
                    .bind("name", m.name())
                    .execute();
            if (updated == 0 && empty) {
                h.createUpdate(
                                """
                                INSERT INTO api_monitors (name, type, method, url, schedule_id, settings, timeout_ms)
                                VALUES (:name, :type, coalesce(:method, 'GET'), :url,
                                        (SELECT id FROM schedules WHERE name = :schedule), CAST(:settings AS jsonb),
                                        :timeoutMs)
                                """)
                        .bind("name", m.name())
                        .bind("type", m.type())
                        .bind("method", m.method())
                        .bind("url", m.url())
                        .bind("schedule", m.schedule())
                        .bind("settings", m.settings())
                        .bind("timeoutMs", m.timeoutMs())
                        .execute();
            }
        }
        if (empty) {
            h.execute("INSERT INTO datacenter_monitors (datacenter_id, monitor_id)"
                    + " SELECT d.id, m.id FROM datacenters d CROSS JOIN api_monitors m");
            // Two failures to go DOWN and two successes to come back (defaults: 3 and 2): with probes every 5 s the
            // incident fires about 10 s into the outage and resolves about 10 s after it, inside the demo's first
            // minute.
            h.createUpdate("UPDATE api_monitors SET down_after = 2, up_after = 2 WHERE name IN (<names>)")
                    .bindList("names", List.of(OUTAGE_MONITOR, DATABASE, DEPENDENT_APIS.get(0), DEPENDENT_APIS.get(1)))
                    .execute();
            h.createUpdate(
                            """
                            INSERT INTO monitor_dependencies (monitor_id, depends_on)
                            SELECT a.id, d.id FROM api_monitors a, api_monitors d
                            WHERE a.name IN (<apis>) AND d.name = :database
                            """)
                    .bindList("apis", DEPENDENT_APIS)
                    .bind("database", DATABASE)
                    .execute();
            // Notices that open within 5 s go out as one (30 s by default): short enough that the outage's firing
            // still arrives inside the demo's first minute.
            h.createUpdate("INSERT INTO notification_channels (name, type, is_default, group_seconds)"
                            + " VALUES (:name, 'log', true, 5)")
                    .bind("name", LOG_CHANNEL)
                    .execute();
            // A weekly window, as backups would have: Saturdays and Sundays 02:00 London time, for 4 hours.
            h.createUpdate(
                            """
                            INSERT INTO maintenance_windows (reason, monitor_ids, weekdays, start_time, duration, time_zone)
                            SELECT 'weekend backups (demo)', ARRAY[id], '{sat,sun}', '02:00', '4 hours', 'Europe/London'
                            FROM api_monitors WHERE name = :name
                            """)
                    .bind("name", MAINTENANCE_MONITOR)
                    .execute();
            // Push monitors: expected every 5 s, 5 s late at most. No datacenter runs them; their jobs send beats.
            for (String job : List.of(HEARTBEAT_JOB, EXPORT_JOB)) {
                h.createUpdate(
                                """
                                INSERT INTO api_monitors (name, type, schedule_id, grace_seconds)
                                VALUES (:name, 'push', (SELECT id FROM schedules WHERE name = 'every 5 s'), 5)
                                """)
                        .bind("name", job)
                        .execute();
            }
            // Two public monitors: their badges need no credentials (vantage demo prints /badge/fast-api/status.svg).
            h.execute("UPDATE api_monitors SET public = true, slug = 'fast-api' WHERE name = 'Fast API'");
            h.createUpdate("UPDATE api_monitors SET public = true, slug = 'checkout' WHERE name = :name")
                    .bind("name", OUTAGE_MONITOR)
                    .execute();
        }
        // On every start, kept data directory or not: the 503 page is under planned work for the next day.
        h.createUpdate(
                        """
                        INSERT INTO maintenance_windows (reason, monitor_ids, starts_at, ends_at)
                        SELECT 'planned work on the maintenance page (demo)', ARRAY[m.id], now(), now() + interval '1 day'
                        FROM api_monitors m
                        WHERE m.name = :name AND NOT EXISTS (
                            SELECT 1 FROM maintenance_windows w
                            WHERE w.monitor_ids = ARRAY[m.id] AND w.ends_at > now() + interval '1 hour')
                        """)
                .bind("name", MAINTENANCE_MONITOR)
                .execute();
    }
}
