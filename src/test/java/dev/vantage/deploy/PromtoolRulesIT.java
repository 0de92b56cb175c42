package dev.vantage.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vantage.testing.ServerProcess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * deploy/prometheus/vantage-rules.yml as Prometheus itself reads it: {@code promtool check rules} (syntax, PromQL,
 * templates) and {@code promtool test rules} on vantage-rules.test.yml (each alert fires on the series it is meant
 * for, after its {@code for}, with its labels and summary). promtool comes from Debian's {@code prometheus} package,
 * which .ci/run installs; without it this test fails, never skips.
 */
class PromtoolRulesIT {
    private static final Path RULES_DIR = Path.of("deploy", "prometheus");

    @Test
    void theRulesLoadInPrometheus() throws Exception {
        var result = promtool("check", "rules", "vantage-rules.yml");

        assertThat(result.exit()).as(result.output()).isZero();
        assertThat(result.output()).contains("SUCCESS");
    }

    @Test
    void eachAlertFiresOnItsSeriesAndOnlyAfterItsFor() throws Exception {
        var result = promtool("test", "rules", "vantage-rules.test.yml");

        assertThat(result.exit()).as(result.output()).isZero();
        assertThat(result.output()).contains("SUCCESS").doesNotContain("FAILED");
    }

    private record Result(int exit, String output) {}

    private static Result promtool(String... arguments) throws IOException, InterruptedException {
        Path promtool = ServerProcess.find("promtool")
                .orElseThrow(() -> new IllegalStateException(
                        "promtool not found: apt-get install prometheus (.ci/run installs it)"));
        var command = new java.util.ArrayList<>(List.of(promtool.toString()));
        command.addAll(List.of(arguments));
        var process = new ProcessBuilder(command)
                .directory(RULES_DIR.toFile())
                .redirectErrorStream(true)
                .start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("promtool ends").isTrue();
        return new Result(process.exitValue(), output);
    }
}
