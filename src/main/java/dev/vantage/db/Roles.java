package dev.vantage.db;

import dev.vantage.config.ConfigurationException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.Locale;
import java.util.regex.Pattern;
import org.postgresql.PGConnection;

/**
 * The database roles of V5 and the login roles that use them. The group roles ({@code vantage_agent},
 * {@code vantage_monitor}, {@code vantage_reader}) hold the privileges; a login role per process or datacenter is a
 * member of one of them and carries the session timeouts, because PostgreSQL applies the {@code ALTER ROLE ... SET}
 * settings of the role that logs in, never those of the groups it belongs to.
 */
public final class Roles {
    /** {@code idle_in_transaction_session_timeout} of a new login role unless told otherwise. */
    public static final String DEFAULT_IDLE_IN_TRANSACTION_TIMEOUT = "60s";
    /** {@code statement_timeout} of a new login role unless told otherwise. */
    public static final String DEFAULT_STATEMENT_TIMEOUT = "60s";

    private static final Pattern TIMEOUT = Pattern.compile("0|[1-9][0-9]{0,8}(ms|s|min|h)");
    private static final Pattern NAME = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

    private Roles() {}

    /** One of the three group roles, as {@code --role} names it. */
    public enum Group {
        AGENT("vantage_agent"),
        MONITOR("vantage_monitor"),
        READER("vantage_reader");

        private final String roleName;

        Group(String roleName) {
            this.roleName = roleName;
        }

        public String roleName() {
            return roleName;
        }

        /** {@code agent}, {@code monitor} or {@code reader} (or the full role name), case-insensitively. */
        public static Group parse(String value) {
            String v = value == null ? "" : value.strip().toLowerCase(Locale.ROOT);
            for (Group g : values()) {
                if (v.equals(g.name().toLowerCase(Locale.ROOT)) || v.equals(g.roleName)) {
                    return g;
                }
            }
            throw new ConfigurationException("--role: expected agent, monitor or reader, got '" + value + "'");
        }
    }

    /**
     * What a login role gets besides its group: its name and the two session timeouts, each a PostgreSQL duration
     * ({@code 60s}, {@code 5min}, {@code 500ms}, {@code 0} for none).
     */
    public record Login(String name, Group group, String idleInTransactionTimeout, String statementTimeout) {
        public Login {
            if (name == null || !NAME.matcher(name).matches()) {
                throw new ConfigurationException(
                        "--name: a role name is a lower-case letter or _ followed by up to 62 lower-case letters, digits or _,"
                                + " got '"
                                + name + "'");
            }
            if (name.toLowerCase(Locale.ROOT).startsWith("pg_")) {
                throw new ConfigurationException("--name: names starting with pg_ are reserved by PostgreSQL");
            }
            if (group == null) {
                throw new ConfigurationException("--role is required: agent, monitor or reader");
            }
            requireTimeout("--idle-in-transaction-timeout", idleInTransactionTimeout);
            requireTimeout("--statement-timeout", statementTimeout);
        }

        private static void requireTimeout(String flag, String value) {
            if (value == null || !TIMEOUT.matcher(value).matches()) {
                throw new ConfigurationException(
                        flag + ": expected a duration such as 60s, 5min, 500ms or 0 (none), got '" + value + "'");
            }
        }
    }

    /**
     * Creates {@code login} as a LOGIN member of its group with its timeouts, in one transaction. The password is
     * hashed (SCRAM-SHA-256) on this side and only the hash is sent, so it appears in no statement text and no server
     * log. Needs CREATEROLE (and, on PostgreSQL 16 and later, ADMIN on the group, which its creator has).
     *
     * @throws ConfigurationException when the group role is missing, the login role exists, or the server refuses
     */
    public static void createLogin(Connection c, Login login, char[] password) {
        createLogin(c, login, null, password);
    }

    /**
     * As {@link #createLogin(Connection, Login, char[])}, and binds an agent login to {@code datacenter} (an id or a
     * code) in the same transaction: an agent login acts for one datacenter only (V10, agent_logins). Required for an
     * agent login; refused for the others.
     */
    public static void createLogin(Connection c, Login login, String datacenter, char[] password) {
        if (password == null || password.length == 0) {
            throw new ConfigurationException("--password-file: the password is empty");
        }
        try {
            boolean autoCommit = c.getAutoCommit();
            c.setAutoCommit(false);
            try {
                if (!exists(c, login.group().roleName())) {
                    throw new ConfigurationException("role " + login.group().roleName() + " does not exist: run"
                            + " 'vantage migrate' as a role with CREATEROLE, or the SQL of 'vantage roles print'");
                }
                if (exists(c, login.name())) {
                    throw new ConfigurationException("role " + login.name() + " already exists");
                }
                if (login.group() == Group.AGENT && datacenter == null) {
                    throw new ConfigurationException("--datacenter is required for an agent login: the id or code of"
                            + " the one datacenter it acts for");
                }
                if (login.group() != Group.AGENT && datacenter != null) {
                    throw new ConfigurationException(
                            "--datacenter: only an agent login is bound to a datacenter, not a "
                                    + login.group().roleName() + " login");
                }
                execute(
                        c,
                        "SELECT format('CREATE ROLE %I LOGIN IN ROLE %I', ?::text, ?::text)",
                        login.name(),
                        login.group().roleName());
                execute(
                        c,
                        "SELECT format('ALTER ROLE %I SET idle_in_transaction_session_timeout = %L', ?::text, ?::text)",
                        login.name(),
                        login.idleInTransactionTimeout());
                execute(
                        c,
                        "SELECT format('ALTER ROLE %I SET statement_timeout = %L', ?::text, ?::text)",
                        login.name(),
                        login.statementTimeout());
                c.unwrap(PGConnection.class).alterUserPassword(login.name(), password, "scram-sha-256");
                if (datacenter != null) {
                    writeBinding(c, login.name(), datacenter);
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(autoCommit);
            }
        } catch (SQLException e) {
            // The server's message names the role and the reason; no statement here carries the password.
            throw new ConfigurationException("cannot create role " + login.name() + ": " + e.getMessage());
        } finally {
            Arrays.fill(password, '\0');
        }
    }

    /** A datacenter binding that was written: the login and the datacenter's id and code. */
    public record Binding(String login, int datacenterId, String datacenterCode) {}

    /**
     * Binds an existing agent login to one datacenter (an id or a code), replacing an earlier binding. Run as the owner
     * of the tables: nobody else may write agent_logins.
     *
     * @throws ConfigurationException when the login does not exist or is no member of vantage_agent, or the datacenter
     *     is unknown
     */
    public static Binding bind(Connection c, String login, String datacenter) {
        if (login == null || !NAME.matcher(login).matches()) {
            throw new ConfigurationException("--name: expected the name of an agent login role, got '" + login + "'");
        }
        try {
            if (!exists(c, login)) {
                throw new ConfigurationException("role " + login + " does not exist");
            }
            return writeBinding(c, login, datacenter);
        } catch (SQLException e) {
            throw new ConfigurationException("cannot bind " + login + ": " + e.getMessage());
        }
    }

    private static Binding writeBinding(Connection c, String login, String datacenter) throws SQLException {
        if (datacenter == null || datacenter.isBlank()) {
            throw new ConfigurationException("--datacenter: expected a datacenter id or code, e.g. VA");
        }
        try (var s = c.prepareStatement("SELECT pg_has_role(?, 'vantage_agent', 'MEMBER')")) {
            s.setString(1, login);
            try (var rs = s.executeQuery()) {
                rs.next();
                if (!rs.getBoolean(1)) {
                    throw new ConfigurationException(
                            "role " + login + " is no member of vantage_agent: only agent logins are bound");
                }
            }
        }
        String value = datacenter.strip();
        int id;
        String code;
        try (var s = c.prepareStatement(
                "SELECT id, code FROM datacenters WHERE id::text = ? OR lower(code) = lower(?) ORDER BY id LIMIT 1")) {
            s.setString(1, value);
            s.setString(2, value);
            try (var rs = s.executeQuery()) {
                if (!rs.next()) {
                    throw new ConfigurationException("--datacenter=" + value + ": no datacenter with that id or code");
                }
                id = rs.getInt(1);
                code = rs.getString(2);
            }
        }
        try (var s = c.prepareStatement(
                """
                INSERT INTO agent_logins (login, datacenter_id) VALUES (?, ?)
                ON CONFLICT (login) DO UPDATE SET datacenter_id = excluded.datacenter_id, bound_at = now()
                """)) {
            s.setString(1, login);
            s.setInt(2, id);
            s.executeUpdate();
        }
        return new Binding(login, id, code);
    }

    /**
     * Whether this session must be bound to a datacenter (its login is a non-superuser member of vantage_agent), and
     * the datacenter it is bound to. An agent checks this at start.
     */
    public record SessionBinding(String login, boolean required, Integer datacenterId, String datacenterCode) {}

    public static SessionBinding sessionBinding(Connection c) throws SQLException {
        try (var s = c.createStatement();
                var rs = s.executeQuery(
                        """
                        SELECT session_user, vantage_agent_rules_apply(), b.id, b.code
                        FROM (SELECT 1) one
                        LEFT JOIN datacenters b ON b.id = vantage_agent_datacenter()
                        """)) {
            rs.next();
            return new SessionBinding(rs.getString(1), rs.getBoolean(2), (Integer) rs.getObject(3), rs.getString(4));
        }
    }

    private static boolean exists(Connection c, String role) throws SQLException {
        try (var s = c.prepareStatement("SELECT to_regrole(quote_ident(?)) IS NOT NULL")) {
            s.setString(1, role);
            try (var rs = s.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    /** Builds a statement with {@code format()} on the server, so identifiers and literals are quoted there. */
    private static void execute(Connection c, String formatQuery, String... args) throws SQLException {
        String statement;
        try (var s = c.prepareStatement(formatQuery)) {
            for (int i = 0; i < args.length; i++) {
                s.setString(i + 1, args[i]);
            }
            try (var rs = s.executeQuery()) {
                rs.next();
                statement = rs.getString(1);
            }
        }
        try (var s = c.createStatement()) {
            s.execute(statement);
        }
    }

    /** The SQL a DBA runs by hand: the group roles, their grants, and one login role (placeholders by default). */
    public static String printSql(Login login) {
        return printSql(login, "VA");
    }

    /** As {@link #printSql(Login)}, binding an agent login to {@code datacenterCode}. */
    public static String printSql(Login login, String datacenterCode) {
        String group = login.group().roleName();
        String binding = login.group() != Group.AGENT
                ? ""
                : """
                -- 4. An agent login acts for one datacenter only: bind it, as the owner of the tables ('vantage roles
                --    bind' does this; 'vantage roles create-login --datacenter' too).
                INSERT INTO agent_logins (login, datacenter_id) SELECT '%1$s', id FROM datacenters WHERE code = '%2$s'
                    ON CONFLICT (login) DO UPDATE SET datacenter_id = excluded.datacenter_id, bound_at = now();
                """
                        .formatted(login.name(), datacenterCode.replace("'", "''"));
        return """
                -- Vantage database roles. See docs/operations.md, "Database roles".
                -- 1. Once per PostgreSQL cluster, as a role with CREATEROLE ('vantage migrate' does this itself when it
                --    may create roles):
                DO $$
                DECLARE r text;
                BEGIN
                    FOREACH r IN ARRAY ARRAY['vantage_agent', 'vantage_monitor', 'vantage_reader'] LOOP
                        IF to_regrole(r) IS NULL THEN
                            EXECUTE format('CREATE ROLE %%I NOLOGIN', r);
                        END IF;
                    END LOOP;
                END
                $$;

                -- 2. In the Vantage database, as the owner of its tables (the user that runs 'vantage migrate'), after
                --    creating the roles by hand: grants each role exactly what Vantage needs (idempotent). The grants
                --    are in the function's body: \\sf vantage_grant_roles in psql.
                SELECT vantage_grant_roles();

                -- 3. One login role per process or datacenter, a member of one group, with its session timeouts (they
                --    must be set on the login role: PostgreSQL does not apply a group's settings to its members).
                --    'vantage roles create-login' does this and sends only a SCRAM hash of the password.
                CREATE ROLE %1$s LOGIN IN ROLE %2$s;
                ALTER ROLE %1$s SET idle_in_transaction_session_timeout = '%3$s';
                ALTER ROLE %1$s SET statement_timeout = '%4$s';
                \\password %1$s
                """
                        .formatted(login.name(), group, login.idleInTransactionTimeout(), login.statementTimeout())
                + binding;
    }
}
