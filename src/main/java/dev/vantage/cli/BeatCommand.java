package dev.vantage.cli;

import dev.vantage.beat.Beat;
import dev.vantage.beat.BeatSender;
import dev.vantage.beat.BeatSenders;
import dev.vantage.beat.Deadline;
import dev.vantage.beat.Delivery;
import dev.vantage.beat.Destination;
import dev.vantage.beat.GoDuration;
import dev.vantage.beat.Hostname;
import dev.vantage.beat.OutputTail;
import dev.vantage.config.ConfigurationException;
import dev.vantage.config.Environment;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.random.RandomGenerator;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * {@code vantage beat URL}: sends one beat to a push monitor, or one every {@code --every} period until SIGTERM; with
 * {@code run}, a start and the exit status around a command ({@link BeatRunCommand}). The options that say where beats
 * go and what they carry are inherited by {@code run}; their names and variables mirror the Go NATS heartbeat
 * agent's ({@code -nats-url}/{@code NATS_URL}, {@code -subject}/{@code SUBJECT}, …). Exit status 0 delivered, 1 not
 * delivered (after retries within {@code --timeout}), 2 usage.
 */
@Command(
        name = "beat",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        subcommands = BeatRunCommand.class,
        customSynopsis = {
            "vantage beat [OPTIONS] [--fail | --start | --log | --exit-status N] [URL]",
            "vantage beat --every D [OPTIONS] [URL]",
            "vantage beat run [OPTIONS] [URL] -- COMMAND [ARG...]"
        },
        description = {
            "Sends a beat to a push monitor: once, every --every period, or around a command (beat run).",
            "URL is a ping URL http(s)://host[:port]/ping/<token>, or nats://host[:port] or redis://host[:port][/db]"
                    + " with --subject. Connection failures, 429 and 503 are retried within --timeout."
        },
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {"0:the beat was delivered", "1:the beat could not be delivered (after retries)", "2:usage error"
        },
        footerHeading = "%nExamples:%n",
        footer = {
            "  # in a crontab: start, then the job's exit status and the end of its output",
            "  vantage beat run https://vantage.example.com/ping/<token> \\",
            "      -- /usr/local/bin/backup.sh",
            "  # every 15 s, read by Vantage and by the Go nats-heartbeat monitor alike",
            "  vantage beat --every 15s --subject heartbeat.service.api \\",
            "      nats://nats.internal:4222"
        })
public final class BeatCommand implements Callable<Integer> {
    static final int NOT_DELIVERED = 1;
    static final int USAGE = 2;
    /** The shortest --every: shorter periods are for tests and demos, and still leave room for a round trip. */
    static final Duration SHORTEST_EVERY = Duration.ofMillis(100);
    /** The Go agent's default interval. */
    static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(15);
    /** What the server keeps of a message (api_heartbeats.message): a longer one is cut to its end here. */
    static final int MESSAGE_LIMIT = 100 * 1024;

    @Spec
    CommandSpec spec;

    @Parameters(
            index = "0",
            arity = "0..1",
            paramLabel = "URL",
            description = "Where the beat goes (default: --url, else VANTAGE_BEAT_URL, else NATS_URL).")
    String urlArgument;

    // Inherited by `beat run`: where beats go and what every beat carries.

    @Option(
            names = {"--url", "--nats-url", "-nats-url"},
            scope = ScopeType.INHERIT,
            paramLabel = "URL",
            description = "The URL, when not given as an argument (default: VANTAGE_BEAT_URL, else NATS_URL).")
    String url;

    @Option(
            names = {"--subject", "-subject"},
            scope = ScopeType.INHERIT,
            description = "nats, redis: the subject the push monitor knows (default: SUBJECT).")
    String subject;

    @Option(
            names = "--stream",
            scope = ScopeType.INHERIT,
            description = "redis: the stream to XADD to (default: vantage:beats).")
    String stream;

    @Option(
            names = {"--interval", "-interval"},
            scope = ScopeType.INHERIT,
            paramLabel = "D",
            converter = DurationConverter.class,
            description = "nats, redis: the period promised (default: the --every period, else INTERVAL, else 15s).")
    Duration interval;

    @Option(
            names = {"--grace", "-grace"},
            scope = ScopeType.INHERIT,
            paramLabel = "D",
            converter = DurationConverter.class,
            description = "nats, redis: how late a beat may be; 0 for none (default: GRACE, else none).")
    Duration grace;

    @Option(
            names = {"--description", "-description"},
            scope = ScopeType.INHERIT,
            description = "nats, redis: a label for people (default: DESCRIPTION).")
    String description;

    @Option(
            names = "--host",
            scope = ScopeType.INHERIT,
            description = "nats, redis: the sending host (default: this machine's name).")
    String host;

    @Option(
            names = "--timeout",
            scope = ScopeType.INHERIT,
            paramLabel = "D",
            defaultValue = "10s",
            converter = DurationConverter.class,
            description = "How long one beat may take, retries included (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    // This command's own.

    @ArgGroup(exclusive = true)
    KindFlags kindFlags;

    static final class KindFlags {
        @Option(names = "--fail", description = "Report a failure.")
        boolean fail;

        @Option(names = "--start", description = "Report that a run began (pair it with --rid).")
        boolean start;

        @Option(names = "--log", description = "Send a message without changing the state.")
        boolean log;

        @Option(
                names = "--exit-status",
                paramLabel = "N",
                description = "Report an exit status: 0 success, 1-255 fail.")
        Integer exitStatus;
    }

    @ArgGroup(exclusive = true)
    MessageFlags messageFlags;

    static final class MessageFlags {
        @Option(names = "--message", paramLabel = "TEXT", description = "Text sent with the beat.")
        String text;

        @Option(
                names = "--message-file",
                paramLabel = "FILE",
                description = "Send the end of FILE (- for stdin), at most 100 KiB.")
        Path file;
    }

    @Option(names = "--rid", paramLabel = "UUID", description = "Run id: pairs a --start with the beat that ends it.")
    String rid;

    @Option(
            names = "--every",
            paramLabel = "D",
            converter = DurationConverter.class,
            description = "Send a success beat every D (at least 100ms) until SIGTERM or Ctrl-C.")
    Duration every;

    final Environment environment;
    final BeatSenders senders;
    final Delivery delivery = new Delivery(RandomGenerator.getDefault());
    final Clock clock;
    final ProcessBuilder.Redirect stdin;
    final OutputStream stdout;
    final OutputStream stderr;

    public BeatCommand() {
        this(Environment.system(), Clock.systemUTC(), ProcessBuilder.Redirect.INHERIT, System.out, System.err);
    }

    /**
     * @param stdin what {@code beat run}'s command reads
     * @param stdout where {@code beat run} copies its command's stdout (picocli's writers carry our own messages)
     * @param stderr where it copies the command's stderr
     */
    BeatCommand(
            Environment environment,
            Clock clock,
            ProcessBuilder.Redirect stdin,
            OutputStream stdout,
            OutputStream stderr) {
        this.environment = environment;
        this.clock = clock;
        this.senders = BeatSenders.standard(clock);
        this.stdin = stdin;
        this.stdout = stdout;
        this.stderr = stderr;
    }

    /** A command line for this command alone, reporting usage errors as {@code vantage beat} does under Main. */
    static CommandLine commandLine(BeatCommand command) {
        return new CommandLine(command)
                .setCommandName("vantage beat")
                .setParameterExceptionHandler((e, args) -> usageError(e));
    }

    /** Whether a parse error of {@code cmd} is reported by {@link #usageError}. */
    public static boolean reportsItsUsageErrors(CommandLine cmd) {
        return cmd.getCommand() instanceof BeatCommand || cmd.getCommand() instanceof BeatRunCommand;
    }

    /** One line naming the flag, and where help is; not the whole usage, which would bury it. */
    public static int usageError(CommandLine.ParameterException e) {
        CommandLine cmd = e.getCommandLine();
        String name = cmd.getCommandSpec().qualifiedName();
        String message = e.getMessage().replaceFirst("^Error: ", "");
        cmd.getErr().println(name + ": " + message + " (see " + name + " --help)");
        cmd.getErr().flush();
        return USAGE;
    }

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        try {
            if (urlArgument != null && url != null) {
                throw new ConfigurationException("give the URL once: as an argument or with --url");
            }
            if (every != null) {
                checkEvery();
            }
            Beat beat = withOwnFlags(beat(every));
            try (BeatSender sender = senders.open(destination(urlArgument))) {
                if (every != null) {
                    new BeatEvery(every, timeout, delivery, clock, err).run(sender, beat);
                    return 0;
                }
                Delivery.Result result = delivery.deliver(sender, beat, Deadline.after(timeout));
                if (!result.delivered()) {
                    err.println("vantage beat: not delivered: " + result.detail());
                    return NOT_DELIVERED;
                }
                return 0;
            }
        } catch (ConfigurationException e) {
            err.println("vantage beat: " + e.getMessage());
            return USAGE;
        } finally {
            err.flush();
        }
    }

    /** Where beats go: the URL from the argument, the flag or the environment, with the subject and stream. */
    Destination destination(String argument) {
        String where = argument != null
                ? argument
                : environment
                        .resolve(url, "VANTAGE_BEAT_URL")
                        .or(() -> environment.get("NATS_URL"))
                        .orElseThrow(() -> new ConfigurationException(
                                "no URL: give it as an argument, with --url, or in VANTAGE_BEAT_URL (or NATS_URL)"));
        String s = environment.resolve(subject, "SUBJECT").orElse(null);
        return new Destination(where, s, stream);
    }

    /**
     * A success beat with what every beat carries, from the flags, else the environment, else the defaults.
     *
     * @param period the --every period, the interval's default before INTERVAL; or null
     */
    Beat beat(Duration period) {
        if (timeout.isNegative() || timeout.isZero()) {
            throw new ConfigurationException("--timeout: must be more than 0");
        }
        Duration i = interval != null
                ? interval
                : period != null ? period : duration("INTERVAL").orElse(DEFAULT_INTERVAL);
        if (i.isNegative() || i.isZero()) {
            throw new ConfigurationException((interval != null ? "--interval" : "INTERVAL") + ": must be more than 0");
        }
        Duration g = grace != null ? grace : duration("GRACE").orElse(null);
        if (g != null && g.isZero()) {
            g = null; // as the Go agent: 0 means not set
        }
        String h = host != null ? host : Hostname.local();
        if (h.isBlank()) {
            throw new ConfigurationException("--host: must not be blank");
        }
        String d = environment.resolve(description, "DESCRIPTION").orElse(null);
        return Beat.success(i, g, h.strip(), d);
    }

    private Optional<Duration> duration(String variable) {
        return environment.get(variable).map(text -> {
            try {
                return GoDuration.parse(text);
            } catch (IllegalArgumentException e) {
                throw new ConfigurationException(variable + ": " + e.getMessage());
            }
        });
    }

    private Beat withOwnFlags(Beat beat) {
        if (kindFlags != null) {
            if (kindFlags.exitStatus != null) {
                if (kindFlags.exitStatus < 0 || kindFlags.exitStatus > 255) {
                    throw new ConfigurationException("--exit-status: must be 0 to 255, was " + kindFlags.exitStatus);
                }
                beat = beat.withExitStatus(kindFlags.exitStatus);
            } else {
                beat = beat.withKind(
                        kindFlags.fail ? Beat.Kind.FAIL : kindFlags.start ? Beat.Kind.START : Beat.Kind.LOG);
            }
        }
        if (rid != null) {
            beat = beat.withRid(rid(rid));
        }
        return beat.withMessage(message());
    }

    private void checkEvery() {
        if (every.compareTo(SHORTEST_EVERY) < 0) {
            throw new ConfigurationException("--every: must be at least " + GoDuration.format(SHORTEST_EVERY));
        }
        if (kindFlags != null) {
            throw new ConfigurationException(
                    "--every sends success beats: --fail, --start, --log and --exit-status cannot go with it");
        }
        if (rid != null) {
            throw new ConfigurationException("--rid pairs one start with its end: it cannot go with --every");
        }
    }

    /** A run id as Healthchecks and Vantage take it: a UUID in its canonical form. */
    static UUID rid(String text) {
        if (!text.matches("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")) {
            throw new ConfigurationException(
                    "--rid: must be a UUID such as 3f2b8c1e-7d4a-4c55-9b1e-2f6a0c9d8e71, was '" + text + "'");
        }
        return UUID.fromString(text);
    }

    /** --message, or the end of --message-file, at most {@link #MESSAGE_LIMIT} bytes; null for none. */
    private String message() {
        if (messageFlags == null) {
            return null;
        }
        var tail = new OutputTail(MESSAGE_LIMIT, Integer.MAX_VALUE);
        if (messageFlags.text != null) {
            byte[] bytes = messageFlags.text.getBytes(StandardCharsets.UTF_8);
            tail.append(bytes, 0, bytes.length);
            return tail.text();
        }
        Path file = messageFlags.file;
        try (InputStream in = file.toString().equals("-") ? System.in : Files.newInputStream(file)) {
            byte[] buffer = new byte[8192];
            int n;
            while ((n = in.read(buffer)) >= 0) {
                tail.append(buffer, 0, n);
            }
        } catch (IOException e) {
            throw new ConfigurationException("--message-file: cannot read " + file + ": " + e.getMessage());
        }
        return tail.text();
    }

    /** Go-style durations for picocli: a bad one is a one-line error naming the flag. */
    static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            try {
                return GoDuration.parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }
}
