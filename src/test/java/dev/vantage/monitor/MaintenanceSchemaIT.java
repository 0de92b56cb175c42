package dev.vantage.monitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vantage.config.DbConnection;
import dev.vantage.testing.PostgresExtension;
import dev.vantage.testing.PostgresExtension.Fresh;
import dev.vantage.testing.TestDatabase;
import java.math.BigDecimal;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** What V15 guarantees in SQL: windows that make sense, the monitor role's one column, uptime without maintenance. */
@ExtendWith(PostgresExtension.class)
class MaintenanceSchemaIT {

    static Stream<Arguments> nonsense() {
        return Stream.of(
                Arguments.of(
                        "(reason, starts_at, ends_at) VALUES ('x', now(), now() - interval '1 hour')",
                        "maintenance_windows_ends_after_start_check"),
                Arguments.of("(reason, starts_at) VALUES ('x', now())", "maintenance_windows_one_kind_check"),
                Arguments.of(
                        "(reason, starts_at, ends_at, weekdays) VALUES ('x', now(), now() + interval '1 hour', '{mon}')",
                        "maintenance_windows_one_kind_check"),
                Arguments.of(
                        "(reason, weekdays, start_time, duration, time_zone)"
                                + " VALUES ('x', '{monday}', '02:00', '1 hour', 'UTC')",
                        "maintenance_windows_weekdays_check"),
                Arguments.of(
                        "(reason, weekdays, start_time, duration, time_zone)"
                                + " VALUES ('x', '{mon}', '02:00', '8 days', 'UTC')",
                        "maintenance_windows_duration_check"),
                Arguments.of(
                        "(reason, weekdays, start_time, duration, time_zone)"
                                + " VALUES ('x', '{mon}', '02:00', '1 hour', 'Europe/Pariss')",
                        "maintenance_windows.time_zone: unknown time zone \"Europe/Pariss\""),
                Arguments.of(
                        "(reason, starts_at, ends_at) VALUES ('  ', now(), now() + interval '1 hour')",
                        "maintenance_windows_reason_check"),
                Arguments.of(
                        "(reason, monitor_ids, starts_at, ends_at) VALUES ('x', '{}', now(), now() + interval '1 hour')",
                        "maintenance_windows_monitor_ids_check"),
                Arguments.of(
                        "(reason, starts_at, ends_at, created_by) VALUES ('x', now(), now() + interval '1 hour', 'me')",
                        "maintenance_windows_created_by_check"));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("nonsense")
    void nonsenseIsRejectedWithAMessageNamingTheRule(String values, String message, @Fresh TestDatabase db) {
        assertThatThrownBy(() -> db.execute("INSERT INTO maintenance_windows " + values))
                .hasMessageContaining(message);
        assertThat(db.count("SELECT count(*) FROM maintenance_windows")).isZero();
    }

    @Test
    void aWeeklyWindowInAKnownZoneIsAccepted(@Fresh TestDatabase db) {
        db.execute("INSERT INTO maintenance_windows (reason, weekdays, start_time, duration, time_zone)"
                + " VALUES ('backups', '{sat,sun}', '23:00', '3 hours', 'Europe/Paris')");
        assertThat(db.count("SELECT count(*) FROM maintenance_windows WHERE created_by = 'sql'"))
                .isEqualTo(1);
    }

    @Test
    void theMonitorRoleMayMarkHeartbeatsButChangeNothingElseOfThem(@Fresh TestDatabase db) throws SQLException {
        seedHeartbeats(db);
        String name = "it_maint_" + UUID.randomUUID().toString().substring(0, 8);
        String password = UUID.randomUUID().toString();
        db.execute("CREATE ROLE " + name + " LOGIN PASSWORD '" + password + "' IN ROLE vantage_monitor");
        try {
            var as = new DbConnection(db.connection().jdbcUrl(), name, password);
            var props = new Properties();
            props.setProperty("user", as.user());
            props.setProperty("password", as.password());
            try (var c = DriverManager.getConnection(as.jdbcUrl(), props);
                    var s = c.createStatement()) {
                int marked = s.executeUpdate("UPDATE api_heartbeats SET in_maintenance = true"
                        + " WHERE id = 1 AND scheduled_at = '2026-01-15T10:00:00Z'");
                assertThat(marked).isEqualTo(1);
                assertThatThrownBy(() -> s.executeUpdate("UPDATE api_heartbeats SET success = true WHERE id = 1"))
                        .hasMessageContaining("permission denied");
                s.executeUpdate("INSERT INTO maintenance_windows (reason, starts_at, ends_at, created_by)"
                        + " VALUES ('deploy', now(), now() + interval '5 minutes', 'cli')");
            }
        } finally {
            db.execute("DROP ROLE " + name);
        }
    }

    @Test
    void uptimeAndSlaLeaveMaintenanceProbesOutAndSayHowManyThereWere(@Fresh TestDatabase db) {
        seedHeartbeats(db);
        db.execute("UPDATE api_heartbeats SET in_maintenance = true WHERE scheduled_at >= '2026-01-15T10:30:00Z'");
        db.count("SELECT vantage_rollup_heartbeats('2026-01-15T00:00:00Z', '2026-01-16T00:00:00Z')");

        var daily = db.jdbi().withHandle(h -> h.createQuery(
                        "SELECT probes, successes, uptime_pct, maintenance_probes FROM api_uptime_daily")
                .mapToMap()
                .one());
        // 10:00 and 10:10 ok, 10:20 failing: 2 of 3 outside; 10:30, 10:40, 10:50 failing in maintenance: left out.
        assertThat(daily.get("probes")).isEqualTo(3L);
        assertThat(daily.get("successes")).isEqualTo(2L);
        assertThat((BigDecimal) daily.get("uptime_pct")).isEqualByComparingTo("66.6667");
        assertThat(daily.get("maintenance_probes")).isEqualTo(3L);

        var monthly = db.jdbi().withHandle(h -> h.createQuery(
                        "SELECT probes, uptime_pct, minutes_down, maintenance_probes, maintenance_minutes"
                                + " FROM api_sla_monthly")
                .mapToMap()
                .one());
        assertThat(monthly.get("probes")).isEqualTo(3L);
        assertThat((BigDecimal) monthly.get("uptime_pct")).isEqualByComparingTo("66.6667");
        assertThat(monthly.get("maintenance_probes")).isEqualTo(3L);
        // One hour of 6 probes: 3 in maintenance (60 * 3/6 min), 1 of the 3 others down (60 * 1/3 * 3/6 min).
        assertThat((BigDecimal) monthly.get("maintenance_minutes")).isEqualByComparingTo("30.0");
        assertThat((BigDecimal) monthly.get("minutes_down")).isEqualByComparingTo("10.0");
    }

    @Test
    void remindersPauseWhileTheWholeMonitorIsInMaintenance(@Fresh TestDatabase db) {
        db.execute("INSERT INTO notification_channels (id, name, type, repeat_every)"
                + " VALUES (1, 'log', 'log', interval '1 minute')");
        db.execute("INSERT INTO incidents (id, kind, monitor_id, scope, opened_at, notified)"
                + " VALUES (1, 'monitor', 1, 'global', now() - interval '1 hour', true)");
        db.execute(
                "INSERT INTO notifications (incident_id, channel_id, event, dedup_key, payload, created_at)"
                        + " VALUES (1, 1, 'firing', 'vantage-incident-1', '{\"event\": \"firing\"}', now() - interval '1 hour')");
        db.execute("INSERT INTO monitor_states (monitor_id, datacenter_id, state, since)"
                + " VALUES (1, NULL, 'MAINTENANCE', now())");
        int paused = db.jdbi().inTransaction(h -> dev.vantage.notify.Reminders.enqueue(h, java.time.Instant.now()));
        assertThat(paused).isZero();

        db.execute("UPDATE monitor_states SET state = 'DOWN' WHERE monitor_id = 1");
        int due = db.jdbi().inTransaction(h -> dev.vantage.notify.Reminders.enqueue(h, java.time.Instant.now()));
        assertThat(due).isEqualTo(1);
    }

    /** Monitor 1 in datacenter 1, every 10 min from 10:00 to 11:00 on 2026-01-15: ok until 10:20, failing after. */
    private static void seedHeartbeats(TestDatabase db) {
        db.execute("SELECT vantage_ensure_heartbeat_partitions('2026-01-15'::date, 1)");
        db.execute(
                """
                INSERT INTO api_heartbeats (monitor_id, datacenter_id, scheduled_at, executed_at, success, error_type)
                SELECT 1, 1, t, t, t < '2026-01-15T10:20:00Z', CASE WHEN t >= '2026-01-15T10:20:00Z' THEN 'TIMEOUT' END
                FROM generate_series('2026-01-15T10:00:00Z'::timestamptz, '2026-01-15T10:59:00Z', interval '10 minutes') t
                ORDER BY t
                """);
    }
}
