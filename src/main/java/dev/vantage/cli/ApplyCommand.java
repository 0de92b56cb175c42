package dev.vantage.cli;

import dev.vantage.apply.Apply;
import dev.vantage.config.ConfigurationException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code vantage apply}: monitors as code. Reads YAML (schedules, channels, monitors), prints the difference with the
 * database and applies it in one transaction. Exit status 0 (applied, no changes, or dry run), 2 when a file or the
 * database refuses something (every problem listed, nothing applied).
 */
@Command(
        name = "apply",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = {
            "Apply YAML files (schedules, channels, monitors) to the database in one transaction: all or nothing.",
            "Prints what it changes (create, update with old → new, delete). SQL stays the source of truth: rows made"
                    + " in SQL are matched by name and never deleted. See docs/monitors-as-code.md."
        },
        footerHeading = "%nExamples:%n",
        footer = {
            "  vantage apply --dry-run monitors/     # show the difference, change nothing",
            "  vantage apply monitors/               # every *.yml and *.yaml in it",
            "  vantage apply --prune monitors.yml    # also delete what it created earlier",
            "                                        # and the file no longer names",
            "  vantage export --output monitors.yml  # start from the current configuration"
        })
public final class ApplyCommand implements Callable<Integer> {
    @Parameters(
            paramLabel = "FILE|DIR",
            description = "A YAML file, or a directory of *.yml and *.yaml files (merged).")
    Path path;

    @Option(
            names = "--dry-run",
            description = "Print the difference (and what the database would refuse) and roll back.")
    boolean dryRun;

    @Option(
            names = "--prune",
            description =
                    "Delete rows an earlier apply created that the files no longer name (never rows made in SQL).")
    boolean prune;

    @CommandLine.Mixin
    MaintenanceCommand.DbOption db = new MaintenanceCommand.DbOption();

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        Apply files;
        try {
            files = Apply.read(path, System::getenv);
        } catch (NoSuchFileException e) {
            throw new ConfigurationException("no such file or directory: " + path);
        } catch (IOException e) {
            throw new ConfigurationException("cannot read " + path + ": " + e.getMessage());
        }
        if (files.unreadable()) {
            throw refused(files.problems());
        }
        Apply.Report report = db.inTransaction(h -> files.run(h, dryRun, prune));
        PrintWriter out = spec.commandLine().getOut();
        report.diff().forEach(out::println);
        out.println(report.summary()
                + (report.changed() && report.problems().isEmpty()
                        ? dryRun ? " (dry run: nothing applied)" : ": applied"
                        : ""));
        report.notes().forEach(out::println);
        out.flush();
        if (!report.problems().isEmpty()) {
            throw refused(report.problems());
        }
        return 0;
    }

    private static ConfigurationException refused(java.util.List<String> problems) {
        return new ConfigurationException("nothing applied, " + problems.size() + " problem(s):"
                + System.lineSeparator() + String.join(System.lineSeparator(), problems));
    }
}
