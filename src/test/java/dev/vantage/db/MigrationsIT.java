package dev.vantage.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vantage.testing.PostgresExtension;
import dev.vantage.testing.PostgresExtension.Empty;
import dev.vantage.testing.TestDatabase;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(PostgresExtension.class)
class MigrationsIT {

    @Test
    void anEmptyDatabaseIsRefusedUntilMigratedThenAccepted(@Empty TestDatabase db) {
        assertThatThrownBy(() -> Migrations.requireCurrent(db.dataSource()))
                .isInstanceOf(Migrations.SchemaOutdatedException.class)
                .hasMessageStartingWith("database schema is empty (no Vantage tables), this Vantage needs version ")
                .hasMessageEndingWith(": run 'vantage migrate' first");

        var result = Migrations.migrate(db.dataSource());

        assertThat(result.migrationsExecuted).isGreaterThanOrEqualTo(1);
        Migrations.requireCurrent(db.dataSource());
        assertThat(Migrations.migrate(db.dataSource()).migrationsExecuted).isZero();
    }

    @Test
    void everyTableAndColumnIsDocumented(TestDatabase db) {
        List<String> undocumentedTables = db.jdbi().withHandle(h -> h.createQuery(
                        """
                        SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                        WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND NOT c.relispartition
                          AND c.relname <> 'flyway_schema_history'
                          AND obj_description(c.oid, 'pg_class') IS NULL
                        """)
                .mapTo(String.class)
                .list());
        List<String> undocumentedColumns = db.jdbi().withHandle(h -> h.createQuery(
                        """
                        SELECT c.relname || '.' || a.attname FROM pg_class c
                        JOIN pg_namespace n ON n.oid = c.relnamespace
                        JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
                        WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND NOT c.relispartition
                          AND c.relname <> 'flyway_schema_history'
                          AND col_description(c.oid, a.attnum) IS NULL
                        """)
                .mapTo(String.class)
                .list());

        assertThat(undocumentedTables).isEmpty();
        assertThat(undocumentedColumns).isEmpty();
    }

    @Test
    void theOldAgentsTableNamesExist(TestDatabase db) {
        for (String table : List.of(
                "regions",
                "datacenters",
                "schedules",
                "api_monitors",
                "datacenter_monitors",
                "agents",
                "api_heartbeats")) {
            assertThat(db.count("SELECT count(*) FROM pg_class WHERE relname = ? AND relkind IN ('r', 'p')", table))
                    .as(table)
                    .isEqualTo(1);
        }
    }

    @Test
    void heartbeatPartitionsExistAheadAndEnsuringThemIsIdempotent(TestDatabase db) {
        long created = db.count("SELECT vantage_ensure_heartbeat_partitions((now() AT TIME ZONE 'UTC')::date, 7)");
        long again = db.count("SELECT vantage_ensure_heartbeat_partitions((now() AT TIME ZONE 'UTC')::date, 7)");

        assertThat(created).isBetween(0L, 7L);
        assertThat(again).isZero();
        assertThat(
                        db.count(
                                """
                        SELECT count(*) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
                        WHERE i.inhparent = 'api_heartbeats'::regclass
                          AND c.relname >= 'api_heartbeats_' || to_char((now() AT TIME ZONE 'UTC')::date, 'YYYYMMDD')
                        """))
                .isGreaterThanOrEqualTo(7);
    }

    @Test
    void aSecondRowForTheSameSlotIsIgnoredByInsertOnConflict(TestDatabase db) {
        String insert =
                """
                INSERT INTO api_heartbeats (monitor_id, datacenter_id, scheduled_at, executed_at, success)
                VALUES (1, 1, date_trunc('minute', now()), now(), ?) ON CONFLICT DO NOTHING
                """;
        db.execute(insert, true);
        db.execute(insert, false);

        assertThat(db.count("SELECT count(*) FROM api_heartbeats")).isEqualTo(1);
        assertThat(db.count("SELECT count(*) FROM api_heartbeats WHERE success"))
                .isEqualTo(1);
    }

    @Test
    void editingConfigurationNotifiesTheConfigChannel(TestDatabase db) throws Exception {
        try (var listener = Database.dedicated(db.connection(), "test-listener");
                var s = listener.createStatement()) {
            s.execute("LISTEN vantage_config");
            db.execute("INSERT INTO schedules (name, interval) VALUES ('every minute', 60)");
            var pg = listener.unwrap(org.postgresql.PGConnection.class);
            var notifications = pg.getNotifications(5_000);
            assertThat(notifications).isNotNull();
            assertThat(notifications[0].getName()).isEqualTo("vantage_config");
            assertThat(notifications[0].getParameter()).isEqualTo("schedules");
        }
    }
}
