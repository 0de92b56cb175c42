package dev.vantage;

import dev.vantage.cli.ProbeCommand;
import dev.vantage.probe.net.Resolver;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code vantage}: the top command; each subcommand lives in {@code dev.vantage.cli}. */
@Command(
        name = "vantage",
        mixinStandardHelpOptions = true,
        description = "Self-hosted synthetic monitoring.",
        subcommands = {ProbeCommand.class})
public final class Main implements Runnable {
    @Spec
    CommandSpec spec;

    public static void main(String[] args) {
        Resolver.disableJvmDnsCache(); // before anything can look a name up
        System.exit(new CommandLine(new Main()).execute(args));
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing required subcommand");
    }
}
