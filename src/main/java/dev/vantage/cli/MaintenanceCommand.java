package dev.vantage.cli;

import dev.vantage.beat.GoDuration;
import dev.vantage.config.ConfigurationException;
import dev.vantage.config.DbConnection;
import dev.vantage.config.Environment;
import dev.vantage.db.Database;
import dev.vantage.db.Migrations;
import dev.vantage.evaluate.Maintenance;
import dev.vantage.monitor.MaintenanceWindows;
import dev.vantage.store.MaintenanceDao;
import dev.vantage.store.MaintenanceRow;
import java.io.PrintWriter;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import javax.sql.DataSource;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code vantage maintenance}: maintenance windows from a shell, for deploy scripts. {@code start} opens a one-off
 * window from now and prints its id, {@code stop} ends it now, {@code list} shows the active and upcoming windows.
 * Windows can also be written in SQL ({@code maintenance_windows}); the monitor module picks either up within seconds.
 * Exit status 0, or 2 on a usage, configuration or connection error.
 */
@Command(
        name = "maintenance",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Maintenance windows: no notifications while one covers a monitor; what still fails at its end"
                + " fires then.",
        footerHeading = "%nExamples:%n",
        footer = {
            "  id=$(vantage maintenance start --monitor checkout --for 30m --reason deploy)",
            "  vantage maintenance stop \"$id\"",
            "  vantage maintenance list"
        },
        subcommands = {
            MaintenanceCommand.Start.class,
            MaintenanceCommand.Stop.class,
            MaintenanceCommand.ListWindows.class,
            CommandLine.HelpCommand.class
        })
public final class MaintenanceCommand implements Runnable {
    /** How far ahead {@code list} looks for the next occurrences. */
    static final Duration UPCOMING = Duration.ofDays(7);

    private static final DateTimeFormatter MINUTES =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'").withZone(ZoneOffset.UTC);

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** The database option every subcommand takes. */
    static final class DbOption {
        @Option(
                names = "--db",
                paramLabel = "URL",
                description = "Database URL (default: DB_CONN_STRING or DB_CONN_STRING_FILE).")
        String db;

        /** Connects, checks the schema and runs {@code work} in one transaction. */
        <T> T inTransaction(org.jdbi.v3.core.HandleCallback<T, RuntimeException> work) {
            var connection =
                    DbConnection.parse(Environment.system().require(db, "DB_CONN_STRING", "--db", "the database URL"));
            DataSource dataSource = StatusCommand.dataSource(connection);
            String where = StatusCommand.where(connection);
            try (var c = dataSource.getConnection()) {
                // Reachable.
            } catch (SQLException e) {
                throw new ConfigurationException("cannot reach the database at " + where + ": " + oneLine(e));
            }
            Migrations.requireCurrent(dataSource);
            Jdbi jdbi = Database.jdbi(dataSource);
            try {
                return jdbi.inTransaction(work);
            } catch (JdbiException e) {
                throw new ConfigurationException("the database at " + where + " refused: " + oneLine(e));
            }
        }
    }

    @Command(
            name = "start",
            mixinStandardHelpOptions = true,
            versionProvider = VersionProvider.class,
            description = "Start a maintenance window now over the given monitors (in every datacenter, or those"
                    + " given) and print its id.",
            footerHeading = "%nExamples:%n",
            footer = {
                "  vantage maintenance start --monitor checkout --monitor 12 --for 30m \\",
                "      --reason \"deploy 1.4\"",
                "  vantage maintenance start --monitor checkout --datacenter VA --for 2h"
            })
    static final class Start implements Callable<Integer> {
        @Option(
                names = "--monitor",
                paramLabel = "ID|NAME",
                required = true,
                description = "A monitor the window covers, by id or name; repeat for more.")
        List<String> monitors;

        @Option(
                names = "--datacenter",
                paramLabel = "CODE|ID",
                description = "Only in this datacenter; repeat for more (default: every datacenter).")
        List<String> datacenters;

        @Option(
                names = "--for",
                paramLabel = "DURATION",
                required = true,
                description = "How long, e.g. 30m, 2h, 1h30m (at most 7 days); `stop` ends it sooner.")
        String length;

        @Option(
                names = "--reason",
                paramLabel = "TEXT",
                defaultValue = "deploy",
                description = "Why, shown by vantage status and the status page (default: ${DEFAULT-VALUE}).")
        String reason;

        @CommandLine.Mixin
        DbOption db = new DbOption();

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            Duration d;
            try {
                d = GoDuration.parse(length);
            } catch (IllegalArgumentException e) {
                throw new ConfigurationException("--for: " + e.getMessage());
            }
            if (d.compareTo(Duration.ofSeconds(1)) < 0 || d.compareTo(Duration.ofDays(7)) > 0) {
                throw new ConfigurationException("--for must be between 1s and 7 days (168h), was " + length);
            }
            if (reason.isBlank()) {
                throw new ConfigurationException("--reason must not be blank");
            }
            int id = db.inTransaction(h -> {
                List<Integer> monitorIds = new ArrayList<>();
                for (String m : monitors) {
                    monitorIds.add(monitorId(h, m));
                }
                List<Integer> datacenterIds = null;
                if (datacenters != null) {
                    datacenterIds = new ArrayList<>();
                    for (String dc : datacenters) {
                        datacenterIds.add(datacenterId(h, dc));
                    }
                }
                return MaintenanceDao.startNow(h, reason.strip(), monitorIds, datacenterIds, d);
            });
            PrintWriter out = spec.commandLine().getOut();
            out.println(id);
            out.flush();
            return 0;
        }
    }

    @Command(
            name = "stop",
            mixinStandardHelpOptions = true,
            versionProvider = VersionProvider.class,
            description = "End a one-off maintenance window now (one that has not started is cancelled).",
            footerHeading = "%nExamples:%n",
            footer = {
                "  vantage maintenance stop 42",
                "  vantage maintenance stop --db postgres://vantage:secret@127.0.0.1/vantage 42"
            })
    static final class Stop implements Callable<Integer> {
        @Parameters(paramLabel = "ID", description = "The window's id, as start printed it.")
        int id;

        @CommandLine.Mixin
        DbOption db = new DbOption();

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            String done = db.inTransaction(h -> {
                MaintenanceRow row = MaintenanceDao.find(h, id)
                        .orElseThrow(() -> new ConfigurationException("maintenance window " + id + " does not exist"));
                if (row.weekly()) {
                    throw new ConfigurationException(
                            "maintenance window " + id + " is weekly: change or delete its row in maintenance_windows");
                }
                if (MaintenanceDao.endNow(h, id)) {
                    return "maintenance window " + id + " ended";
                }
                if (MaintenanceDao.cancelUpcoming(h, id)) {
                    return "maintenance window " + id + " cancelled before it started";
                }
                throw new ConfigurationException(
                        "maintenance window " + id + " already ended at " + MINUTES.format(row.endsAt()));
            });
            PrintWriter out = spec.commandLine().getOut();
            out.println(done);
            out.flush();
            return 0;
        }
    }

    @Command(
            name = "list",
            mixinStandardHelpOptions = true,
            versionProvider = VersionProvider.class,
            description = "List the active maintenance windows and those starting within 7 days.",
            footerHeading = "%nExamples:%n",
            footer = {
                "  vantage maintenance list",
                "  vantage maintenance list --db postgres://vantage:secret@127.0.0.1/vantage"
            })
    static final class ListWindows implements Callable<Integer> {
        @CommandLine.Mixin
        DbOption db = new DbOption();

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            Instant now = Instant.now();
            List<String> invalid = new ArrayList<>();
            Maintenance windows =
                    db.inTransaction(h -> MaintenanceWindows.load(h, now, (row, why) -> invalid.add(why)));
            PrintWriter out = spec.commandLine().getOut();
            var listed = windows.listed(now, now.plus(UPCOMING));
            if (listed.isEmpty()) {
                out.println("No active or upcoming maintenance windows.");
            } else {
                out.printf("%-5s %-9s %-23s %-23s %-30s %s%n", "ID", "STATE", "FROM", "UNTIL", "SCOPE", "REASON");
                for (var l : listed) {
                    out.printf(
                            "%-5d %-9s %-23s %-23s %-30s %s%n",
                            l.window().id(),
                            l.active() ? "active" : "upcoming",
                            MINUTES.format(l.occurrence().start()),
                            MINUTES.format(l.occurrence().end()),
                            scope(l.window()),
                            l.window().reason() + (l.window().weekly() ? " (weekly)" : ""));
                }
            }
            for (String why : invalid) {
                out.println("skipped: " + why);
            }
            out.flush();
            return 0;
        }
    }

    /** {@code monitors 1, 2 in datacenters 3}, {@code every monitor}. */
    static String scope(dev.vantage.evaluate.MaintenanceWindow w) {
        String monitors = w.monitorIds() == null
                ? "every monitor"
                : "monitors "
                        + String.join(
                                ",",
                                w.monitorIds().stream()
                                        .sorted()
                                        .map(String::valueOf)
                                        .toList());
        return w.datacenterIds() == null
                ? monitors
                : monitors + " in dc "
                        + String.join(
                                ",",
                                w.datacenterIds().stream()
                                        .sorted()
                                        .map(String::valueOf)
                                        .toList());
    }

    private static int monitorId(Handle h, String idOrName) {
        List<Integer> ids = idOrName.matches("\\d{1,9}")
                ? h.createQuery("SELECT id FROM api_monitors WHERE id = ?")
                        .bind(0, Integer.parseInt(idOrName))
                        .mapTo(Integer.class)
                        .list()
                : h.createQuery("SELECT id FROM api_monitors WHERE name = ? ORDER BY id")
                        .bind(0, idOrName)
                        .mapTo(Integer.class)
                        .list();
        if (ids.isEmpty()) {
            throw new ConfigurationException("--monitor " + idOrName + ": no such monitor");
        }
        if (ids.size() > 1) {
            throw new ConfigurationException(
                    "--monitor " + idOrName + ": several monitors have that name (ids " + ids + "); give an id");
        }
        return ids.getFirst();
    }

    private static int datacenterId(Handle h, String codeOrId) {
        var id = codeOrId.matches("\\d{1,9}")
                ? h.createQuery("SELECT id FROM datacenters WHERE id = ?")
                        .bind(0, Integer.parseInt(codeOrId))
                        .mapTo(Integer.class)
                        .findOne()
                : h.createQuery("SELECT id FROM datacenters WHERE code = ?")
                        .bind(0, codeOrId)
                        .mapTo(Integer.class)
                        .findOne();
        return id.orElseThrow(() -> new ConfigurationException("--datacenter " + codeOrId + ": no such datacenter"));
    }

    private static String oneLine(Throwable e) {
        return dev.vantage.Causes.rootMessage(e).replaceAll("\\s*\\R\\s*", " ").strip();
    }
}
