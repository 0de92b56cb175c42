package dev.vantage.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.awaitility.Awaitility.await;

import dev.vantage.Main;
import dev.vantage.agent.Agent;
import dev.vantage.agent.AgentSettings;
import dev.vantage.config.DbConnection;
import dev.vantage.demo.DemoTargets;
import dev.vantage.heartbeat.HeartbeatWriterSettings;
import dev.vantage.lease.LeaseSettings;
import dev.vantage.monitor.HeartbeatCursor;
import dev.vantage.monitor.MonitorModule;
import dev.vantage.monitor.MonitorSettings;
import dev.vantage.testing.PostgresExtension;
import dev.vantage.testing.PostgresExtension.Empty;
import dev.vantage.testing.PostgresExtension.Fresh;
import dev.vantage.testing.TestDatabase;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The group roles of V5 hold what Vantage's code needs and nothing more: a real agent and a real monitor module run as
 * members of them, and statements outside their job are refused with 42501 (insufficient_privilege).
 *
 * <p>Roles are cluster-wide and other test classes share the embedded cluster: every login role here has a random
 * name, and only those are dropped.
 */
@ExtendWith(PostgresExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RolesIT {
    private static final String INSUFFICIENT_PRIVILEGE = "42501";

    private TestDatabase db;
    private final List<String> logins = new ArrayList<>();
    private DbConnection agent;
    private DbConnection monitor;
    private DbConnection reader;

    @BeforeAll
    void createLoginRoles(@Fresh TestDatabase db) throws IOException {
        this.db = db;
        agent = login(db, "vantage_agent");
        monitor = login(db, "vantage_monitor");
        reader = loginByCommand(db);
    }

    /** A reader login created the way an operator does: vantage roles create-login, the password in a file. */
    private DbConnection loginByCommand(TestDatabase on) throws IOException {
        String name = "it_reader_" + UUID.randomUUID().toString().substring(0, 8);
        String password = UUID.randomUUID().toString();
        Path file = Files.createTempFile("vantage-roles-it", ".password");
        try {
            Files.writeString(file, password + "\n");
            int exit = Main.commandLine()
                    .execute(
                            "roles",
                            "create-login",
                            "--role",
                            "reader",
                            "--name",
                            name,
                            "--idle-in-transaction-timeout",
                            "45s",
                            "--password-file",
                            file.toString(),
                            "--db",
                            on.libpqUrl());
            assertThat(exit).isZero();
        } finally {
            Files.delete(file);
        }
        logins.add(name);
        return as(on, name, password);
    }

    /** A LOGIN member of {@code group} with a random name, as a DBA would create one per datacenter. */
    private DbConnection login(TestDatabase on, String group) {
        String name = "it_" + group + "_" + UUID.randomUUID().toString().substring(0, 8);
        String password = UUID.randomUUID().toString();
        on.execute("CREATE ROLE " + name + " LOGIN PASSWORD '" + password + "' IN ROLE " + group);
        logins.add(name);
        return as(on, name, password);
    }

    private static DbConnection as(TestDatabase on, String user, String password) {
        return new DbConnection(on.connection().jdbcUrl(), user, password);
    }

    @AfterAll
    void dropLoginRoles() {
        for (String name : logins) {
            db.execute("DROP ROLE IF EXISTS " + name);
        }
    }

    private static Connection connect(DbConnection as) throws SQLException {
        var props = new Properties();
        props.setProperty("user", as.user());
        props.setProperty("password", as.password());
        return DriverManager.getConnection(as.jdbcUrl(), props);
    }

    /** Runs one statement in a transaction that is rolled back, and returns its SQLSTATE (null when it succeeded). */
    private static String sqlState(DbConnection as, String sql) throws SQLException {
        try (var c = connect(as)) {
            c.setAutoCommit(false);
            try (var s = c.createStatement()) {
                s.execute(sql);
                return null;
            } catch (SQLException e) {
                return e.getSQLState();
            } finally {
                c.rollback();
            }
        }
    }

    @Test
    void theMigrationCreatedTheThreeGroupRolesWithoutLogin() {
        assertThat(db.count("SELECT count(*) FROM pg_roles WHERE rolname IN"
                        + " ('vantage_agent', 'vantage_monitor', 'vantage_reader') AND NOT rolcanlogin"
                        + " AND NOT rolsuper AND NOT rolcreaterole AND NOT rolcreatedb"))
                .isEqualTo(3);
        assertThat(db.count("SELECT count(*) FROM unnest(vantage_grant_roles()) r"))
                .isEqualTo(3);
    }

    @Test
    void thePrintedSqlForTheGroupsRunsAsIsAndIsIdempotent() {
        String sql = Roles.printSql(new Roles.Login("va_agent", Roles.Group.AGENT, "60s", "60s"));
        String groups = sql.substring(0, sql.indexOf("-- 3."));

        db.execute(groups);
        db.execute(groups);

        assertThat(sql)
                .contains("CREATE ROLE va_agent LOGIN IN ROLE vantage_agent;")
                .contains("ALTER ROLE va_agent SET idle_in_transaction_session_timeout = '60s';");
        assertThat(db.count("SELECT count(*) FROM pg_roles WHERE rolname LIKE 'vantage\\_%' AND NOT rolcanlogin"))
                .isGreaterThanOrEqualTo(3);
    }

    @Test
    void createLoginSetsTheTimeoutsOnTheLoginRoleAndStoresOnlyAScramHash() throws SQLException {
        assertThat(db.count(
                        """
                        SELECT count(*) FROM pg_authid a
                        JOIN pg_db_role_setting s ON s.setrole = a.oid AND s.setdatabase = 0
                        WHERE a.rolname = ? AND a.rolcanlogin AND a.rolpassword LIKE 'SCRAM-SHA-256$%'
                          AND s.setconfig @> ARRAY['idle_in_transaction_session_timeout=45s', 'statement_timeout=60s']
                          AND pg_has_role(a.oid, 'vantage_reader', 'MEMBER')
                        """,
                        reader.user()))
                .isEqualTo(1);
        try (var c = connect(reader);
                var s = c.createStatement();
                var rs = s.executeQuery("SHOW idle_in_transaction_session_timeout")) {
            rs.next();
            assertThat(rs.getString(1)).isEqualTo("45s");
        }
    }

    @Test
    void createLoginRefusesAnExistingRoleAndABadTimeoutWithExitStatusTwo(@org.junit.jupiter.api.io.TempDir Path dir)
            throws IOException {
        Path file = Files.writeString(dir.resolve("password"), "secret-password");
        var err = new java.io.StringWriter();
        var existing = Main.commandLine().setErr(new java.io.PrintWriter(err));
        int exists = existing.execute(
                "roles",
                "create-login",
                "--role",
                "agent",
                "--name",
                reader.user(),
                "--password-file",
                file.toString(),
                "--db",
                db.libpqUrl());
        int badTimeout = existing.execute(
                "roles",
                "create-login",
                "--name",
                "it_never_created",
                "--statement-timeout",
                "soon",
                "--password-file",
                file.toString(),
                "--db",
                db.libpqUrl());

        assertThat(exists).isEqualTo(2);
        assertThat(badTimeout).isEqualTo(2);
        assertThat(err.toString())
                .contains("vantage roles create-login: role " + reader.user() + " already exists")
                .contains("--statement-timeout: expected a duration such as 60s, 5min, 500ms or 0 (none), got 'soon'")
                .doesNotContain("secret-password");
    }

    @Test
    void anOwnerWithoutCreateroleMigratesAndGrantsTheExistingRoles(@Empty TestDatabase empty) throws SQLException {
        String owner = "it_owner_" + UUID.randomUUID().toString().substring(0, 8);
        String password = UUID.randomUUID().toString();
        empty.execute("CREATE ROLE " + owner + " LOGIN NOCREATEROLE PASSWORD '" + password + "'");
        logins.add(owner);
        empty.execute("ALTER DATABASE " + empty.name() + " OWNER TO " + owner);
        try {
            try (var pool = Database.pool(as(empty, owner, password), "roles-it-owner", 2)) {
                assertThat(Migrations.migrate(pool).success).isTrue();
            }
            assertThat(empty.count(
                            "SELECT count(*) FROM pg_tables WHERE tablename = 'api_heartbeats'" + " AND tableowner = ?",
                            owner))
                    .isEqualTo(1);
            assertThat(empty.count("SELECT count(*) WHERE has_table_privilege('vantage_agent', 'api_heartbeats',"
                            + " 'INSERT') AND NOT has_table_privilege('vantage_agent', 'api_heartbeats', 'DELETE')"
                            + " AND has_database_privilege('vantage_agent', current_database(), 'TEMPORARY')"
                            + " AND has_column_privilege('vantage_reader', 'notification_channels', 'name', 'SELECT')"
                            + " AND NOT has_column_privilege('vantage_reader', 'notification_channels', 'settings',"
                            + " 'SELECT')"))
                    .isEqualTo(1);
        } finally {
            // Leave nothing of the role behind in this database, so that it can be dropped.
            empty.execute("REASSIGN OWNED BY " + owner + " TO CURRENT_USER");
            empty.execute("DROP OWNED BY " + owner);
        }
    }

    @Test
    void aMigratingUserThatDoesNotOwnTheDatabaseLeavesConnectToPublicAndSaysWhatTheOwnerMustRun(
            @Empty TestDatabase empty) throws SQLException {
        String tables = "it_tables_" + UUID.randomUUID().toString().substring(0, 8);
        String password = UUID.randomUUID().toString();
        empty.execute("CREATE ROLE " + tables + " LOGIN NOCREATEROLE PASSWORD '" + password + "'");
        logins.add(tables);
        empty.execute("GRANT CREATE ON SCHEMA public TO " + tables);
        try {
            try (var pool = Database.pool(as(empty, tables, password), "roles-it-tables", 2)) {
                assertThat(Migrations.migrate(pool).success).isTrue();
            }
            String notices;
            try (var c = connect(as(empty, tables, password));
                    var s = c.createStatement()) {
                s.executeQuery("SELECT vantage_grant_roles()").close();
                var all = new StringBuilder();
                for (var w = s.getWarnings(); w != null; w = w.getNextWarning()) {
                    all.append(w.getMessage()).append('\n');
                }
                notices = all.toString();
            }
            assertThat(notices)
                    .contains(
                            tables + " does not own database " + empty.name()
                                    + ": CONNECT and TEMPORARY were neither granted to the Vantage roles nor revoked from PUBLIC")
                    .contains("REVOKE CONNECT, TEMPORARY ON DATABASE " + empty.name() + " FROM PUBLIC;");
            // PUBLIC still connects: the owner has not run the statements yet.
            assertThat(empty.count("SELECT count(*) FROM pg_database WHERE datname = current_database()"
                            + " AND (datacl IS NULL OR EXISTS (SELECT 1 FROM aclexplode(datacl) a"
                            + " WHERE a.grantee = 0 AND a.privilege_type = 'CONNECT'))"))
                    .isEqualTo(1);
        } finally {
            empty.execute("REASSIGN OWNED BY " + tables + " TO CURRENT_USER");
            empty.execute("DROP OWNED BY " + tables);
        }
    }

    @Test
    void theOwnerOfTheDatabaseRevokesConnectFromPublicAndGrantsItToTheGroups(@Fresh TestDatabase fresh) {
        // CREATE DATABASE ... TEMPLATE copies no database privileges: run the grants as the migration did.
        fresh.execute("SELECT vantage_grant_roles()");
        assertThat(
                        fresh.count(
                                """
                        SELECT count(*) FROM pg_database d WHERE d.datname = current_database()
                          AND NOT EXISTS (SELECT 1 FROM aclexplode(d.datacl) a WHERE a.grantee = 0)
                          AND has_database_privilege('vantage_agent', d.oid, 'CONNECT, TEMPORARY')
                          AND has_database_privilege('vantage_monitor', d.oid, 'CONNECT, TEMPORARY')
                          AND has_database_privilege('vantage_reader', d.oid, 'CONNECT')
                          AND NOT has_database_privilege('vantage_reader', d.oid, 'TEMPORARY')
                        """))
                .isEqualTo(1);
    }

    /**
     * The role-creating block of V5 as it ships, creating {@code names} instead of the real roles (which every test
     * of this cluster relies on, so they cannot be dropped to rerun it).
     */
    private static String roleBlock(String... names) throws IOException {
        String migration;
        try (var in = RolesIT.class.getResourceAsStream("/db/migration/V5__roles.sql")) {
            migration = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
        String block = migration.substring(migration.indexOf("DO $roles$"), migration.indexOf("$roles$;") + 8);
        String wanted = "ARRAY['vantage_agent', 'vantage_monitor', 'vantage_reader']";
        assertThat(block).contains(wanted);
        return block.replace(wanted, "ARRAY['" + String.join("', '", names) + "']");
    }

    private static String randomRole(String prefix) {
        return prefix + UUID.randomUUID().toString().substring(0, 8);
    }

    @Test
    void twoDatabasesCreatingTheRolesAtOnceBothMigrate(@Fresh TestDatabase other) throws Exception {
        String role = randomRole("it_race_");
        logins.add(role);
        String block = roleBlock(role);
        var superuser = db.connection();
        try (var first = Database.dedicated(superuser, "roles-it-first");
                var second = Database.dedicated(other.connection(), "roles-it-second")) {
            first.setAutoCommit(false);
            try (var s = first.createStatement()) {
                s.execute(block);
            }
            // The second waits on pg_authid's unique index for the first, uncommitted, transaction.
            var late = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try (var s = second.createStatement()) {
                    s.execute(block);
                    return s.getWarnings() == null ? "" : s.getWarnings().getMessage();
                } catch (SQLException e) {
                    throw new java.util.concurrent.CompletionException(e);
                }
            });
            await().atMost(Duration.ofSeconds(10))
                    .until(() ->
                            db.count("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'roles-it-second'"
                                            + " AND wait_event_type = 'Lock'")
                                    == 1);
            first.commit();

            assertThat(late.get(10, java.util.concurrent.TimeUnit.SECONDS))
                    .isEqualTo("Role " + role + " was created concurrently by another migration");
        }
        assertThat(db.count("SELECT count(*) FROM pg_roles WHERE rolname = ? AND NOT rolcanlogin", role))
                .isEqualTo(1);
    }

    @Test
    void aMigratingUserWithoutCreateroleSkipsMissingRolesWithANotice() throws Exception {
        String role = randomRole("it_never_");
        try (var c = Database.dedicated(agent, "roles-it-no-createrole");
                var s = c.createStatement()) {
            s.execute(roleBlock(role));
            var warning = s.getWarnings();
            assertThat(warning == null ? null : warning.getMessage())
                    .startsWith("Role " + role + " does not exist and " + agent.user()
                            + " may not create roles (no CREATEROLE): skipped.")
                    .contains("vantage roles print", "SELECT vantage_grant_roles();");
        }
        assertThat(db.count("SELECT count(*) FROM pg_roles WHERE rolname = ?", role))
                .isZero();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(
            strings = {
                "UPDATE api_monitors SET url = 'http://evil.invalid/'",
                "INSERT INTO schedules (name, interval) VALUES ('x', 1)",
                "DELETE FROM datacenters",
                "INSERT INTO datacenter_monitors VALUES (1, 1)",
                "DELETE FROM api_heartbeats",
                "UPDATE api_heartbeats SET success = true",
                "TRUNCATE api_heartbeats",
                "SELECT settings FROM notification_channels",
                "SELECT name FROM notification_channels",
                "SELECT * FROM notifications",
                "SELECT * FROM notification_attempts",
                "INSERT INTO incidents (kind, monitor_id, scope, opened_at) VALUES ('monitor', 1, 'global', now())",
                "UPDATE monitor_states SET state = 'UP'",
                "SELECT * FROM monitor_cursor",
                "UPDATE monitor_leases SET epoch = epoch + 1",
                "UPDATE agents SET datacenter_id = 2",
                "UPDATE agents SET name = 'impostor'",
                "DELETE FROM agents",
                "DELETE FROM datacenter_lease_history",
                "UPDATE datacenter_lease_history SET epoch = epoch + 100",
                "CREATE TABLE evil (id int)",
                "DROP TABLE api_heartbeats",
                "ALTER TABLE api_heartbeats ADD COLUMN evil text",
                "CREATE FUNCTION evil() RETURNS int LANGUAGE sql AS 'SELECT 1'",
                "GRANT ALL ON notification_channels TO PUBLIC",
                "GRANT vantage_monitor TO CURRENT_USER",
                "SET ROLE vantage_monitor",
                "CREATE ROLE evil LOGIN",
                "COPY (SELECT 1) TO PROGRAM 'true'",
                "SELECT pg_read_file('/etc/passwd')",
                "SELECT vantage_grant_roles()",
                "SELECT * FROM api_heartbeat_rollups",
                "SELECT * FROM api_uptime_daily",
                "SELECT vantage_rollup_heartbeats(now() - interval '1 hour', now())",
                "SELECT * FROM vantage_drop_heartbeat_partitions(30)"
            })
    void anAgentMayNot(String statement) throws SQLException {
        assertThat(sqlState(agent, statement)).isEqualTo(INSUFFICIENT_PRIVILEGE);
    }

    @Test
    void anAgentWritesThroughTheStagingTableAndTheFenceLikeItsWriterDoes() throws SQLException {
        db.execute("INSERT INTO datacenters (id, code) VALUES (1, 'VA')");
        db.execute("INSERT INTO agent_logins (login, datacenter_id) VALUES (?, 1)", agent.user());
        try (var c = connect(agent)) {
            c.setAutoCommit(false);
            try (var s = c.createStatement()) {
                // HeartbeatInserter's staged path, shortened to a few of its columns.
                s.execute("CREATE TEMP TABLE vantage_heartbeat_staging ON COMMIT DELETE ROWS AS"
                        + " SELECT monitor_id, datacenter_id, lease_epoch, scheduled_at, executed_at, success"
                        + " FROM api_heartbeats WITH NO DATA");
                s.execute("INSERT INTO vantage_heartbeat_staging VALUES (7, 1, 1, now(), now(), true)");
                s.execute("SELECT datacenter_id, epoch FROM datacenter_leases WHERE datacenter_id = ANY ('{1}')"
                        + " FOR SHARE");
                int inserted = s.executeUpdate(
                        """
                        INSERT INTO api_heartbeats (monitor_id, datacenter_id, lease_epoch, scheduled_at, executed_at,
                            success)
                        SELECT monitor_id, datacenter_id, lease_epoch, scheduled_at, executed_at, success
                        FROM vantage_heartbeat_staging s
                        WHERE NOT (s.lease_epoch IS NOT NULL AND EXISTS (SELECT 1 FROM datacenter_lease_history h
                            WHERE h.datacenter_id = s.datacenter_id AND h.epoch > s.lease_epoch
                              AND h.acquired_at <= s.scheduled_at))
                        ON CONFLICT (monitor_id, datacenter_id, scheduled_at) DO NOTHING
                        """);
                assertThat(inserted).isEqualTo(1);
                try (var rs = s.executeQuery("SELECT vantage_ensure_heartbeat_partitions(current_date, 2)")) {
                    assertThat(rs.next()).isTrue();
                }
            } finally {
                c.rollback();
            }
        }
    }

    @Test
    void aRealAgentProbesRegistersAndLeadsAsAMemberOfVantageAgent(@Fresh TestDatabase fresh) {
        DbConnection as = login(fresh, "vantage_agent");
        try (var targets = DemoTargets.start()) {
            fresh.execute("INSERT INTO datacenters (code, name) VALUES ('VA', 'Virginia')");
            fresh.execute("INSERT INTO schedules (name, interval) VALUES ('every second', 1)");
            fresh.execute(
                    "INSERT INTO api_monitors (name, url, schedule_id, headers) VALUES ('fast', ?, 1,"
                            + " '{\"Authorization\": \"Bearer s3cret\"}')",
                    targets.httpUrl("/fast"));
            fresh.execute("INSERT INTO datacenter_monitors SELECT d.id, m.id FROM datacenters d, api_monitors m");
            fresh.execute("INSERT INTO agent_logins (login, datacenter_id) SELECT ?, id FROM datacenters", as.user());
            var settings = new AgentSettings(
                    as,
                    "VA",
                    "roles-it",
                    16,
                    Duration.ofSeconds(60),
                    Duration.ofSeconds(3),
                    Duration.ofSeconds(5),
                    HeartbeatWriterSettings.DEFAULTS.withLinger(Duration.ofMillis(20)),
                    LeaseSettings.DEFAULTS);
            try (var running = Agent.start(settings, new SimpleMeterRegistry(), Clock.systemUTC())) {
                await().atMost(Duration.ofSeconds(15))
                        .until(() -> fresh.count(
                                        "SELECT count(*) FROM api_heartbeats WHERE success AND agent_id = ?",
                                        running.agentId())
                                >= 3);
                assertThat(fresh.count(
                                "SELECT count(*) FROM agents WHERE id = ? AND role = 'leader' AND lease_epoch = 1",
                                running.agentId()))
                        .isEqualTo(1);
                assertThat(fresh.count(
                                "SELECT count(*) FROM datacenter_leases WHERE holder_agent_id = ? AND epoch = 1",
                                running.agentId()))
                        .isEqualTo(1);
                assertThat(fresh.count("SELECT count(*) FROM datacenter_lease_history"))
                        .isEqualTo(1);
            }
            assertThat(fresh.count("SELECT count(*) FROM agents WHERE role = 'stopped' AND stopped_at IS NOT NULL"))
                    .isEqualTo(1);
            assertThat(fresh.count("SELECT count(*) FROM datacenter_leases WHERE released_at IS NOT NULL"))
                    .isEqualTo(1);
        }
    }

    @Test
    void aRealMonitorModuleEvaluatesIncidentsAndNotifiesAsAMemberOfVantageMonitor(@Fresh TestDatabase fresh)
            throws SQLException {
        DbConnection as = login(fresh, "vantage_monitor");
        fresh.execute("INSERT INTO datacenters (id, code) VALUES (1, 'VA')");
        fresh.execute("INSERT INTO schedules (id, name, interval) VALUES (1, 'every 10 s', 10)");
        fresh.execute("INSERT INTO api_monitors (id, name, url, schedule_id, headers, down_after, quorum)"
                + " VALUES (1, 'checkout', 'http://127.0.0.1:9/', 1, '{\"Authorization\": \"Bearer s3cret\"}', 2, 1)");
        fresh.execute("INSERT INTO datacenter_monitors VALUES (1, 1)");
        fresh.execute("INSERT INTO agents (name, datacenter_id, role) VALUES ('a-va', 1, 'leader')");
        fresh.execute("INSERT INTO notification_channels (name, type, is_default, group_seconds)"
                + " VALUES ('log', 'log', true, 0)");
        // The cursor starts at the watermark of its first load: place it before the heartbeats.
        fresh.jdbi().inTransaction(h -> new HeartbeatCursor().load(h));
        fresh.execute(
                """
                INSERT INTO api_heartbeats (monitor_id, datacenter_id, scheduled_at, executed_at, success, error_type,
                    error_message)
                SELECT 1, 1, t, t, false, 'CONNECT', 'connection refused'
                FROM generate_series(now() - interval '20 seconds', now() - interval '1 second', interval '10 seconds') t
                """);

        try (var module = MonitorModule.start(
                MonitorSettings.defaults(as, "roles-it"), new SimpleMeterRegistry(), Clock.systemUTC())) {
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> fresh.count("SELECT count(*) FROM notification_attempts a"
                                    + " JOIN notifications n ON n.id = a.notification_id"
                                    + " WHERE n.event = 'firing' AND a.outcome = 'delivered'")
                            == 1);
            assertThat(module.leading()).isTrue();
        }
        assertThat(fresh.count("SELECT count(*) FROM monitor_states WHERE datacenter_id IS NULL AND state = 'DOWN'"))
                .isEqualTo(1);
        assertThat(fresh.count("SELECT count(*) FROM incidents WHERE scope = 'global' AND resolved_at IS NULL"))
                .isEqualTo(1);
        assertThat(sqlState(as, "SELECT headers FROM api_monitors")).isEqualTo(INSUFFICIENT_PRIVILEGE);
        assertThat(sqlState(as, "SELECT body FROM api_monitors")).isEqualTo(INSUFFICIENT_PRIVILEGE);
        assertThat(sqlState(as, "DELETE FROM api_heartbeats")).isEqualTo(INSUFFICIENT_PRIVILEGE);
        assertThat(sqlState(as, "UPDATE api_heartbeats SET success = true")).isEqualTo(INSUFFICIENT_PRIVILEGE);
        assertThat(sqlState(as, "UPDATE api_monitors SET push_token = NULL")).isEqualTo(INSUFFICIENT_PRIVILEGE);
        assertThat(sqlState(as, "UPDATE api_monitors SET enabled = false")).isEqualTo(INSUFFICIENT_PRIVILEGE);
        assertThat(sqlState(as, "INSERT INTO agents (name, datacenter_id) VALUES ('x', 1)"))
                .isEqualTo(INSUFFICIENT_PRIVILEGE);
        // The data lifecycle: rollups and retention only through the owner's functions, never by hand.
        try (var c = connect(as);
                var s = c.createStatement()) {
            s.executeQuery("SELECT vantage_rollup_heartbeats(date_trunc('hour', now()) - interval '1 hour',"
                            + " date_trunc('hour', now()))")
                    .close();
            s.executeQuery("SELECT * FROM vantage_drop_heartbeat_partitions(30)")
                    .close();
            s.executeQuery("SELECT max(hour) FROM api_heartbeat_rollups").close();
            // Push monitors (V7): every replica reads the ping tokens and writes pushed beats.
            s.executeQuery("SELECT id, enabled, push_token, push_subject FROM api_monitors")
                    .close();
            s.executeUpdate("INSERT INTO api_heartbeats (monitor_id, datacenter_id, scheduled_at, executed_at, success,"
                    + " beat_kind, message, details) VALUES (1, 0, now(), now(), true, 'success', 'ok',"
                    + " '{\"source\": \"http\"}')");
        }
        assertThat(sqlState(as, "DELETE FROM api_heartbeat_rollups")).isEqualTo(INSUFFICIENT_PRIVILEGE);
        assertThat(sqlState(as, "UPDATE api_heartbeat_rollups SET probes = 0")).isEqualTo(INSUFFICIENT_PRIVILEGE);
    }

    @Test
    void theStatusReadsAsMonitorAndAsReaderTakingInvalidMonitorsFromTheirAgentsHeartbeats(@Fresh TestDatabase fresh) {
        fresh.execute("INSERT INTO datacenters (id, code) VALUES (1, 'VA')");
        fresh.execute("INSERT INTO schedules (id, name, interval) VALUES (1, 'every 10 s', 10)");
        fresh.execute("INSERT INTO api_monitors (id, name, url, schedule_id, headers) VALUES"
                + " (1, 'checkout', 'http://127.0.0.1:9/', 1, '{\"Authorization\": \"Bearer s3cret\"}'),"
                + " (2, 'broken', 'not a url', 1, '{}')");
        fresh.execute("INSERT INTO datacenter_monitors VALUES (1, 1), (1, 2)");
        fresh.execute("INSERT INTO notification_channels (name, type, settings) VALUES ('hook', 'webhook', '{}')");
        fresh.execute(
                """
                INSERT INTO api_heartbeats (monitor_id, datacenter_id, scheduled_at, executed_at, success, error_type,
                    error_message)
                VALUES (1, 1, now() - interval '5 seconds', now() - interval '5 seconds', true, NULL, NULL),
                       (2, 1, now() - interval '5 seconds', now() - interval '5 seconds', false, 'INVALID_CONFIG',
                        'url: not an absolute http(s) URL')
                """);
        var asOwner = dev.vantage.status.StatusQuery.load(fresh.jdbi(), Clock.systemUTC());
        assertThat(asOwner.invalidConfig())
                .extracting(r -> r.kind() + " " + r.name())
                .containsExactly("monitor broken", "channel hook");

        for (String group : List.of("vantage_monitor", "vantage_reader")) {
            DbConnection as = login(fresh, group);
            try (var pool = Database.pool(as, "roles-it-status", 1)) {
                var report = dev.vantage.status.StatusQuery.load(Database.jdbi(pool), Clock.systemUTC());
                assertThat(report.monitors())
                        .as(group)
                        .extracting(m -> m.name())
                        .containsExactly("checkout", "broken");
                // The reader may not read channel settings, so it cannot judge the channel; both see the monitor.
                assertThat(report.invalidConfig())
                        .as(group)
                        .extracting(r -> r.kind() + " " + r.name() + ": " + r.reason())
                        .containsExactlyElementsOf(
                                group.equals("vantage_monitor")
                                        ? List.of(
                                                "monitor broken: url: not an absolute http(s) URL",
                                                "channel hook: "
                                                        + asOwner.invalidConfig()
                                                                .get(1)
                                                                .reason())
                                        : List.of("monitor broken: url: not an absolute http(s) URL"));
            }
        }
    }

    @Test
    void theMonitorAndTheReaderReadPhaseThresholdsAndOnlyTheOwnerWritesThem() throws SQLException {
        String read = "SELECT t.phase, t.warning_ms, m.notify_degraded_after"
                + " FROM phase_thresholds t JOIN api_monitors m ON m.id = t.monitor_id";
        String write = "INSERT INTO phase_thresholds (monitor_id, phase, warning_ms) VALUES (1, 'dns_lookup_ms', 100)";

        assertThat(sqlState(monitor, read)).isNull();
        assertThat(sqlState(reader, read)).isNull();
        assertThat(sqlState(agent, "SELECT * FROM phase_thresholds")).isEqualTo("42501");
        assertThat(sqlState(monitor, write)).isEqualTo("42501");
        assertThat(sqlState(reader, write)).isEqualTo("42501");
        assertThat(sqlState(monitor, "UPDATE api_monitors SET notify_degraded_after = 1"))
                .isEqualTo("42501");
    }

    @Test
    void aReaderSeesHeartbeatsAndStatesButNoCredentialAndWritesNothing() throws SQLException {
        assertThatCode(() -> {
                    try (var c = connect(reader);
                            var s = c.createStatement()) {
                        s.executeQuery("SELECT count(*) FROM api_heartbeats").close();
                        s.executeQuery("SELECT * FROM monitor_states").close();
                        s.executeQuery("SELECT * FROM incidents").close();
                        s.executeQuery("SELECT * FROM api_heartbeat_rollups").close();
                        s.executeQuery("SELECT * FROM api_uptime_daily").close();
                        s.executeQuery("SELECT * FROM api_sla_monthly").close();
                        s.executeQuery("SELECT id, name, url_redacted, enabled, push_subject FROM api_monitors")
                                .close();
                        s.executeQuery("SELECT id, name, type, enabled, group_seconds FROM notification_channels")
                                .close();
                    }
                })
                .doesNotThrowAnyException();
        for (String forbidden : List.of(
                "SELECT settings FROM notification_channels",
                "SELECT * FROM notification_channels",
                "SELECT headers FROM api_monitors",
                "SELECT body FROM api_monitors",
                "SELECT url FROM api_monitors",
                "SELECT push_token FROM api_monitors",
                "INSERT INTO datacenters (code) VALUES ('X')",
                "UPDATE api_monitors SET enabled = false",
                "DELETE FROM api_heartbeats",
                "INSERT INTO api_heartbeats (monitor_id, datacenter_id, scheduled_at, executed_at, success)"
                        + " VALUES (1, 1, now(), now(), true)",
                "SELECT vantage_ensure_heartbeat_partitions(current_date, 1)",
                "SELECT vantage_rollup_heartbeats(now() - interval '1 hour', now())",
                "DELETE FROM api_heartbeat_rollups")) {
            assertThat(sqlState(reader, forbidden)).as(forbidden).isEqualTo(INSUFFICIENT_PRIVILEGE);
        }
    }
}
