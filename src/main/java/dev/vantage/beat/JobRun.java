package dev.vantage.beat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A command run by {@code vantage beat run}: its stdin inherited, its stdout and stderr copied to ours as they come
 * (the terminal or the cron mail sees them unchanged) and into one {@link OutputTail}, which becomes the beat's
 * message.
 */
public final class JobRun {
    /**
     * How long output is still read after the command exits. A process it left in the background may hold its stdout
     * open for ever; the job is over when the command is, so the beat does not wait for that.
     */
    static final Duration OUTPUT_AFTER_EXIT = Duration.ofSeconds(1);

    /** The errno in the JDK's message: {@code error=2, No such…} (JDK 17), {@code error: 2 (No such…)} (JDK 25). */
    private static final Pattern JAVA_START_ERROR = Pattern.compile("error(?:=|: )(\\d+)(?:, (.+)| \\((.+)\\))");

    private final Process process;
    private final OutputTail tail;
    private final Thread stdoutCopy;
    private final Thread stderrCopy;

    private JobRun(Process process, OutputTail tail, OutputStream stdout, OutputStream stderr) {
        this.process = process;
        this.tail = tail;
        this.stdoutCopy = copy(process.getInputStream(), stdout, "beat-run-stdout");
        this.stderrCopy = copy(process.getErrorStream(), stderr, "beat-run-stderr");
    }

    /** Why a command could not be started, and the exit status a shell gives for it (126 or 127). */
    public record StartFailure(String reason, int exitStatus) {
        static StartFailure of(List<String> command, IOException e) {
            String message = e.getMessage() == null ? "" : e.getMessage();
            Matcher m = JAVA_START_ERROR.matcher(message);
            boolean matched = m.find();
            String why = !matched ? e.getClass().getSimpleName() : m.group(2) != null ? m.group(2) : m.group(3);
            // errno 13 (EACCES): found but not executable, which a shell reports as 126; anything else as not found.
            int status = matched && m.group(1).equals("13") ? 126 : 127;
            return new StartFailure("cannot run " + command.getFirst() + ": " + why.strip(), status);
        }
    }

    /** Thrown when the command cannot be started at all. */
    public static final class CannotStart extends Exception {
        private final StartFailure failure;

        CannotStart(StartFailure failure, IOException cause) {
            super(failure.reason(), cause);
            this.failure = failure;
        }

        public StartFailure failure() {
            return failure;
        }
    }

    /**
     * Starts {@code command} (looked up on PATH).
     *
     * @param stdin what the command reads: ours ({@link ProcessBuilder.Redirect#INHERIT}) when run by a user
     * @throws CannotStart when it cannot be started: not found, not executable
     */
    public static JobRun start(
            List<String> command,
            ProcessBuilder.Redirect stdin,
            OutputStream stdout,
            OutputStream stderr,
            OutputTail tail)
            throws CannotStart {
        try {
            Process process = new ProcessBuilder(command).redirectInput(stdin).start();
            return new JobRun(process, tail, stdout, stderr);
        } catch (IOException e) {
            throw new CannotStart(StartFailure.of(command, e), e);
        }
    }

    /**
     * Waits for the command to exit, then up to {@link #OUTPUT_AFTER_EXIT} for the rest of its output.
     *
     * @return its exit status; 128 + the signal's number when a signal ended it, as a shell reports it
     */
    public int waitFor() throws InterruptedException {
        int status = process.waitFor();
        long end = System.nanoTime() + OUTPUT_AFTER_EXIT.toNanos();
        stdoutCopy.join(Duration.ofNanos(Math.max(1, end - System.nanoTime())));
        stderrCopy.join(Duration.ofNanos(Math.max(1, end - System.nanoTime())));
        return status;
    }

    /**
     * Passes a SIGTERM on to the command. Through its {@link ProcessHandle}: {@link Process#destroy()} also closes our
     * ends of its pipes, which would lose what the command prints while it stops.
     */
    public void terminate() {
        process.toHandle().destroy();
    }

    /** SIGKILL. */
    public void kill() {
        process.toHandle().destroyForcibly();
    }

    /** The end of the command's output so far, stdout and stderr interleaved as they came. */
    public String output() {
        return tail.text();
    }

    private Thread copy(InputStream from, OutputStream to, String name) {
        return Thread.ofPlatform().daemon().name(name).start(() -> {
            byte[] buffer = new byte[8192];
            boolean writing = true;
            try (from) {
                int n;
                while ((n = from.read(buffer)) >= 0) {
                    tail.append(buffer, 0, n);
                    if (writing) {
                        try {
                            to.write(buffer, 0, n);
                            to.flush();
                        } catch (IOException e) {
                            writing = false; // our own output is gone; keep reading so the command never blocks
                        }
                    }
                }
            } catch (IOException e) {
                // the pipe broke: the command is gone
            }
        });
    }
}
