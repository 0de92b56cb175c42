package dev.vantage;

import dev.vantage.cli.AgentCommand;
import dev.vantage.cli.BeatCommand;
import dev.vantage.cli.DemoCommand;
import dev.vantage.cli.MaintenanceCommand;
import dev.vantage.cli.MigrateCommand;
import dev.vantage.cli.MonitorCommand;
import dev.vantage.cli.ProbeCommand;
import dev.vantage.cli.RolesCommand;
import dev.vantage.cli.StatusCommand;
import dev.vantage.cli.VersionProvider;
import dev.vantage.config.ConfigurationException;
import dev.vantage.db.Migrations;
import dev.vantage.probe.net.Resolver;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The {@code vantage} command: one jar, one subcommand per role. Wiring is by hand in each subcommand.
 *
 * <p>Exit status, the same for every command (docs/cli.md): {@value #EXIT_OK} success, {@value #EXIT_FAILED} the
 * thing checked failed (a probe, a status not all UP), {@value #EXIT_USAGE} a usage or configuration error (a wrong
 * flag, a bad setting or file, a database that is unreachable or outdated), {@value #EXIT_INTERNAL} an unexpected
 * internal error, logged with its stack trace.
 */
@Command(
        name = "vantage",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Multi-datacenter synthetic monitoring on PostgreSQL.",
        footerHeading = "%nExamples:%n",
        footer = {
            "  vantage demo                # everything on one machine, PostgreSQL embedded",
            "  vantage help agent          # one command's usage, as: vantage agent --help",
            "  vantage migrate --db postgres://vantage:secret@127.0.0.1/vantage"
        },
        exitCodeListHeading = "%nExit status (every command, see docs/cli.md):%n",
        exitCodeList = {
            "0:success",
            "1:the thing checked failed (probe, status)",
            "2:usage or configuration error",
            "3:unexpected internal error (logged with its stack trace)"
        },
        subcommands = {
            MigrateCommand.class,
            AgentCommand.class,
            MonitorCommand.class,
            DemoCommand.class,
            ProbeCommand.class,
            RolesCommand.class,
            StatusCommand.class,
            MaintenanceCommand.class,
            BeatCommand.class,
            dev.vantage.cli.ApplyCommand.class,
            dev.vantage.cli.ExportCommand.class,
            CommandLine.HelpCommand.class
        })
public final class Main implements Runnable {
    public static final int EXIT_OK = 0;
    /** Exit status when the thing a command checks failed: {@code probe}'s target, {@code status} not all UP. */
    public static final int EXIT_FAILED = 1;
    /** Exit status of a wrong flag, a missing setting, an unreachable or outdated database. */
    public static final int EXIT_USAGE = 2;
    /** Exit status of an unexpected internal error: a bug, logged with its stack trace. */
    public static final int EXIT_INTERNAL = 3;

    private static final Logger log = LoggerFactory.getLogger(Main.class);

    @CommandLine.Spec
    CommandSpec spec;

    public static void main(String[] args) {
        Resolver.disableJvmDnsCache(); // before anything can look a name up
        System.exit(commandLine().execute(args));
    }

    public static CommandLine commandLine() {
        var commandLine = new CommandLine(new Main());
        everyCommand(commandLine, Main::standardOptions);
        var picocliDefault = commandLine.getParameterExceptionHandler();
        return commandLine
                // picocli reports a parse error with the whole usage; beat has many flags and says one line instead
                .setParameterExceptionHandler((e, args) -> BeatCommand.reportsItsUsageErrors(e.getCommandLine())
                        ? BeatCommand.usageError(e)
                        : picocliDefault.handleParseException(e, args))
                .setExecutionExceptionHandler((e, cmd, parsed) -> report(e, cmd))
                .setExitCodeExceptionMapper(e ->
                        e instanceof CommandLine.ParameterException || isUsageError(e) ? EXIT_USAGE : EXIT_INTERNAL);
    }

    /**
     * {@code -h}, {@code --help}, {@code -V} and {@code --version} on every command, including those that forgot
     * them and picocli's own {@code help} (which has {@code -h} but no {@code -V}, and no examples).
     */
    private static void standardOptions(CommandLine command) {
        CommandSpec spec = command.getCommandSpec();
        if (spec.userObject() instanceof CommandLine.HelpCommand) {
            if (spec.findOption("--version") == null) {
                spec.addOption(OptionSpec.builder("-V", "--version")
                        .versionHelp(true)
                        .description("Print version information and exit.")
                        .build());
            }
            String parent = spec.parent().qualifiedName();
            String sibling = spec.parent().subcommands().keySet().stream()
                    .filter(name -> !name.equals(spec.name()))
                    .findFirst()
                    .orElse("");
            // Its header and a blank line would come before "Usage:"; the header becomes the description's first line.
            var usage = spec.usageMessage();
            if (usage.header().length > 0) {
                var description = new ArrayList<>(List.of(usage.header()));
                description.addAll(List.of(usage.description()));
                usage.description(description.toArray(String[]::new)).header(new String[0]);
            }
            usage.synopsisHeading("Usage: ")
                    .footerHeading("%nExamples:%n")
                    .footer("  " + parent + " help " + sibling, "  " + parent + " " + sibling + " --help   # the same");
        } else if (!spec.mixinStandardHelpOptions()) {
            spec.mixinStandardHelpOptions(true);
        }
        if (spec.versionProvider() == null) {
            spec.versionProvider(new VersionProvider());
        }
    }

    /** Calls {@code action} on {@code command} and every subcommand under it, at any depth. */
    public static void everyCommand(CommandLine command, Consumer<CommandLine> action) {
        action.accept(command);
        command.getSubcommands().values().stream()
                .distinct() // a command with aliases is listed once per name
                .forEach(sub -> everyCommand(sub, action));
    }

    /**
     * What a command threw: {@value #EXIT_USAGE} and one line for what the user can fix, {@value #EXIT_INTERNAL} and
     * the stack trace in the log for anything else, with one line on stderr naming the command and the reason.
     */
    static int report(Exception e, CommandLine cmd) {
        String command = cmd.getCommandSpec().qualifiedName();
        var err = cmd.getErr();
        if (e instanceof ConfigurationException || e instanceof Migrations.SchemaOutdatedException) {
            err.println(command + ": " + e.getMessage());
            err.flush();
            return EXIT_USAGE;
        }
        var unreachable = databaseUnreachable(e);
        if (unreachable.isPresent()) {
            err.println(command + ": cannot reach the database: "
                    + oneLine(unreachable.get().getMessage()));
            err.flush();
            return EXIT_USAGE;
        }
        log.error("{} stopped by an unexpected error", command, e);
        err.println(command + ": unexpected error: " + e.getClass().getName()
                + (e.getMessage() == null ? "" : ": " + oneLine(e.getMessage()))
                + " (a bug: the stack trace is in the log)");
        err.flush();
        return EXIT_INTERNAL;
    }

    private static boolean isUsageError(Throwable e) {
        return e instanceof ConfigurationException
                || e instanceof Migrations.SchemaOutdatedException
                || databaseUnreachable(e).isPresent();
    }

    /**
     * A connection the database refused or never answered, at any depth of the causes: the address, the credentials
     * or the database name are wrong, or the server is down. SQL states 08 (connection exception), 28 (invalid
     * authorization) and 3D000 (no such database), or a pool that gave up waiting; the deepest such cause, whose
     * message names the address or the role.
     */
    static Optional<SQLException> databaseUnreachable(Throwable e) {
        SQLException deepest = null;
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SQLException sql
                    && (sql instanceof SQLTransientConnectionException || connectionFailed(sql.getSQLState()))) {
                deepest = sql;
            }
        }
        return Optional.ofNullable(deepest);
    }

    private static boolean connectionFailed(String sqlState) {
        return sqlState != null && (sqlState.startsWith("08") || sqlState.startsWith("28") || sqlState.equals("3D000"));
    }

    private static String oneLine(String message) {
        return message == null ? "" : message.replaceAll("\\s*\\R\\s*", " ").strip();
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
