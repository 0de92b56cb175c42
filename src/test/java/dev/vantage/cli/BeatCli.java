package dev.vantage.cli;

import dev.vantage.config.Environment;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * {@code vantage beat} run in the test's JVM, with the environment given as a map, stdin from /dev/null (the test
 * JVM's own stdin is the build tool's), and everything it prints captured.
 */
final class BeatCli {
    /**
     * @param exit the exit status
     * @param out what the command printed on its stdout
     * @param err what it printed on stderr: its errors and warnings
     * @param jobOut what {@code beat run} copied from its command's stdout
     * @param jobErr what it copied from its command's stderr
     * @param took how long it ran
     */
    record Result(int exit, String out, String err, String jobOut, String jobErr, Duration took) {
        List<String> errLines() {
            return err.lines().toList();
        }
    }

    private BeatCli() {}

    static Result run(String... args) {
        return run(Map.of(), args);
    }

    static Result run(Map<String, String> env, String... args) {
        var jobOut = new ByteArrayOutputStream();
        var jobErr = new ByteArrayOutputStream();
        var command = new BeatCommand(
                Environment.of(env),
                Clock.systemUTC(),
                ProcessBuilder.Redirect.from(new File("/dev/null")),
                jobOut,
                jobErr);
        var out = new StringWriter();
        var err = new StringWriter();
        long start = System.nanoTime();
        int exit = BeatCommand.commandLine(command)
                .setOut(new PrintWriter(out, true))
                .setErr(new PrintWriter(err, true))
                .execute(args);
        return new Result(
                exit,
                out.toString(),
                err.toString(),
                jobOut.toString(StandardCharsets.UTF_8),
                jobErr.toString(StandardCharsets.UTF_8),
                Duration.ofNanos(System.nanoTime() - start));
    }
}
