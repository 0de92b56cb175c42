package dev.vantage.deploy;

import dev.vantage.Main;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/**
 * What the {@code vantage} command accepts, read from the picocli model of {@link Main} rather than copied: its
 * subcommands, each one's flags, and the environment variables each one reads.
 *
 * <p>There is no registry of variables in the code: every setting is a flag whose description names its variable
 * ({@code "(default: VANTAGE_DB_WAIT, else 60)"}), and {@code Environment} also reads {@code NAME_FILE} for each such
 * {@code NAME}. The log level is read by logback.xml. So a variable is known when a description of that subcommand,
 * or logback.xml, names it.
 */
final class CliSurface {
    private static final Pattern VARIABLE = Pattern.compile("\\b(?:DB_[A-Z0-9_]+|DATACENTER_ID|VANTAGE_[A-Z0-9_]+)\\b");

    private final Map<String, CommandLine> subcommands = Main.commandLine().getSubcommands();
    private final Set<String> logbackVariables = variablesIn(logbackXml());

    Set<String> subcommands() {
        return subcommands.keySet();
    }

    Optional<CommandSpec> subcommand(String name) {
        return Optional.ofNullable(subcommands.get(name)).map(CommandLine::getCommandSpec);
    }

    boolean hasFlag(String subcommand, String flag) {
        var spec = subcommand(subcommand).orElseThrow();
        return spec.findOption(flag) != null;
    }

    /** The variables {@code subcommand} reads, {@code _FILE} forms included. */
    Set<String> variables(String subcommand) {
        var spec = subcommand(subcommand).orElseThrow();
        var names = new TreeSet<>(logbackVariables);
        spec.options().forEach(o -> names.addAll(variablesIn(String.join(" ", o.description()))));
        var withFiles = new TreeSet<>(names);
        names.forEach(n -> withFiles.add(n + "_FILE"));
        return withFiles;
    }

    /** The variables any subcommand reads: what an image may set for all of them. */
    Set<String> variablesOfAnySubcommand() {
        var names = new TreeSet<String>();
        subcommands().forEach(s -> names.addAll(variables(s)));
        return names;
    }

    private static Set<String> variablesIn(String text) {
        var names = new TreeSet<String>();
        var m = VARIABLE.matcher(text);
        while (m.find()) {
            names.add(m.group());
        }
        return names;
    }

    private static String logbackXml() {
        try (InputStream in = CliSurface.class.getResourceAsStream("/logback.xml")) {
            if (in == null) {
                throw new IllegalStateException("logback.xml is not on the class path");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
