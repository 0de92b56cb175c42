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
import dev.vantage.probe.net.Resolver;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code vantage} command: one jar, one subcommand per role. Wiring is by hand in each subcommand. */
@Command(
        name = "vantage",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Multi-datacenter synthetic monitoring on PostgreSQL.",
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
    /** Exit status of a wrong flag, a missing setting, an unreachable or outdated database. */
    public static final int EXIT_USAGE = 2;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        Resolver.disableJvmDnsCache(); // before anything can look a name up
        System.exit(commandLine().execute(args));
    }

    public static CommandLine commandLine() {
        var commandLine = new CommandLine(new Main());
        var picocliDefault = commandLine.getParameterExceptionHandler();
        return commandLine
                // picocli reports a parse error with the whole usage; beat has many flags and says one line instead
                .setParameterExceptionHandler((e, args) -> BeatCommand.reportsItsUsageErrors(e.getCommandLine())
                        ? BeatCommand.usageError(e)
                        : picocliDefault.handleParseException(e, args))
                .setExecutionExceptionHandler((e, cmd, parsed) -> {
                    if (e instanceof ConfigurationException
                            || e instanceof dev.vantage.db.Migrations.SchemaOutdatedException) {
                        cmd.getErr().println(cmd.getCommandSpec().qualifiedName() + ": " + e.getMessage());
                        return EXIT_USAGE;
                    }
                    throw e;
                })
                .setExitCodeExceptionMapper(e -> EXIT_USAGE);
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
