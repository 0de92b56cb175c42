package dev.vantage.cli;

import dev.vantage.Causes;
import dev.vantage.config.ConfigurationException;
import dev.vantage.config.DbConnection;
import dev.vantage.config.Environment;
import dev.vantage.db.Database;
import dev.vantage.db.Migrations;
import dev.vantage.status.StatusJson;
import dev.vantage.status.StatusQuery;
import dev.vantage.status.StatusReport;
import dev.vantage.status.StatusTable;
import java.sql.SQLException;
import java.time.Clock;
import java.util.concurrent.Callable;
import org.jdbi.v3.core.JdbiException;
import org.postgresql.ds.PGSimpleDataSource;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code vantage status}: every monitor's state per datacenter, the agents, invalid rows and open incidents, read
 * straight from the database, so it works without the monitor's HTTP port. Exit status 0 when no enabled monitor is
 * DOWN, PARTIAL or UNKNOWN (globally or in any datacenter), 1 otherwise, 2 on a usage or connection error.
 */
@Command(
        name = "status",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Print every monitor's state per datacenter, the agents, invalid configuration rows and open"
                + " incidents. Exit status 0 when nothing is DOWN or UNKNOWN, 1 otherwise, 2 on an error.",
        footerHeading = "%nExamples:%n",
        footer = {
            "  vantage status --db postgres://vantage:secret@127.0.0.1/vantage",
            "  export DB_CONN_STRING=postgres://vantage:secret@127.0.0.1/vantage",
            "  vantage status --json"
        })
public final class StatusCommand implements Callable<Integer> {
    static final int EXIT_FAILING = 1;

    @Option(
            names = "--db",
            paramLabel = "URL",
            description = "Database URL (default: DB_CONN_STRING or DB_CONN_STRING_FILE).")
    String db;

    @Option(names = "--json", description = "Print the report as JSON (the document /api/status serves).")
    boolean json;

    @Option(
            names = "--stall-after",
            paramLabel = "SECONDS",
            description = "Report evaluation as stalled (and exit 1) when the monitor module has committed no round"
                    + " for this long (default: VANTAGE_STALL_AFTER, else 60).")
    String stallAfter;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        var env = Environment.system();
        var stall = MonitorCommand.stallAfter(env, stallAfter);
        var connection = DbConnection.parse(env.require(db, "DB_CONN_STRING", "--db", "the database URL"));
        var dataSource = dataSource(connection);
        String where = where(connection);
        try (var c = dataSource.getConnection()) {
            // Reachable: the report below reads in one transaction of its own.
        } catch (SQLException e) {
            throw new ConfigurationException("cannot reach the database at " + where + ": " + oneLine(e));
        }
        Migrations.requireCurrent(dataSource);
        StatusReport report;
        try {
            report = StatusQuery.load(Database.jdbi(dataSource), Clock.systemUTC(), stall);
        } catch (JdbiException e) {
            throw new ConfigurationException(
                    "cannot read the status from the database at " + where + ": " + oneLine(e));
        }
        var out = spec.commandLine().getOut();
        out.print(json ? StatusJson.render(report) + "\n" : StatusTable.render(report));
        out.flush();
        return report.healthy() ? 0 : EXIT_FAILING;
    }

    /** A plain, unpooled data source: a status run opens two or three connections and exits. */
    static PGSimpleDataSource dataSource(DbConnection connection) {
        var ds = new PGSimpleDataSource();
        ds.setURL(connection.jdbcUrl());
        if (connection.user() != null) {
            ds.setUser(connection.user());
        }
        if (connection.password() != null) {
            ds.setPassword(connection.password());
        }
        ds.setApplicationName("vantage-status");
        ds.setConnectTimeout(5);
        ds.setSocketTimeout(30);
        return ds;
    }

    /** host:port/database, without user, password or parameters. */
    static String where(DbConnection connection) {
        return connection
                .jdbcUrl()
                .replaceFirst("^jdbc:postgresql:(//)?", "")
                .replaceFirst("\\?.*$", "")
                .replaceFirst("^[^/]*@", "");
    }

    /** The innermost message, on one line. */
    private static String oneLine(Throwable e) {
        String m = Causes.rootMessage(e);
        if (Causes.root(e) instanceof java.net.UnknownHostException) {
            m = "unknown host " + m; // its message is the bare name
        }
        return m.replaceAll("\\s*\\R\\s*", " ").strip();
    }
}
