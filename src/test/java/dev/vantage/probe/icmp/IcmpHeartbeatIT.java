package dev.vantage.probe.icmp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vantage.agent.Agent;
import dev.vantage.agent.AgentSettings;
import dev.vantage.heartbeat.HeartbeatWriterSettings;
import dev.vantage.lease.LeaseSettings;
import dev.vantage.testing.PostgresExtension;
import dev.vantage.testing.TestDatabase;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** icmp monitors inserted with SQL, probed by a real agent, their heartbeats read back from PostgreSQL. */
@ExtendWith(PostgresExtension.class)
class IcmpHeartbeatIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aPingHeartbeatStoresTheAverageRoundTripAndItsDetailsWithoutPhasesItHasNot(TestDatabase db) throws Exception {
        db.execute("INSERT INTO datacenters (code, name) VALUES ('VA', 'Virginia')");
        db.execute("INSERT INTO schedules (name, interval) VALUES ('every second', 1)");
        db.execute(
                """
                INSERT INTO api_monitors (name, type, url, schedule_id, settings)
                SELECT name, 'icmp', url, (SELECT id FROM schedules), CAST(settings AS jsonb)
                FROM (VALUES ('loopback', 'icmp://127.0.0.1', '{"count": 2, "interval_ms": 50}'),
                             ('with a port', 'icmp://127.0.0.1:7', '{}')) AS m(name, url, settings)
                """);
        db.execute("INSERT INTO datacenter_monitors (datacenter_id, monitor_id) SELECT d.id, m.id"
                + " FROM datacenters d CROSS JOIN api_monitors m");
        var settings = new AgentSettings(
                db.connection(),
                "va",
                "icmp-it",
                16,
                Duration.ofSeconds(60),
                Duration.ofSeconds(3),
                Duration.ofSeconds(5),
                HeartbeatWriterSettings.DEFAULTS.withLinger(Duration.ofMillis(20)),
                LeaseSettings.DEFAULTS);
        try (var agent = Agent.start(settings, new SimpleMeterRegistry(), Clock.systemUTC())) {
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> db.count("SELECT count(DISTINCT monitor_id) FROM api_heartbeats") == 2);
        }

        Map<String, Object> ok = db.jdbi().withHandle(h -> h.createQuery(
                        """
                                SELECT success, response_time_ms, dns_lookup_ms, tcp_connect_ms, tls_handshake_ms,
                                       time_to_first_byte_ms, server_processing_ms, content_transfer_ms,
                                       response_status_code, remote_address, details::text AS details
                                FROM api_heartbeats h JOIN api_monitors m ON m.id = h.monitor_id
                                WHERE m.name = 'loopback' ORDER BY scheduled_at LIMIT 1
                                """)
                .mapToMap()
                .one());
        JsonNode details = JSON.readTree((String) ok.get("details"));
        assertThat(ok.get("success")).isEqualTo(true);
        assertThat(details.get("packets_sent").asInt()).isEqualTo(2);
        assertThat(details.get("packets_received").asInt()).isEqualTo(2);
        assertThat(details.get("loss_percent").asDouble()).isZero();
        assertThat(details.get("address").asText()).isEqualTo("127.0.0.1");
        assertThat(((Number) ok.get("response_time_ms")).doubleValue())
                .as("response_time_ms is the average round trip")
                .isEqualTo(details.get("rtt_avg_ms").asDouble());
        assertThat(ok.get("remote_address")).isEqualTo("127.0.0.1");
        for (String phase : new String[] {
            "dns_lookup_ms",
            "tcp_connect_ms",
            "tls_handshake_ms",
            "time_to_first_byte_ms",
            "server_processing_ms",
            "content_transfer_ms",
            "response_status_code"
        }) {
            assertThat(ok.get(phase)).as(phase).isNull();
        }

        Map<String, Object> invalid = db.jdbi().withHandle(h -> h.createQuery(
                        """
                                SELECT error_type, error_message, details FROM api_heartbeats h
                                JOIN api_monitors m ON m.id = h.monitor_id WHERE m.name = 'with a port' LIMIT 1
                                """)
                .mapToMap()
                .one());
        assertThat(invalid.get("error_type")).isEqualTo("INVALID_CONFIG");
        assertThat(invalid.get("error_message"))
                .isEqualTo("url: takes only a host, no port or user: 'icmp://127.0.0.1:7'");
        assertThat(invalid.get("details")).isNull();
    }
}
