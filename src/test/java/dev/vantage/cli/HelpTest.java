package dev.vantage.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vantage.Main;
import dev.vantage.Version;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.MatchResult;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

/**
 * Every command registered with picocli, at any depth (the ones added later included), found by walking {@link
 * Main#commandLine()}: {@code -h} and {@code --help} print its usage with examples, {@code -V} and {@code --version}
 * print the version, all on stdout with exit status 0.
 */
class HelpTest {

    /** Every command's path under {@code vantage}, e.g. {@code "roles create-login"}; "" is vantage itself. */
    static Stream<String> commands() {
        var paths = new ArrayList<String>();
        Main.everyCommand(Main.commandLine(), command -> paths.add(path(command)));
        return paths.stream();
    }

    private static String path(CommandLine command) {
        return command.getCommandSpec().qualifiedName(" ").replaceFirst("^vantage ?", "");
    }

    private record Run(int exit, String out, String err) {}

    /** Runs {@code vantage <path> <flag>} through the real command line and its handlers. */
    private static Run vantage(CommandLine cli, String path, String flag) {
        var out = new StringWriter();
        var err = new StringWriter();
        Main.everyCommand(cli, command -> command.setOut(new PrintWriter(out)).setErr(new PrintWriter(err)));
        var args = new ArrayList<>(path.isEmpty() ? List.of() : List.of(path.split(" ")));
        args.add(flag);
        int exit = cli.execute(args.toArray(String[]::new));
        return new Run(exit, out.toString(), err.toString());
    }

    @ParameterizedTest(name = "vantage {0} --help")
    @MethodSource("commands")
    void helpPrintsTheUsageWithExamplesAndExitsZero(String path) {
        var cli = Main.commandLine();
        for (String flag : List.of("--help", "-h")) {
            var run = vantage(cli, path, flag);

            assertThat(run.exit()).as(flag + ": " + run.err()).isZero();
            assertThat(run.out()).as(flag).startsWith(("Usage: vantage " + path).strip());
            assertThat(run.out()).as(flag).contains("\nExamples:\n  ");
            assertThat(run.err()).as(flag).isEmpty();
        }
    }

    @ParameterizedTest(name = "vantage {0} --version")
    @MethodSource("commands")
    void versionPrintsTheVersionAndExitsZero(String path) {
        var cli = Main.commandLine();
        for (String flag : List.of("--version", "-V")) {
            var run = vantage(cli, path, flag);

            assertThat(run.exit()).as(flag + ": " + run.err()).isZero();
            assertThat(run.out()).as(flag).isEqualTo("vantage " + Version.current() + System.lineSeparator());
        }
    }

    @ParameterizedTest(name = "vantage {0}")
    @MethodSource("commands")
    void everyExampleCallsVantageAndReachesOnlyLoopback(String path) {
        var out = vantage(Main.commandLine(), path, "--help").out();
        var examples = out.substring(out.indexOf("\nExamples:\n"));

        assertThat(examples).contains("vantage");
        assertThat(examples.lines().skip(2))
                .as("example lines fit the usage width (picocli breaks longer ones at column 0)")
                .allMatch(line -> line.isEmpty() || line.startsWith("  "));
        assertThat(Pattern.compile("\\b\\d{1,3}(\\.\\d{1,3}){3}\\b")
                        .matcher(examples)
                        .results()
                        .map(MatchResult::group))
                .allMatch(
                        address -> address.startsWith("127.") || address.equals("0.0.0.0"),
                        "an address in 127.0.0.0/8, or 0.0.0.0 to bind");
    }

    /** docs/cli.md's table gives every top-level command its exit statuses, so a new command cannot go unlisted. */
    @Test
    void everyCommandIsInTheExitStatusTableOfTheDocs() throws java.io.IOException {
        String docs = java.nio.file.Files.readString(java.nio.file.Path.of("docs", "cli.md"));

        assertThat(Main.commandLine().getSubcommands().keySet())
                .isNotEmpty()
                .allSatisfy(name -> assertThat(docs).as(name).contains("| `" + name));
    }
}
