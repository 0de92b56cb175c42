package dev.vantage.cli;

import dev.vantage.apply.Export;
import dev.vantage.config.ConfigurationException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code vantage export}: the configuration as the YAML {@code vantage apply} accepts unchanged. Secrets become
 * {@code ${env:NAME}} references unless {@code --include-secrets}. Exit status 0, or 2 on a configuration error.
 */
@Command(
        name = "export",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = {
            "Write the schedules, channels and monitors as YAML that vantage apply accepts unchanged.",
            "Secrets (monitor headers, body, a URL with a password, push tokens, channel settings) are written as"
                    + " ${env:NAME} references, or left out (push tokens), unless --include-secrets."
        },
        footerHeading = "%nExamples:%n",
        footer = {
            "  vantage export --output monitors.yml    # to keep in git",
            "  vantage export --include-secrets --output backup.yml",
            "                                          # credentials too, file owner-only",
            "  vantage export | less"
        })
public final class ExportCommand implements Callable<Integer> {
    private static final int SHOWN_VARIABLES = 10;

    @Option(names = "--output", paramLabel = "FILE", description = "Write to FILE instead of standard output.")
    Path output;

    @Option(
            names = "--include-secrets",
            description = "Write credentials as they are stored instead of ${env:NAME} references.")
    boolean includeSecrets;

    @CommandLine.Mixin
    MaintenanceCommand.DbOption db = new MaintenanceCommand.DbOption();

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        Export.Result result = db.inTransaction(h -> Export.write(h, includeSecrets));
        PrintWriter err = spec.commandLine().getErr();
        if (output == null) {
            PrintWriter out = spec.commandLine().getOut();
            out.print(result.yaml());
            out.flush();
        } else {
            try {
                if (includeSecrets) {
                    ownerOnly(output); // before the secrets are in it
                }
                Files.writeString(output, result.yaml(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new ConfigurationException("--output " + output + ": cannot write: " + e.getMessage());
            }
            err.println("exported " + result.counts() + " to " + output);
        }
        var variables = result.variables();
        if (!variables.isEmpty()) {
            // The file names every one; a long list here would bury the rest of the output.
            String shown = String.join(", ", variables.subList(0, Math.min(SHOWN_VARIABLES, variables.size())))
                    + (variables.size() > SHOWN_VARIABLES
                            ? ", and " + (variables.size() - SHOWN_VARIABLES) + " more (each is in the file)"
                            : "");
            err.println(variables.size() + " secret(s) written as ${env:NAME} references; set them before vantage"
                    + " apply (or export with --include-secrets): " + shown);
        }
        if (result.omittedTokens() > 0) {
            err.println(result.omittedTokens() + " push token(s) left out: apply keeps a push monitor's token when"
                    + " the file names none");
        }
        err.flush();
        return 0;
    }

    private static void ownerOnly(Path file) throws IOException {
        if (!file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            return;
        }
        var owner = PosixFilePermissions.fromString("rw-------");
        if (Files.exists(file)) {
            Files.setPosixFilePermissions(file, owner);
        } else {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(owner));
        }
    }
}
