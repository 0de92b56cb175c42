package dev.vantage.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.vantage.db.Database;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code vantage demo} as a user starts it: its own embedded PostgreSQL, targets and three agents. */
class DemoIT {

    /** What each demo monitor must show: null for success, else its error_type. */
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
        EXPECTED.put("Broken row (bad URL)", "INVALID_CONFIG");
    }

    record Latest(String monitor, String dc, boolean success, String errorType) {}

    @Test
    void theDemoWritesAHeartbeatForEveryMonitorInEveryDatacenterWithin15Seconds() {
        try (var demo = Demo.start(null, 0);
                var pool = Database.pool(demo.connection(), "demo-it", 2)) {
            var jdbi = Database.jdbi(pool);

            await().atMost(Duration.ofSeconds(15))
                    .pollInterval(Duration.ofMillis(250))
                    .until(() -> jdbi.withHandle(h -> h.createQuery(
                                            "SELECT count(DISTINCT (monitor_id, datacenter_id)) FROM api_heartbeats")
                                    .mapTo(Long.class)
                                    .one())
                            == 3L * EXPECTED.size());

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
            assertThat(latest).hasSize(36);
            assertThat(latest).allSatisfy(l -> {
                assertThat(EXPECTED).containsKey(l.monitor());
                assertThat(l.errorType()).as(l.monitor() + " in " + l.dc()).isEqualTo(EXPECTED.get(l.monitor()));
                assertThat(l.success()).isEqualTo(EXPECTED.get(l.monitor()) == null);
            });
        }
    }
}
