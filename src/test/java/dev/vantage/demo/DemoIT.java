package dev.vantage.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariDataSource;
import dev.vantage.db.Database;
import dev.vantage.testing.PostgresExtension;
import dev.vantage.testing.TestDatabase;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code vantage demo --db URL} as a user starts it on a platform without embedded binaries: an empty database of
 * theirs, targets, three agents and the monitor module. One demo for the class: starting it takes seconds, and the
 * tests only read. (The embedded PostgreSQL start is DemoHttpIT's: one demo start per class, not two here.)
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(PostgresExtension.class)
class DemoIT {

    /** What each demo monitor must show: null for success, else its error_type. The outage monitor depends on time. */
    private static final Map<String, String> EXPECTED = new HashMap<>();

    static {
        EXPECTED.put("Fast API", null);
        EXPECTED.put("Slow first byte (200 ms)", null);
        EXPECTED.put("Large download (1 MiB)", null);
        EXPECTED.put("HTTPS, self-signed (verify_tls off)", null);
        EXPECTED.put("HTTPS, self-signed (verified)", "TLS");
        EXPECTED.put("Maintenance page (503)", "HTTP_STATUS");
        EXPECTED.put("Redirect to fast", null);
        EXPECTED.put("Refused port", "CONNECT");
        EXPECTED.put("Never answers", "TIMEOUT");
        EXPECTED.put("Unresolvable name", "DNS");
        EXPECTED.put("TCP banner", null);
        EXPECTED.put("DNS record (matches)", null);
        EXPECTED.put("DNS record (changed)", "DNS");
        // Needs a ping socket or CAP_NET_RAW, as every icmp monitor does (README, icmp); the suite runs with one.
        EXPECTED.put("Ping loopback", null);
        EXPECTED.put("Broken row (bad URL)", "INVALID_CONFIG");
        EXPECTED.put("Certificate expiring in 5 days (tls)", null);
        EXPECTED.put("JSON health (assertions hold)", null);
        EXPECTED.put("JSON health (an assertion fails)", "ASSERTION");
    }

    /** Monitors whose target fails for a while by script: the checkout, the database and its two APIs. */
    private static final List<String> SCRIPTED = java.util.stream.Stream.concat(
                    java.util.stream.Stream.of(Demo.OUTAGE_MONITOR, Demo.DATABASE), Demo.DEPENDENT_APIS.stream())
            .toList();

    private static final int MONITORS = EXPECTED.size() + SCRIPTED.size();
    private static final String EXPIRING_CERTIFICATE = "Certificate expiring in 5 days (tls)";

    private Demo demo;
    private dev.vantage.web.WebServer web;
    private HikariDataSource pool;
    private Jdbi jdbi;

    @BeforeAll
    void start(@PostgresExtension.Empty TestDatabase db) {
        demo = Demo.start(db.libpqUrl(), null, null);
        assertThat(demo.libpqUrl()).isEqualTo(db.libpqUrl());
        // As vantage demo does: the monitor's HTTP server takes the pings, then the demo's jobs start beating.
        web = dev.vantage.web.WebServer.start("127.0.0.1", 0, dev.vantage.web.HttpAuth.NONE);
        demo.push().mount(web);
        demo.startBeats(web.url());
        pool = Database.pool(demo.connection(), "demo-it", 2);
        jdbi = Database.jdbi(pool);
    }

    @AfterAll
    void stop() {
        if (pool != null) {
            pool.close();
        }
        if (demo != null) {
            demo.close();
        }
        if (web != null) {
            web.close();
        }
    }

    record Latest(String monitor, String dc, boolean success, String errorType) {}

    @Test
    void theDemoWritesAHeartbeatForEveryMonitorInEveryDatacenterWithin15Seconds() {
        await().atMost(Duration.ofSeconds(15))
                .pollInterval(Duration.ofMillis(250))
                .until(() -> count("SELECT count(DISTINCT (monitor_id, datacenter_id)) FROM api_heartbeats"
                                + " WHERE datacenter_id <> 0")
                        == 3L * MONITORS);

        var latest = jdbi.withHandle(h -> h.createQuery(
                        """
                                SELECT DISTINCT ON (h.monitor_id, h.datacenter_id) m.name, d.code, h.success,
                                       h.error_type
                                FROM api_heartbeats h JOIN api_monitors m ON m.id = h.monitor_id
                                JOIN datacenters d ON d.id = h.datacenter_id
                                ORDER BY h.monitor_id, h.datacenter_id, h.scheduled_at DESC
                                """)
                .map((rs, ctx) -> new Latest(rs.getString(1), rs.getString(2), rs.getBoolean(3), rs.getString(4)))
                .list());
        assertThat(latest).hasSize(3 * MONITORS);
        assertThat(latest).filteredOn(l -> !SCRIPTED.contains(l.monitor())).allSatisfy(l -> {
            assertThat(EXPECTED).containsKey(l.monitor());
            assertThat(l.errorType()).as(l.monitor() + " in " + l.dc()).isEqualTo(EXPECTED.get(l.monitor()));
            assertThat(l.success()).isEqualTo(EXPECTED.get(l.monitor()) == null);
        });
        assertThat(latest)
                .filteredOn(l -> l.monitor().equals(Demo.OUTAGE_MONITOR) && l.dc().equals("LON"))
                .singleElement()
                .satisfies(l -> assertThat(l.success())
                        .as("London never sees the outage")
                        .isTrue());
    }

    @Test
    void theFailingMonitorUnderAMaintenanceWindowShowsMaintenanceAndNotifiesNothing() {
        String states =
                """
                SELECT count(*) FROM monitor_states s JOIN api_monitors m ON m.id = s.monitor_id
                WHERE m.name = 'Maintenance page (503)' AND s.state = 'MAINTENANCE'
                  AND (s.datacenter_id IS NULL OR s.underlying_state = 'DOWN')
                """;
        await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(250))
                .until(() -> count(states) == 4L);
        assertThat(
                        count(
                                """
                        SELECT count(*) FROM notifications n JOIN incidents i ON i.id = n.incident_id
                        JOIN api_monitors m ON m.id = i.monitor_id WHERE m.name = 'Maintenance page (503)'
                        """))
                .isZero();
        assertThat(count("SELECT count(*) FROM api_heartbeats h JOIN api_monitors m ON m.id = h.monitor_id"
                        + " WHERE m.name = 'Maintenance page (503)' AND h.in_maintenance"))
                .isPositive();
        assertThat(count("SELECT count(*) FROM maintenance_windows WHERE weekdays IS NOT NULL"))
                .isEqualTo(1L);
    }

    @Test
    void theMonitorModuleKeepsAGlobalStateAndOnePerDatacenterForEveryDemoMonitor() {
        await().atMost(Duration.ofSeconds(20))
                .pollInterval(Duration.ofMillis(250))
                .until(() -> count("SELECT count(*) FROM monitor_states WHERE datacenter_id IS NULL"
                                        + " AND monitor_id IN (SELECT id FROM api_monitors WHERE type <> 'push')")
                                == MONITORS
                        && count("SELECT count(*) FROM monitor_states WHERE datacenter_id IS NOT NULL"
                                        + " AND monitor_id IN (SELECT id FROM api_monitors WHERE type <> 'push')")
                                == 3L * MONITORS);

        // Evaluated from heartbeats, not merely created: every monitor that succeeds everywhere is UP (but the
        // certificate that expires in 5 days, which is DEGRADED).
        List<String> healthy = EXPECTED.entrySet().stream()
                .filter(e -> e.getValue() == null && !e.getKey().equals(EXPIRING_CERTIFICATE))
                .map(Map.Entry::getKey)
                .toList();
        await().atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(250))
                .untilAsserted(() -> assertThat(globallyUp()).containsAll(healthy));
    }

    @Test
    void theOutageInTwoOfThreeDatacentersOpensAGlobalIncidentWhoseFiringNoticeIsDeliveredToTheLogChannel() {
        // The outage begins 10 s after the first probe of /outage; two failures 5 s apart make VA and NY DOWN.
        await().atMost(Duration.ofSeconds(45))
                .pollInterval(Duration.ofMillis(250))
                .until(() -> count(
                                """
                                SELECT count(*) FROM notifications n
                                JOIN incidents i ON i.id = n.incident_id
                                JOIN api_monitors m ON m.id = i.monitor_id
                                JOIN notification_channels c ON c.id = n.channel_id
                                WHERE m.name = '%s' AND c.type = 'log' AND n.event = 'firing'
                                  AND n.status = 'delivered'
                                """
                                        .formatted(Demo.OUTAGE_MONITOR))
                        == 1);

        record Incident(String scope, String errorType, String datacenters, boolean notified) {}
        var incident = jdbi.withHandle(h -> h.createQuery(
                                """
                                SELECT i.scope, i.error_type, i.notified,
                                       (SELECT string_agg(d.code, ',' ORDER BY d.code) FROM datacenters d
                                        WHERE d.id = ANY (i.datacenters)) AS dcs
                                FROM incidents i JOIN api_monitors m ON m.id = i.monitor_id
                                WHERE m.name = :name
                                """)
                        .bind("name", Demo.OUTAGE_MONITOR)
                        .map((rs, ctx) -> new Incident(
                                rs.getString("scope"),
                                rs.getString("error_type"),
                                rs.getString("dcs"),
                                rs.getBoolean("notified")))
                        .list())
                .getFirst();
        assertThat(incident).isEqualTo(new Incident("global", "HTTP_STATUS", "NY,VA", true));
    }

    @Test
    void theApisThatDependOnTheDatabaseAreSuppressedWhileItIsDownAndNotifyNothing() {
        // The APIs fail 7 s into the database's outage, once it is DOWN: their incidents link to the database's.
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(250))
                .until(() -> count(
                                """
                                SELECT count(*) FROM incidents i
                                JOIN api_monitors m ON m.id = i.monitor_id
                                JOIN incidents d ON d.id = i.suppressed_by
                                JOIN api_monitors dm ON dm.id = d.monitor_id
                                WHERE dm.name = '%s' AND i.scope = 'global' AND NOT i.notified
                                """
                                        .formatted(Demo.DATABASE))
                        == 2);
        assertThat(count(
                        """
                        SELECT count(*) FROM notifications n JOIN incidents i ON i.id = n.incident_id
                        JOIN api_monitors m ON m.id = i.monitor_id
                        WHERE m.name IN ('%s', '%s')
                        """
                                .formatted(Demo.DEPENDENT_APIS.get(0), Demo.DEPENDENT_APIS.get(1))))
                .isZero();
        assertThat(count(
                        """
                        SELECT count(*) FROM notifications n JOIN incidents i ON i.id = n.incident_id
                        JOIN api_monitors m ON m.id = i.monitor_id
                        WHERE m.name = '%s' AND n.event = 'firing'
                        """
                                .formatted(Demo.DATABASE)))
                .isEqualTo(1L);
    }

    private List<String> globallyUp() {
        return jdbi.withHandle(h -> h.createQuery(
                        """
                        SELECT m.name FROM monitor_states s JOIN api_monitors m ON m.id = s.monitor_id
                        WHERE s.datacenter_id IS NULL AND s.state = 'UP'
                        """)
                .mapTo(String.class)
                .list());
    }

    @Test
    void theExpiringCertificateIsRecordedWithItsWarningAndTheFailedAssertionWithItsValue() {
        await().atMost(Duration.ofSeconds(20))
                .until(() -> count(
                                """
                                SELECT count(*) FROM api_heartbeats h JOIN api_monitors m ON m.id = h.monitor_id
                                WHERE m.name = 'Certificate expiring in 5 days (tls)'
                                  AND h.details->>'cert_expiry_warning' LIKE 'certificate of CN=localhost expires in 5 days (%'
                                  AND (h.details->>'cert_days_left')::int = 5
                                """)
                        > 0);
        await().atMost(Duration.ofSeconds(20))
                .until(() -> count(
                                """
                                SELECT count(*) FROM api_heartbeats h JOIN api_monitors m ON m.id = h.monitor_id
                                WHERE m.name = 'JSON health (an assertion fails)'
                                  AND h.error_message = 'assertions[0] [JSON $.version] == "2.0.0" failed: saw "1.4.2"'
                                  AND h.details->'assertions_failed'->0->>'seen' = '"1.4.2"'
                                """)
                        > 0);
        // The evaluator reads the warning: the datacenters are DEGRADED and say when the certificate expires.
        await().atMost(Duration.ofSeconds(20))
                .until(() -> count(
                                """
                                SELECT count(*) FROM monitor_states s JOIN api_monitors m ON m.id = s.monitor_id
                                WHERE m.name = 'Certificate expiring in 5 days (tls)' AND s.state = 'DEGRADED'
                                  AND (s.datacenter_id IS NULL
                                       OR s.details LIKE 'certificate of CN=localhost expires in 5 days (%')
                                """)
                        == 4L);
        // Three datacenters warn every 10 s; the log channel hears of the certificate once.
        String certificateNotices =
                """
                SELECT count(*) FROM notifications n JOIN incidents i ON i.id = n.incident_id
                JOIN api_monitors m ON m.id = i.monitor_id JOIN notification_channels c ON c.id = n.channel_id
                WHERE m.name = 'Certificate expiring in 5 days (tls)' AND c.type = 'log' AND i.kind = 'certificate'
                """;
        await().atMost(Duration.ofSeconds(20)).until(() -> count(certificateNotices) == 1L);
        long warnings = count(
                """
                SELECT count(*) FROM api_heartbeats h JOIN api_monitors m ON m.id = h.monitor_id
                WHERE m.name = 'Certificate expiring in 5 days (tls)' AND h.details->>'cert_expiry_warning' IS NOT NULL
                """);
        await().atMost(Duration.ofSeconds(30))
                .until(() -> count(
                                """
                                SELECT count(*) FROM api_heartbeats h JOIN api_monitors m ON m.id = h.monitor_id
                                WHERE m.name = 'Certificate expiring in 5 days (tls)'
                                  AND h.details->>'cert_expiry_warning' IS NOT NULL
                                """)
                        >= warnings + 6);
        assertThat(count(certificateNotices)).isEqualTo(1L);
    }

    private long count(String sql) {
        return jdbi.withHandle(h -> h.createQuery(sql).mapTo(Long.class).one());
    }

    @Test
    void aPushJobThatStopsBeatingIsDownAndFiresWhileTheOneThatBeatsStaysUp() {
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(250))
                .until(() -> count(
                                """
                                SELECT count(*) FROM notifications n JOIN incidents i ON i.id = n.incident_id
                                JOIN api_monitors m ON m.id = i.monitor_id
                                WHERE m.name = 'Nightly export (push, stops beating)' AND n.event = 'firing'
                                  AND i.error_type = 'MISSED'
                                """)
                        == 1);
        assertThat(
                        count(
                                """
                        SELECT count(*) FROM monitor_states s JOIN api_monitors m ON m.id = s.monitor_id
                        WHERE m.name = 'Heartbeat job (push)' AND s.datacenter_id IS NULL AND s.state = 'UP'
                        """))
                .isEqualTo(1);
        assertThat(
                        count(
                                """
                        SELECT count(*) FROM api_heartbeats h JOIN api_monitors m ON m.id = h.monitor_id
                        WHERE m.name = 'Nightly export (push, stops beating)' AND h.message = 'exported 1200 rows'
                        """))
                .isGreaterThan(0);
    }
}
