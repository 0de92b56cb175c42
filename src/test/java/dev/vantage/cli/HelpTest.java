package dev.vantage.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vantage.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The commands that answer {@code --help} and {@code --version}: usage or version on stdout, exit status 0. */
class HelpTest {
    @ParameterizedTest
    @ValueSource(
            strings = {
                "agent",
                "migrate",
                "monitor",
                "demo",
                "probe",
                "roles",
                "roles print",
                "roles create-login",
                "roles bind",
                "maintenance",
                "maintenance start",
                "maintenance stop",
                "maintenance list"
            })
    void helpPrintsUsageAndExitsZero(String command) {
        var out = new StringWriter();
        var cli = Main.commandLine().setOut(new PrintWriter(out));
        for (var sub : cli.getSubcommands().values()) {
            sub.setOut(new PrintWriter(out));
            sub.getSubcommands().values().forEach(s -> s.setOut(new PrintWriter(out)));
        }

        int exit = cli.execute((command + " --help").split(" "));

        assertThat(exit).as(out.toString()).isZero();
        assertThat(out.toString()).startsWith("Usage: vantage " + command);
    }

    @ParameterizedTest
    @ValueSource(strings = {"agent", "migrate", "roles", "roles bind"})
    void versionPrintsTheVersionAndExitsZero(String command) {
        var out = new StringWriter();
        var cli = Main.commandLine().setOut(new PrintWriter(out));
        for (var sub : cli.getSubcommands().values()) {
            sub.setOut(new PrintWriter(out));
            sub.getSubcommands().values().forEach(s -> s.setOut(new PrintWriter(out)));
        }

        int exit = cli.execute((command + " --version").split(" "));

        assertThat(exit).isZero();
        assertThat(out.toString()).startsWith("vantage ");
    }
}
