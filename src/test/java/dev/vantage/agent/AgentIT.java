package dev.vantage.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.vantage.config.ConfigurationException;
import dev.vantage.demo.DemoTargets;
import dev.vantage.heartbeat.HeartbeatWriterSettings;
import dev.vantage.lease.LeaseSettings;
import dev.vantage.testing.PostgresExtension;
import dev.vantage.testing.TestDatabase;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A real agent against a real database and loopback targets, edited with SQL the way a user does with psql. The slow
 * reload timer is set to a minute, so every change here must arrive through NOTIFY within 2 seconds.
 */
@ExtendWith(PostgresExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AgentIT {
    private static final Duration APPLIED_WITHIN = Duration.ofSeconds(2);

    private TestDatabase db;
    private DemoTargets targets;
    private Agent agent;
    private int datacenterId;

    @BeforeAll
    void start(TestDatabase db) {
        this.db = db;
        targets = DemoTargets.start();
        db.execute("INSERT INTO regions (name, region_code, group_name) VALUES ('US East', 'us-east-1', 'US')");
        db.execute(
                "INSERT INTO datacenters (code, name, region_id) VALUES ('VA', 'Virginia', 1), ('NY', 'New York', 1)");
        datacenterId = (int) db.count("SELECT id FROM datacenters WHERE code = 'VA'");
        agent = Agent.start(settings("va"), new SimpleMeterRegistry(), Clock.systemUTC());
    }

    private AgentSettings settings(String datacenter) {
        return new AgentSettings(
                db.connection(),
                datacenter,
                "agent-it",
                64,
                Duration.ofSeconds(60),
                Duration.ofSeconds(3),
                Duration.ofSeconds(5),
                HeartbeatWriterSettings.DEFAULTS.withLinger(Duration.ofMillis(20)),
                LeaseSettings.DEFAULTS);
    }

    @AfterAll
    void stop() {
        if (agent != null) {
            agent.close();
        }
        if (targets != null) {
            targets.close();
        }
    }

    /** A heartbeat as the tests read it back. */
    record Row(
            Instant scheduledAt,
            boolean success,
            Integer status,
            String errorType,
            String errorMessage,
            String body,
            Integer agentId,
            int datacenterId) {}

    private long monitor(String name, String url, int intervalSeconds, String extraColumns, String extraValues) {
        long schedule = db.count(
                "INSERT INTO schedules (name, interval, include_response_body) VALUES (?, ?, true) RETURNING id",
                name,
                intervalSeconds);
        long id = db.count(
                "INSERT INTO api_monitors (name, type, url, schedule_id" + extraColumns + ") VALUES (?, 'http', ?, ?"
                        + extraValues + ") RETURNING id",
                name,
                url,
                schedule);
        db.execute("INSERT INTO datacenter_monitors (datacenter_id, monitor_id) VALUES (?, ?)", datacenterId, id);
        return id;
    }

    private long monitor(String name, String url) {
        return monitor(name, url, 1, "", "");
    }

    private List<Row> heartbeats(long monitorId, Instant from) {
        return db.jdbi().withHandle(h -> h.createQuery(
                        """
                                SELECT scheduled_at, success, response_status_code, error_type, error_message,
                                       raw_response_body, agent_id, datacenter_id
                                FROM api_heartbeats WHERE monitor_id = ? AND scheduled_at >= ? ORDER BY scheduled_at
                                """)
                .bind(0, monitorId)
                .bind(1, OffsetDateTime.ofInstant(from, java.time.ZoneOffset.UTC))
                .map((rs, ctx) -> new Row(
                        rs.getObject(1, OffsetDateTime.class).toInstant(),
                        rs.getBoolean(2),
                        (Integer) rs.getObject(3),
                        rs.getString(4),
                        rs.getString(5),
                        rs.getString(6),
                        (Integer) rs.getObject(7),
                        rs.getInt(8)))
                .list());
    }

    /** Edits with SQL, then waits for the first heartbeat showing the edit, and checks it came within 2 s. */
    private Row edit(long monitorId, String sql, java.util.function.Predicate<Row> showsTheEdit, Object... args) {
        Instant edited = Instant.now();
        db.execute(sql, args);
        var first = await().atMost(Duration.ofSeconds(6))
                .until(
                        () -> heartbeats(monitorId, edited).stream()
                                .filter(showsTheEdit)
                                .findFirst(),
                        Optional::isPresent)
                .orElseThrow();
        assertThat(Duration.between(edited, first.scheduledAt())).isLessThanOrEqualTo(APPLIED_WITHIN);
        return first;
    }

    private void awaitHeartbeats(long monitorId, int n) {
        Instant from = Instant.now().minusSeconds(60);
        await().atMost(Duration.ofSeconds(6))
                .until(() -> heartbeats(monitorId, from).size() >= n);
    }

    @Test
    void registersItselfRefreshesLastSeenAndStampsItsHeartbeatsWithAgentAndDatacenter() {
        long id = monitor("identity", targets.httpUrl("/fast"));
        awaitHeartbeats(id, 1);

        var row = heartbeats(id, Instant.EPOCH).getFirst();
        assertThat(row.agentId()).isEqualTo(agent.agentId());
        assertThat(row.datacenterId()).isEqualTo(datacenterId);
        assertThat(db.count(
                        "SELECT count(*) FROM agents WHERE id = ? AND name = 'agent-it' AND datacenter_id = ?"
                                + " AND version IS NOT NULL AND pid IS NOT NULL AND stopped_at IS NULL",
                        agent.agentId(),
                        datacenterId))
                .isEqualTo(1);
        await().atMost(Duration.ofSeconds(8))
                .until(() -> db.count(
                                "SELECT count(*) FROM agents WHERE id = ?"
                                        + " AND last_seen_at >= started_at + interval '4 seconds'",
                                agent.agentId())
                        == 1);
    }

    @Test
    void aUrlEditIsAppliedWithinTwoSeconds() {
        long id = monitor("url", targets.httpUrl("/fast"));
        awaitHeartbeats(id, 1);

        var row = edit(
                id,
                "UPDATE api_monitors SET url = ? WHERE id = ?",
                r -> Integer.valueOf(503).equals(r.status()),
                targets.httpUrl("/status/503"),
                id);

        assertThat(row.errorType()).isEqualTo("HTTP_STATUS");
        assertThat(row.errorMessage()).isEqualTo("status 503, expected 200-299");
    }

    @Test
    void methodHeadersAndBodyEditsAreApplied() {
        long id = monitor("request", targets.httpUrl("/echo-all"));
        awaitHeartbeats(id, 1);

        edit(
                id,
                "UPDATE api_monitors SET method = 'POST', body = 'ping' WHERE id = ?",
                r -> r.body() != null
                        && r.body().startsWith("POST\n")
                        && r.body().endsWith("\nping"),
                id);
        edit(
                id,
                "UPDATE api_monitors SET headers = '{\"X-Vantage-Test\": \"abc\"}' WHERE id = ?",
                r -> r.body() != null && r.body().contains("\nx-vantage-test: abc\n"),
                id);
        edit(
                id,
                "UPDATE api_monitors SET headers = '{\"X-Vantage-Test\": \"xyz\"}', body = 'pong' WHERE id = ?",
                r -> r.body() != null
                        && r.body().contains("\nx-vantage-test: xyz\n")
                        && r.body().endsWith("\npong"),
                id);
    }

    @Test
    void aTimeoutEditIsApplied() {
        long id = monitor("timeout", targets.blackholeUrl(), 2, ", timeout_ms", ", 1500");
        awaitHeartbeats(id, 1);
        assertThat(heartbeats(id, Instant.EPOCH).getFirst().errorMessage()).contains("1500 ms");

        var row = edit(
                id,
                "UPDATE api_monitors SET timeout_ms = 300 WHERE id = ?",
                r -> r.errorMessage() != null && r.errorMessage().contains("300 ms"),
                id);

        assertThat(row.errorType()).isEqualTo("TIMEOUT");
        assertThat(row.errorMessage()).startsWith("timed out after 300 ms");
    }

    @Test
    void anIntervalEditMovesTheMonitorToItsNewGrid() {
        long id = monitor("interval", targets.httpUrl("/fast"));
        awaitHeartbeats(id, 2);
        Instant edited = Instant.now();

        db.execute(
                "UPDATE schedules SET interval = 3 WHERE id = (SELECT schedule_id FROM api_monitors WHERE id = ?)", id);

        await().atMost(Duration.ofSeconds(10))
                .until(() -> heartbeats(id, edited.plusSeconds(1)).size() >= 2);
        var slots = heartbeats(id, edited.plusSeconds(1)).stream()
                .map(Row::scheduledAt)
                .toList();
        assertThat(Duration.between(slots.get(0), slots.get(1))).isEqualTo(Duration.ofSeconds(3));
        assertThat(Duration.between(edited, slots.getFirst()))
                .isLessThanOrEqualTo(Duration.ofSeconds(1).plus(Duration.ofSeconds(3)));
    }

    @Test
    void disablingUnassigningAndDeletingStopTheMonitorAndReEnablingResumesIt() {
        long id = monitor("lifecycle", targets.httpUrl("/fast"));
        awaitHeartbeats(id, 1);

        assertStopsAfter(id, "UPDATE api_monitors SET enabled = false WHERE id = " + id);
        edit(id, "UPDATE api_monitors SET enabled = true WHERE id = ?", r -> true, id);
        assertStopsAfter(id, "DELETE FROM datacenter_monitors WHERE monitor_id = " + id);
        edit(
                id,
                "INSERT INTO datacenter_monitors (datacenter_id, monitor_id) VALUES (?, ?)",
                r -> true,
                datacenterId,
                id);
        assertStopsAfter(id, "DELETE FROM api_monitors WHERE id = " + id);
    }

    /** After the edit has had 2 s to apply (plus one probe in flight), no slot is filled for the next 2 s. */
    private void assertStopsAfter(long id, String sql) {
        db.execute(sql);
        Instant applied = Instant.now().plus(APPLIED_WITHIN);
        await().pollDelay(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(5)).until(() -> true);
        assertThat(heartbeats(id, applied.plusSeconds(1))).isEmpty();
    }

    @Test
    void aNewRowStartsWithinTwoSeconds() {
        Instant inserted = Instant.now();
        long id = monitor("new row", targets.httpUrl("/fast"));

        awaitHeartbeats(id, 1);

        assertThat(Duration.between(
                        inserted, heartbeats(id, Instant.EPOCH).getFirst().scheduledAt()))
                .isLessThanOrEqualTo(APPLIED_WITHIN);
    }

    @Test
    void aRowBrokenByAnEditReportsInvalidConfigWhileTheOthersKeepRunning() {
        long healthy = monitor("healthy", targets.httpUrl("/fast"));
        long broken = monitor("to be broken", targets.httpUrl("/fast"));
        awaitHeartbeats(broken, 1);

        var row = edit(
                broken,
                "UPDATE api_monitors SET url = 'htp:/nope' WHERE id = ?",
                r -> "INVALID_CONFIG".equals(r.errorType()),
                broken);
        Instant after = Instant.now();

        assertThat(row.success()).isFalse();
        assertThat(row.errorMessage()).isEqualTo("url: scheme must be http or https, was 'htp'");
        await().atMost(Duration.ofSeconds(4))
                .until(() -> heartbeats(healthy, after).stream().anyMatch(Row::success));
    }

    @Test
    void anUnknownDatacenterStopsWithOneLineNamingTheKnownOnes() {
        assertThatThrownBy(() -> Agent.start(settings("XX"), new SimpleMeterRegistry(), Clock.systemUTC()))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("DATACENTER_ID=XX: no datacenter with that id or code (known: 1=VA, 2=NY)");
    }

    @Test
    void aSecondAgentResolvesItsDatacenterById() {
        try (var second = Agent.start(
                settings(Integer.toString(datacenterId + 1)), new SimpleMeterRegistry(), Clock.systemUTC())) {
            assertThat(second.datacenter().code()).isEqualTo("NY");
        }
        assertThat(db.count(
                        "SELECT count(*) FROM agents WHERE datacenter_id = ? AND role = 'stopped'"
                                + " AND stopped_at IS NOT NULL",
                        datacenterId + 1))
                .isEqualTo(1);
    }
}
