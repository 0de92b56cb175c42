package dev.vantage.cli;

import dev.vantage.config.ConfigurationException;
import dev.vantage.config.Environment;
import dev.vantage.push.nats.NatsIngestSettings;
import java.util.Locale;
import picocli.CommandLine.Option;

/**
 * NATS ingest's flags, shared by {@code monitor} and {@code demo}. Each has its variable; the URL falls back to
 * {@code NATS_URL}, the Go nats-heartbeat tools' variable. A URL with credentials belongs in the environment (or
 * {@code VANTAGE_NATS_URL_FILE}): a flag shows in {@code ps}.
 */
final class NatsOptions {

    @Option(
            names = "--nats-url",
            paramLabel = "URL",
            description = "Take beats from NATS: nats://[user:password@ or token@]host[:port], or several separated by"
                    + " commas (default: VANTAGE_NATS_URL, else NATS_URL, else NATS ingest is off).")
    String natsUrl;

    @Option(
            names = "--nats-subject-prefix",
            paramLabel = "PREFIX",
            description =
                    "Subjects taken from NATS: <PREFIX>> (default: VANTAGE_NATS_SUBJECT_PREFIX, else heartbeat.).")
    String natsSubjectPrefix;

    @Option(
            names = "--nats-queue",
            paramLabel = "GROUP",
            description = "Queue group of the replicas, so each message is taken by one (default: VANTAGE_NATS_QUEUE,"
                    + " else vantage-ingest).")
    String natsQueue;

    @Option(
            names = "--nats-prime-stream",
            paramLabel = "STREAM",
            description = "JetStream stream whose last message per subject is taken at start (default:"
                    + " VANTAGE_NATS_PRIME_STREAM, else none).")
    String natsPrimeStream;

    @Option(
            names = "--nats-auto-register",
            paramLabel = "true|false",
            description = "Register a subject no push monitor has as a new push monitor (default:"
                    + " VANTAGE_NATS_AUTO_REGISTER, else true).")
    String natsAutoRegister;

    /** NATS ingest's settings, or null when no URL is set (NATS ingest off). */
    NatsIngestSettings settings(Environment env) {
        var url = env.resolve(natsUrl, "VANTAGE_NATS_URL").or(() -> env.get("NATS_URL"));
        if (url.isEmpty()) {
            return null;
        }
        return NatsIngestSettings.of(
                url.get(),
                env.resolve(natsSubjectPrefix, "VANTAGE_NATS_SUBJECT_PREFIX").orElse(null),
                env.resolve(natsQueue, "VANTAGE_NATS_QUEUE").orElse(null),
                env.resolve(natsPrimeStream, "VANTAGE_NATS_PRIME_STREAM").orElse(null),
                bool(env, natsAutoRegister, "VANTAGE_NATS_AUTO_REGISTER", true));
    }

    private static boolean bool(Environment env, String flag, String variable, boolean defaultValue) {
        var value = env.resolve(flag, variable);
        if (value.isEmpty()) {
            return defaultValue;
        }
        return switch (value.get().strip().toLowerCase(Locale.ROOT)) {
            case "true", "1", "yes", "on" -> true;
            case "false", "0", "no", "off" -> false;
            default ->
                throw new ConfigurationException(variable + ": expected true or false, got '" + value.get() + "'");
        };
    }
}
