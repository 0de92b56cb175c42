package dev.vantage.cli;

import dev.vantage.beat.Beat;
import dev.vantage.beat.BeatSender;
import dev.vantage.beat.Deadline;
import dev.vantage.beat.Delivery;
import dev.vantage.beat.JobRun;
import dev.vantage.beat.OutputTail;
import dev.vantage.config.ConfigurationException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code vantage beat run URL -- CMD ARGS…}: wraps a job. Sends a start beat with a new run id, runs the command (stdin
 * inherited, stdout and stderr copied through), then sends its exit status with the same run id (so the server
 * measures the run) and the end of its output as the message, and exits with the command's own status. The job
 * matters more than its beat: a beat that cannot be delivered is a warning, never a different exit status.
 */
@Command(
        name = "run",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        customSynopsis = "vantage beat run [OPTIONS] [URL] -- COMMAND [ARG...]",
        description = {
            "Runs COMMAND between a start beat and a beat with its exit status (0 success, else fail) and the end of"
                    + " its output (last 50 lines, at most 10 KiB); both carry one run id, so the server measures"
                    + " the run. Exits with COMMAND's status; 127 (126 if not executable) when it cannot be started,"
                    + " after a fail beat saying why. SIGTERM is passed on to COMMAND. A beat that cannot be"
                    + " delivered is a warning on stderr: the exit status stays COMMAND's."
        },
        footerHeading = "%nExamples:%n",
        footer = {
            "  # in a crontab",
            "  PING=https://vantage.example.com/ping/<token>",
            "  0 3 * * *  vantage beat run $PING -- backup.sh",
            "  vantage beat run --subject heartbeat.job.backup nats://127.0.0.1:4222 \\",
            "      -- backup.sh --full"
        })
public final class BeatRunCommand implements Callable<Integer> {
    static final int OUTPUT_BYTES = 10 * 1024;
    static final int OUTPUT_LINES = 50;
    /** How long a SIGTERM waits for the command to exit before it is killed. */
    static final Duration KILL_AFTER = Duration.ofSeconds(30);
    /** The exit status a shell reports for a command ended by SIGTERM: ours when the command's is unknown. */
    private static final int TERMINATED = 128 + 15;

    @ParentCommand
    BeatCommand beat;

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "[URL] -- COMMAND", arity = "1..*", description = "The URL (optional), --, the command.")
    List<String> arguments;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        try {
            rejectBeatOnlyFlags();
            List<String> originalArgs = spec.commandLine().getParseResult().originalArgs();
            int separator = originalArgs.indexOf("--");
            if (separator < 0) {
                throw new ConfigurationException(
                        "the command goes after --, as in: vantage beat run URL -- backup.sh --full");
            }
            int commandLength = originalArgs.size() - separator - 1;
            if (commandLength == 0) {
                throw new ConfigurationException("no command after --");
            }
            List<String> before = arguments.subList(0, arguments.size() - commandLength);
            if (before.size() > 1) {
                throw new ConfigurationException("one URL before --, found " + before.size() + " arguments");
            }
            if (!before.isEmpty() && beat.url != null) {
                throw new ConfigurationException("give the URL once: as an argument or with --url");
            }
            List<String> command = arguments.subList(arguments.size() - commandLength, arguments.size());
            Beat base = beat.beat(null).withRid(UUID.randomUUID());
            try (BeatSender sender = beat.senders.open(beat.destination(before.isEmpty() ? null : before.getFirst()))) {
                return run(sender, base, command, err);
            }
        } catch (ConfigurationException e) {
            err.println("vantage beat run: " + e.getMessage());
            return BeatCommand.USAGE;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("vantage beat run: interrupted");
            return TERMINATED;
        } finally {
            err.flush();
        }
    }

    private int run(BeatSender sender, Beat base, List<String> command, PrintWriter err) throws InterruptedException {
        send(sender, base.withKind(Beat.Kind.START), "start", err);
        JobRun job;
        try {
            job = JobRun.start(
                    command, beat.stdin, beat.stdout, beat.stderr, new OutputTail(OUTPUT_BYTES, OUTPUT_LINES));
        } catch (JobRun.CannotStart e) {
            err.println("vantage beat run: " + e.failure().reason());
            err.flush();
            send(sender, base.withKind(Beat.Kind.FAIL).withMessage(e.failure().reason()), "fail", err);
            return e.failure().exitStatus();
        }
        var exitStatus = new AtomicInteger(TERMINATED);
        var finished = new CountDownLatch(1);
        Thread hook = new Thread(() -> forwardSigterm(job, finished, exitStatus), "beat-run-sigterm");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            int status = job.waitFor();
            exitStatus.set(status);
            send(sender, base.withExitStatus(status).withMessage(job.output()), "exit status", err);
            return status;
        } finally {
            finished.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // a SIGTERM came: the hook ends the JVM with the command's status
            }
        }
    }

    /**
     * On SIGTERM (or Ctrl-C) the JVM runs this hook: the command gets SIGTERM, and once it has exited and its beat is
     * sent, the JVM ends with the command's exit status, not the signal's. A command still running after
     * {@link #KILL_AFTER} is killed.
     */
    private void forwardSigterm(JobRun job, CountDownLatch finished, AtomicInteger exitStatus) {
        job.terminate();
        try {
            if (!finished.await(KILL_AFTER.toMillis(), TimeUnit.MILLISECONDS)) {
                job.kill();
                finished.await(beat.timeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        spec.commandLine().getErr().flush();
        Runtime.getRuntime().halt(exitStatus.get());
    }

    private void send(BeatSender sender, Beat b, String what, PrintWriter err) {
        Delivery.Result result = beat.delivery.deliver(sender, b, Deadline.after(beat.timeout));
        if (!result.delivered()) {
            err.println("vantage beat run: warning: the " + what + " beat was not delivered: " + result.detail());
            err.flush();
        }
    }

    /** `beat --fail run …` would silently drop --fail: the flags of `beat` itself do not apply to a run. */
    private void rejectBeatOnlyFlags() {
        String flag = beat.kindFlags != null
                ? "--fail, --start, --log and --exit-status"
                : beat.messageFlags != null
                        ? "--message and --message-file"
                        : beat.rid != null ? "--rid" : beat.every != null ? "--every" : null;
        if (flag != null) {
            throw new ConfigurationException(flag + " apply to vantage beat, not to beat run");
        }
        if (beat.urlArgument != null) {
            throw new ConfigurationException("the URL goes after run: vantage beat run URL -- COMMAND");
        }
    }
}
