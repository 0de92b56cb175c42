package dev.vantage.cli;

import dev.vantage.config.ConfigurationException;
import dev.vantage.config.DbConnection;
import dev.vantage.config.Environment;
import dev.vantage.db.Database;
import dev.vantage.db.Roles;
import java.io.IOException;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code vantage roles}: the database roles of least privilege. {@code print} writes the SQL a DBA runs by hand;
 * {@code create-login} creates a login role in one of the groups, with its session timeouts (an agent login bound to
 * its datacenter); {@code bind} binds an existing agent login to its datacenter.
 */
@Command(
        name = "roles",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Database roles: vantage_agent, vantage_monitor, vantage_reader and their login roles.",
        footerHeading = "%nExamples:%n",
        footer = {
            "  vantage roles print --role agent --name va_agent --datacenter VA > roles.sql",
            "  vantage roles create-login --role monitor --name vantage_monitor_1 \\",
            "      --password-file monitor.pw"
        },
        subcommands = {
            RolesCommand.Print.class,
            RolesCommand.CreateLogin.class,
            RolesCommand.Bind.class,
            CommandLine.HelpCommand.class
        })
public final class RolesCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Options shared by both subcommands: which login role, and its timeouts. */
    static final class LoginOptions {
        @Option(
                names = "--role",
                paramLabel = "agent|monitor|reader",
                defaultValue = "agent",
                description = "Group the login role joins (default: ${DEFAULT-VALUE}).")
        String role;

        @Option(names = "--name", paramLabel = "NAME", description = "Name of the login role, e.g. va_agent.")
        String name;

        @Option(
                names = "--datacenter",
                paramLabel = "CODE|ID",
                description = "Agent logins: the one datacenter the login acts for (required with --role agent).")
        String datacenter;

        @Option(
                names = "--idle-in-transaction-timeout",
                paramLabel = "DURATION",
                defaultValue = Roles.DEFAULT_IDLE_IN_TRANSACTION_TIMEOUT,
                description = "idle_in_transaction_session_timeout of the login role, e.g. 60s, 5min, 0 for none"
                        + " (default: ${DEFAULT-VALUE}).")
        String idleInTransactionTimeout;

        @Option(
                names = "--statement-timeout",
                paramLabel = "DURATION",
                defaultValue = Roles.DEFAULT_STATEMENT_TIMEOUT,
                description = "statement_timeout of the login role (default: ${DEFAULT-VALUE}).")
        String statementTimeout;

        Roles.Login login(String defaultName) {
            var group = Roles.Group.parse(role);
            String n = name != null ? name : defaultName;
            if (n == null) {
                throw new ConfigurationException("--name is required: the name of the login role, e.g. va_agent");
            }
            return new Roles.Login(n, group, idleInTransactionTimeout, statementTimeout);
        }
    }

    @Command(
            name = "print",
            mixinStandardHelpOptions = true,
            versionProvider = VersionProvider.class,
            description = "Print the SQL that creates the roles, grants them and adds a login role.",
            footerHeading = "%nExamples:%n",
            footer = {
                "  vantage roles print --role agent --name va_agent --datacenter VA > roles.sql",
                "  vantage roles print --role reader --name grafana"
            })
    static final class Print implements Callable<Integer> {
        @CommandLine.Mixin
        LoginOptions options = new LoginOptions();

        @Override
        public Integer call() {
            var group = Roles.Group.parse(options.role);
            String placeholder =
                    switch (group) {
                        case AGENT -> "va_agent";
                        case MONITOR -> "vantage_monitor_1";
                        case READER -> "grafana";
                    };
            System.out.print(
                    Roles.printSql(options.login(placeholder), options.datacenter == null ? "VA" : options.datacenter));
            return 0;
        }
    }

    @Command(
            name = "create-login",
            mixinStandardHelpOptions = true,
            versionProvider = VersionProvider.class,
            description = "Create a LOGIN role in vantage_agent, vantage_monitor or vantage_reader, with its"
                    + " session timeouts. Connects as DB_CONN_STRING, which needs CREATEROLE.",
            footerHeading = "%nExamples:%n",
            footer = {
                "  vantage roles create-login --db postgres://vantage:secret@127.0.0.1/vantage \\",
                "      --role agent --name va_agent --datacenter VA --password-file va_agent.pw",
                "  vantage roles create-login --role reader --name grafana \\",
                "      --password-file grafana.pw"
            })
    static final class CreateLogin implements Callable<Integer> {
        @CommandLine.Mixin
        LoginOptions options = new LoginOptions();

        @Option(
                names = "--password-file",
                paramLabel = "FILE",
                required = true,
                description = "File holding the new role's password (a trailing newline is ignored).")
        Path passwordFile;

        @Option(
                names = "--db",
                paramLabel = "URL",
                description =
                        "Database URL of a role with CREATEROLE (default: DB_CONN_STRING or DB_CONN_STRING_FILE).")
        String db;

        @Override
        public Integer call() {
            var login = options.login(null);
            char[] password = readPassword(passwordFile);
            var connection =
                    DbConnection.parse(Environment.system().require(db, "DB_CONN_STRING", "--db", "the database URL"));
            try (var c = Database.dedicated(connection, "vantage-roles")) {
                Roles.createLogin(c, login, options.datacenter, password);
            } catch (SQLException e) {
                throw new ConfigurationException("cannot connect to the database of DB_CONN_STRING: " + e.getMessage());
            } finally {
                Arrays.fill(password, '\0');
            }
            System.out.println("Created login role " + login.name() + " in "
                    + login.group().roleName()
                    + " (idle_in_transaction_session_timeout " + login.idleInTransactionTimeout()
                    + ", statement_timeout " + login.statementTimeout() + ")"
                    + (options.datacenter == null ? "" : ", bound to datacenter " + options.datacenter));
            return 0;
        }

        private static char[] readPassword(Path file) {
            byte[] bytes;
            try {
                bytes = Files.readAllBytes(file);
            } catch (IOException e) {
                throw new ConfigurationException("--password-file: cannot read " + file + ": " + e.getMessage());
            }
            try {
                var chars = StandardCharsets.UTF_8.decode(java.nio.ByteBuffer.wrap(bytes));
                int end = chars.limit();
                while (end > 0 && (chars.get(end - 1) == '\n' || chars.get(end - 1) == '\r')) {
                    end--;
                }
                char[] password = new char[end];
                CharBuffer.wrap(password).put(chars.limit(end));
                Arrays.fill(chars.array(), '\0');
                return password;
            } finally {
                Arrays.fill(bytes, (byte) 0);
            }
        }
    }

    @Command(
            name = "bind",
            mixinStandardHelpOptions = true,
            versionProvider = VersionProvider.class,
            description = "Bind an agent login to the one datacenter it acts for (agent_logins). Connects as"
                    + " DB_CONN_STRING, which must own the tables. Agents of an unbound login refuse to start.",
            footerHeading = "%nExamples:%n",
            footer = {
                "  vantage roles bind --name va_agent --datacenter VA",
                "  vantage roles bind --db postgres://vantage:secret@127.0.0.1/vantage \\",
                "      --name ny_agent --datacenter NY"
            })
    static final class Bind implements Callable<Integer> {
        @Option(names = "--name", paramLabel = "NAME", required = true, description = "The agent login, e.g. va_agent.")
        String name;

        @Option(
                names = "--datacenter",
                paramLabel = "CODE|ID",
                required = true,
                description = "The datacenter the login acts for.")
        String datacenter;

        @Option(
                names = "--db",
                paramLabel = "URL",
                description = "Database URL of the tables' owner (default: DB_CONN_STRING or DB_CONN_STRING_FILE).")
        String db;

        @Override
        public Integer call() {
            var connection =
                    DbConnection.parse(Environment.system().require(db, "DB_CONN_STRING", "--db", "the database URL"));
            Roles.Binding binding;
            try (var c = Database.dedicated(connection, "vantage-roles")) {
                binding = Roles.bind(c, name, datacenter);
            } catch (SQLException e) {
                throw new ConfigurationException("cannot connect to the database of DB_CONN_STRING: " + e.getMessage());
            }
            System.out.println("Bound login " + binding.login() + " to datacenter " + binding.datacenterCode() + " (id "
                    + binding.datacenterId() + ")");
            return 0;
        }
    }
}
