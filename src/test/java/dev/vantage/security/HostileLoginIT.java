package dev.vantage.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.vantage.Main;
import dev.vantage.Meters;
import dev.vantage.agent.Agent;
import dev.vantage.agent.AgentSettings;
import dev.vantage.config.ConfigurationException;
import dev.vantage.config.DbConnection;
import dev.vantage.db.Database;
import dev.vantage.demo.DemoTargets;
import dev.vantage.heartbeat.HeartbeatWriterSettings;
import dev.vantage.lease.DatacenterLease;
import dev.vantage.lease.LeaseSettings;
import dev.vantage.lease.MonitorLease;
import dev.vantage.testing.PostgresExtension;
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
import org.slf4j.LoggerFactory;

/**
 * Issue 12, items 1 and 2: hostile database logins, real roles with passwords, over loopback TCP. A role with no grants
 * cannot connect (so cannot take an advisory lock); a VA agent login can neither read nor write for LON; a real agent
 * started as a bound login still probes, leads and writes; a standby names the backend that really holds its lock.
 *
 * <p>Roles are cluster-wide and other test classes share the embedded cluster: every role here has a random name, and
 * only those are dropped.
 */
@ExtendWith(PostgresExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HostileLoginIT {
    private static final String INSUFFICIENT_PRIVILEGE = "42501";
    private static final String CHECK_VIOLATION = "23514";

    private TestDatabase db;
    private final List<String> roles = new ArrayList<>();
    private int va;
    private int lon;
    private int lonAgent;
    private DbConnection nobody;
    private DbConnection vaAgent;
    private DbConnection lonAgentLogin;
    private DbConnection epochWriter;

    @BeforeAll
    void createRolesAndRows(@Fresh TestDatabase db) throws IOException {
        this.db = db;
        // CREATE DATABASE ... TEMPLATE copies no database privileges: grant in this copy as 'vantage migrate' did in
        // the template, so that CONNECT is the migrations' and not PUBLIC's default.
        db.execute("SELECT vantage_grant_roles()");
        db.execute("INSERT INTO datacenters (code, name) VALUES ('VA', 'Virginia'), ('LON', 'London')");
        va = (int) db.count("SELECT id FROM datacenters WHERE code = 'VA'");
        lon = (int) db.count("SELECT id FROM datacenters WHERE code = 'LON'");
        db.execute("INSERT INTO schedules (name, interval) VALUES ('every second', 1)");
        db.execute("INSERT INTO api_monitors (name, url, schedule_id, headers, body) VALUES"
                + " ('lon-only', 'https://lon.example/', 1, '{\"Authorization\": \"Bearer lon-secret\"}', 'lon-body')");
        db.execute("INSERT INTO datacenter_monitors SELECT ?, id FROM api_monitors WHERE name = 'lon-only'", lon);
        db.execute("INSERT INTO agents (name, datacenter_id) VALUES ('lon-1', ?)", lon);
        lonAgent = (int) db.count("SELECT id FROM agents WHERE name = 'lon-1'");

        nobody = role("it_nobody_", "");
        vaAgent = agentLogin("VA");
        lonAgentLogin = agentLogin("LON");
        // A role given INSERT and UPDATE on the lease tables, as a careless DBA might: the epoch rule still holds.
        epochWriter = role("it_epochs_", " IN ROLE vantage_monitor");
        db.execute(
                "GRANT SELECT, INSERT, UPDATE ON datacenter_leases, datacenter_lease_history TO " + epochWriter.user());
    }

    private DbConnection role(String prefix, String options) {
        String name = prefix + UUID.randomUUID().toString().substring(0, 8);
        String password = UUID.randomUUID().toString();
        db.execute("CREATE ROLE " + name + " LOGIN PASSWORD '" + password + "'" + options);
        roles.add(name);
        return new DbConnection(db.connection().jdbcUrl(), name, password);
    }

    /** An agent login created as an operator does: vantage roles create-login --datacenter, the password in a file. */
    private DbConnection agentLogin(String datacenter) throws IOException {
        String name = "it_" + datacenter.toLowerCase() + "_agent_"
                + UUID.randomUUID().toString().substring(0, 8);
        String password = UUID.randomUUID().toString();
        Path file = Files.createTempFile("hostile-login-it", ".password");
        try {
            Files.writeString(file, password + "\n");
            int exit = Main.commandLine()
                    .execute(
                            "roles",
                            "create-login",
                            "--role",
                            "agent",
                            "--datacenter",
                            datacenter,
                            "--name",
                            name,
                            "--password-file",
                            file.toString(),
                            "--db",
                            db.libpqUrl());
            assertThat(exit).isZero();
        } finally {
            Files.delete(file);
        }
        roles.add(name);
        return new DbConnection(db.connection().jdbcUrl(), name, password);
    }

    @AfterAll
    void dropRoles() {
        for (String name : roles) {
            db.execute("DROP OWNED BY " + name);
            db.execute("DROP ROLE IF EXISTS " + name);
        }
    }

    private static Connection connect(DbConnection as) throws SQLException {
        var props = new Properties();
        props.setProperty("user", as.user());
        props.setProperty("password", as.password());
        return DriverManager.getConnection(as.jdbcUrl(), props);
    }

    /** Runs statements in one transaction that is rolled back; the SQLSTATE of the first that fails, or null. */
    private static String sqlState(DbConnection as, String... statements) throws SQLException {
        try (var c = connect(as)) {
            c.setAutoCommit(false);
            try (var s = c.createStatement()) {
                for (String sql : statements) {
                    s.execute(sql);
                }
                return null;
            } catch (SQLException e) {
                return e.getSQLState();
            } finally {
                c.rollback();
            }
        }
    }

    @Test
    void aRoleWithNoGrantsCannotConnectSoCannotTakeAnAdvisoryLock() {
        assertThatThrownBy(() -> connect(nobody).close())
                .isInstanceOf(SQLException.class)
                .hasMessageContaining("permission denied for database")
                .hasMessageContaining("CONNECT privilege");
    }

    @Test
    void aVaAgentLoginCannotReadALonOnlyMonitorsHeadersOrBody() throws SQLException {
        var seen = new ArrayList<String>();
        try (var c = connect(vaAgent);
                var s = c.createStatement();
                var rs = s.executeQuery("SELECT name, headers::text, body FROM api_monitors")) {
            while (rs.next()) {
                seen.add(rs.getString(1) + " " + rs.getString(2) + " " + rs.getString(3));
            }
        }
        assertThat(seen).noneMatch(row -> row.contains("lon-secret") || row.contains("lon-body"));
    }

    @Test
    void aVaAgentLoginCannotInsertHeartbeatsForLon() throws SQLException {
        assertThat(sqlState(
                        vaAgent,
                        "INSERT INTO api_heartbeats (monitor_id, datacenter_id, scheduled_at, executed_at, success)"
                                + " VALUES (1, " + lon + ", now(), now(), true)"))
                .isEqualTo(INSUFFICIENT_PRIVILEGE);
    }

    @Test
    void aVaAgentLoginCannotInsertAHeartbeatAnHourAhead() throws SQLException {
        assertThat(sqlState(
                        vaAgent,
                        "INSERT INTO api_heartbeats (monitor_id, datacenter_id, scheduled_at, executed_at, success)"
                                + " VALUES (1, " + va + ", now() + interval '1 hour', now(), true)"))
                .isEqualTo(CHECK_VIOLATION);
    }

    @Test
    void aVaAgentLoginCannotWriteLonsAgentsRows() throws SQLException {
        assertThat(sqlState(vaAgent, "INSERT INTO agents (name, datacenter_id) VALUES ('impostor', " + lon + ")"))
                .isEqualTo(INSUFFICIENT_PRIVILEGE);
        try (var c = connect(vaAgent);
                var s = c.createStatement()) {
            int updated =
                    s.executeUpdate("UPDATE agents SET role = 'stopped', stopped_at = now() WHERE id = " + lonAgent);
            assertThat(updated).isZero();
        }
        assertThat(db.count("SELECT count(*) FROM agents WHERE id = ? AND stopped_at IS NULL", lonAgent))
                .isEqualTo(1);
    }

    @Test
    void aVaAgentLoginCannotTakeOrBumpLonsLeaseNorInsertEpochBigintMax() throws SQLException {
        assertThat(sqlState(
                        vaAgent,
                        "INSERT INTO datacenter_leases (datacenter_id, epoch, acquired_at) VALUES (" + lon
                                + ", 1, now())"))
                .isEqualTo(INSUFFICIENT_PRIVILEGE);
        assertThat(sqlState(vaAgent, "UPDATE datacenter_leases SET epoch = epoch + 1 WHERE datacenter_id = " + lon))
                .isEqualTo(INSUFFICIENT_PRIVILEGE);
        assertThat(sqlState(
                        vaAgent,
                        "INSERT INTO datacenter_lease_history (datacenter_id, epoch, acquired_at)" + " VALUES (" + lon
                                + ", 9223372036854775807, now())"))
                .isEqualTo(INSUFFICIENT_PRIVILEGE);
        // Even holding LON's advisory lock (any role that may connect can take it), the lease is not VA's to take.
        assertThat(sqlState(
                        vaAgent,
                        "SELECT pg_advisory_xact_lock(1447120468, " + lon + ")",
                        "SELECT * FROM vantage_take_datacenter_lease(" + lon + ", " + lonAgent + ", interval '0')"))
                .isEqualTo(INSUFFICIENT_PRIVILEGE);
        assertThat(db.count("SELECT count(*) FROM datacenter_lease_history WHERE datacenter_id = ?", lon))
                .isZero();
    }

    @Test
    void noLoginButTheOwnerWritesAnEpochThatJumps() throws SQLException {
        assertThat(sqlState(
                        epochWriter,
                        "INSERT INTO datacenter_lease_history (datacenter_id, epoch, acquired_at)" + " VALUES (" + lon
                                + ", 9223372036854775807, now())"))
                .isEqualTo(CHECK_VIOLATION);
        assertThat(sqlState(
                        epochWriter,
                        "INSERT INTO datacenter_lease_history (datacenter_id, epoch, acquired_at)" + " VALUES (" + lon
                                + ", 1, now())",
                        "INSERT INTO datacenter_leases (datacenter_id, epoch, acquired_at) VALUES (" + lon
                                + ", 1, now())",
                        "UPDATE datacenter_leases SET epoch = 5 WHERE datacenter_id = " + lon))
                .isEqualTo(CHECK_VIOLATION);
        assertThat(sqlState(
                        epochWriter,
                        "INSERT INTO datacenter_lease_history (datacenter_id, epoch, acquired_at)" + " VALUES (" + lon
                                + ", 1, now()), (" + lon + ", 2, now())"))
                .as("epochs that grow by one are written")
                .isNull();
    }

    @Test
    void aReaderCannotReadTheUserInfoOfAMonitorsUrlButSeesItRedacted() throws SQLException {
        db.execute("INSERT INTO api_monitors (name, url, schedule_id) VALUES"
                + " ('basic-auth', 'https://ops:hunter2@intranet.example:8443/health?x=1', 1)");
        DbConnection reader = role("it_reader_", " IN ROLE vantage_reader");
        assertThat(sqlState(reader, "SELECT url FROM api_monitors")).isEqualTo(INSUFFICIENT_PRIVILEGE);
        try (var c = connect(reader);
                var s = c.createStatement();
                var rs = s.executeQuery("SELECT url_redacted FROM api_monitors WHERE name = 'basic-auth'")) {
            rs.next();
            assertThat(rs.getString(1)).isEqualTo("https://***@intranet.example:8443/health?x=1");
        }
    }

    private AgentSettings agentSettings(DbConnection as, String datacenter) {
        return new AgentSettings(
                as,
                datacenter,
                "hostile-login-it",
                16,
                Duration.ofSeconds(60),
                Duration.ofSeconds(3),
                Duration.ofSeconds(5),
                HeartbeatWriterSettings.DEFAULTS.withLinger(Duration.ofMillis(20)),
                LeaseSettings.DEFAULTS);
    }

    @Test
    void aRealAgentStartedAsABoundLoginProbesLeadsAndWritesAndRefusesAnotherDatacenter(@Fresh TestDatabase fresh)
            throws IOException {
        fresh.execute("SELECT vantage_grant_roles()");
        fresh.execute("INSERT INTO datacenters (code, name) VALUES ('VA', 'Virginia'), ('LON', 'London')");
        fresh.execute("INSERT INTO schedules (name, interval) VALUES ('every second', 1)");
        TestDatabase saved = db;
        db = fresh; // the logins below are bound in this database
        DbConnection as;
        DbConnection unbound;
        try {
            as = agentLogin("VA");
            unbound = role("it_unbound_", " IN ROLE vantage_agent");
        } finally {
            db = saved;
        }
        try (var targets = DemoTargets.start()) {
            fresh.execute(
                    "INSERT INTO api_monitors (name, url, schedule_id, headers) VALUES ('fast', ?, 1,"
                            + " '{\"Authorization\": \"Bearer s3cret\"}')",
                    targets.httpUrl("/fast"));
            fresh.execute("INSERT INTO datacenter_monitors SELECT d.id, m.id FROM datacenters d, api_monitors m");

            assertThatThrownBy(() -> Agent.start(agentSettings(as, "LON"), new SimpleMeterRegistry(), Clock.systemUTC())
                            .close())
                    .isInstanceOf(ConfigurationException.class)
                    .hasMessageContaining("DATACENTER_ID=LON is datacenter LON")
                    .hasMessageContaining("database login " + as.user() + " is bound to datacenter VA");
            assertThatThrownBy(() -> Agent.start(
                                    agentSettings(unbound, "VA"), new SimpleMeterRegistry(), Clock.systemUTC())
                            .close())
                    .isInstanceOf(ConfigurationException.class)
                    .hasMessageContaining("database login " + unbound.user() + " is a member of vantage_agent but bound"
                            + " to no datacenter")
                    .hasMessageContaining("vantage roles bind --name " + unbound.user() + " --datacenter VA");
            // The fix the message names, and its refusal of a datacenter that does not exist.
            var err = new java.io.StringWriter();
            var cli = Main.commandLine().setErr(new java.io.PrintWriter(err));
            assertThat(cli.execute(
                            "roles",
                            "bind",
                            "--name",
                            unbound.user(),
                            "--datacenter",
                            "NOPE",
                            "--db",
                            fresh.libpqUrl()))
                    .isEqualTo(2);
            assertThat(err.toString()).contains("--datacenter=NOPE: no datacenter with that id or code");
            assertThat(cli.execute(
                            "roles", "bind", "--name", unbound.user(), "--datacenter", "va", "--db", fresh.libpqUrl()))
                    .isZero();
            assertThat(fresh.count(
                            "SELECT count(*) FROM agent_logins b JOIN datacenters d ON d.id = b.datacenter_id"
                                    + " WHERE b.login = ? AND d.code = 'VA'",
                            unbound.user()))
                    .isEqualTo(1);

            try (var running = Agent.start(agentSettings(as, "VA"), new SimpleMeterRegistry(), Clock.systemUTC())) {
                await().atMost(Duration.ofSeconds(15))
                        .until(() -> fresh.count(
                                        "SELECT count(*) FROM api_heartbeats WHERE success AND agent_id = ?",
                                        running.agentId())
                                >= 3);
                assertThat(fresh.count(
                                "SELECT count(*) FROM datacenter_leases WHERE holder_agent_id = ? AND epoch = 1",
                                running.agentId()))
                        .isEqualTo(1);
                assertThat(fresh.count("SELECT count(*) FROM api_heartbeats WHERE datacenter_id <> ("
                                + "SELECT id FROM datacenters WHERE code = 'VA')"))
                        .isZero();
            }
            assertThat(fresh.count("SELECT count(*) FROM datacenter_leases WHERE released_at IS NOT NULL"))
                    .isEqualTo(1);
        } finally {
            fresh.execute("DROP OWNED BY " + as.user());
            fresh.execute("DROP OWNED BY " + unbound.user());
        }
    }

    @Test
    void aStandbyNamesTheBackendThatReallyHoldsTheLockAndSaysLoudlyWhenItIsNotVantages() throws Exception {
        db.execute("INSERT INTO agents (name, datacenter_id) VALUES ('va-standby', ?)", va);
        int standbyAgent = (int) db.count("SELECT id FROM agents WHERE name = 'va-standby'");
        var appender = new ListAppender<ILoggingEvent>();
        var logger = (Logger) LoggerFactory.getLogger(DatacenterLease.class);
        appender.start();
        logger.addAppender(appender);
        var meters = new SimpleMeterRegistry();
        // LON's agent login takes VA's lock: another datacenter's login, which may connect.
        try (var foreign = Database.dedicated(lonAgentLogin, "not-vantage-at-all")) {
            int pid;
            try (var s = foreign.createStatement();
                    var rs = s.executeQuery("SELECT pg_try_advisory_lock(1447120468, " + va + "), pg_backend_pid()")) {
                rs.next();
                assertThat(rs.getBoolean(1)).isTrue();
                pid = rs.getInt(2);
            }
            try (var standby = DatacenterLease.start(
                    vaAgent, va, "VA", standbyAgent, LeaseSettings.DEFAULTS, Clock.systemUTC(), meters, () -> {})) {
                await().atMost(Duration.ofSeconds(10)).until(() -> appender.list.stream()
                        .anyMatch(e -> e.getFormattedMessage().startsWith("Standing by for datacenter:VA")));
                var lines = appender.list.stream()
                        .filter(e -> e.getFormattedMessage().startsWith("Standing by for datacenter:VA"))
                        .toList();
                assertThat(lines).hasSize(1);
                assertThat(lines.getFirst().getLevel()).isEqualTo(Level.ERROR);
                assertThat(lines.getFirst().getFormattedMessage())
                        .contains("held by backend pid " + pid + " (login " + lonAgentLogin.user())
                        .contains("not a Vantage login for it");
                assertThat(standby.leading()).isFalse();
                assertThat(meters.get(Meters.LEASE_FOREIGN_HOLDER).gauge().value())
                        .isEqualTo(1.0);
            }
        } finally {
            logger.detachAppender(appender);
        }
    }

    @Test
    void aMonitorStandbySaysLoudlyWhenAnAgentLoginHoldsTheMonitorsLock() throws Exception {
        DbConnection monitor = role("it_monitor_", " IN ROLE vantage_monitor");
        var appender = new ListAppender<ILoggingEvent>();
        var logger = (Logger) LoggerFactory.getLogger(MonitorLease.class);
        appender.start();
        logger.addAppender(appender);
        var meters = new SimpleMeterRegistry();
        // The first finding: a login that may connect takes (1447120468, 0) after the leader's session dropped.
        try (var hostile = Database.dedicated(vaAgent, "vantage-lease monitor impostor")) {
            int pid;
            try (var s = hostile.createStatement();
                    var rs = s.executeQuery("SELECT pg_try_advisory_lock(1447120468, 0), pg_backend_pid()")) {
                rs.next();
                assertThat(rs.getBoolean(1)).isTrue();
                pid = rs.getInt(2);
            }
            try (var standby = MonitorLease.start(
                    monitor, "hostile-login-it", LeaseSettings.DEFAULTS, Clock.systemUTC(), meters, () -> {})) {
                await().atMost(Duration.ofSeconds(10)).until(() -> appender.list.stream()
                        .anyMatch(e -> e.getFormattedMessage().startsWith("Standing by for the monitor lease")));
                var line = appender.list.stream()
                        .filter(e -> e.getFormattedMessage().startsWith("Standing by for the monitor lease"))
                        .findFirst()
                        .orElseThrow();
                assertThat(line.getLevel()).isEqualTo(Level.ERROR);
                assertThat(line.getFormattedMessage())
                        .contains("held by backend pid " + pid + " (login " + vaAgent.user())
                        .contains("not a Vantage login for it")
                        .contains("nobody is evaluating");
                assertThat(standby.leading()).isFalse();
                assertThat(meters.get(Meters.LEASE_FOREIGN_HOLDER)
                                .tag("kind", "monitor")
                                .gauge()
                                .value())
                        .isEqualTo(1.0);
            }
        } finally {
            logger.detachAppender(appender);
        }
    }
}
