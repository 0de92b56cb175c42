package dev.vantage.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vantage.testing.ServerProcess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs Prometheus' {@code promtool}, from Debian's {@code prometheus} package, which .ci/run installs. Without it the
 * caller fails, never skips: a check that silently does not run is no check.
 */
final class Promtool {
    record Result(int exit, String output) {}

    private Promtool() {}

    /** Runs {@code promtool arguments...} in {@code directory}, with {@code input} on its standard input. */
    static Result run(Path directory, String input, String... arguments) throws IOException, InterruptedException {
        Path promtool = ServerProcess.find("promtool")
                .orElseThrow(() -> new IllegalStateException(
                        "promtool not found: apt-get install prometheus (.ci/run installs it)"));
        var command = new ArrayList<>(List.of(promtool.toString()));
        command.addAll(List.of(arguments));
        var process = new ProcessBuilder(command)
                .directory(directory.toFile())
                .redirectErrorStream(true)
                .start();
        try (var stdin = process.getOutputStream()) {
            stdin.write(input.getBytes(StandardCharsets.UTF_8));
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("promtool ends").isTrue();
        return new Result(process.exitValue(), output);
    }
}
