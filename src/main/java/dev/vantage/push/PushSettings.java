package dev.vantage.push;

import dev.vantage.config.ConfigurationException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * How a monitor replica takes pings. Validated once here, with the setting's name in the message.
 *
 * @param journalDir base directory of the journal that keeps accepted beats while the database is away and across
 *     restarts (VANTAGE_PUSH_JOURNAL_DIR); each replica on a host uses {@code <dir>/push} ({@code push.1}, … when
 *     several share it). Null: no journal; a beat that cannot be written within {@code ackDeadline} is answered 503
 *     and the sender retries.
 * @param journalMaxBytes bound of that journal (VANTAGE_PUSH_JOURNAL_MAX_MB); past 90% of it new beats are answered
 *     503 rather than letting the bound delete accepted ones
 * @param ratePerSecond sustained beats per second per monitor (VANTAGE_PUSH_RATE); more are answered 429
 * @param burst beats a monitor may send at once above the sustained rate (VANTAGE_PUSH_BURST)
 * @param queueCapacity beats waiting in memory for the database; past it, 503
 * @param ackDeadline how long a request waits for its beat to be committed or journaled before it is answered 503
 * @param spillAfter with a journal, how long a request waits for the database before its beat (and every one pending)
 *     is journaled instead
 * @param readDeadline how long a request may take to send its body; a slower one is cut off
 * @param reloadInterval how often the tokens are reloaded when no NOTIFY came (VANTAGE_RELOAD_INTERVAL)
 * @param lookupsPerSecond database lookups of tokens that are not loaded (a monitor inserted since the last reload),
 *     at most, for all senders together; more are answered 404 at once
 */
public record PushSettings(
        Path journalDir,
        long journalMaxBytes,
        double ratePerSecond,
        int burst,
        int queueCapacity,
        Duration ackDeadline,
        Duration spillAfter,
        Duration readDeadline,
        Duration reloadInterval,
        double lookupsPerSecond) {

    /** Bytes of a request body kept as the beat's message; the rest is counted, discarded and marked as cut. */
    public static final int MESSAGE_BYTES = 100 * 1024;
    /** Bodies longer than this are answered 413 and not recorded. */
    public static final long MAX_BODY_BYTES = 16L << 20;
    /** A start older than this is not paired with a finish: the job did not end, or not with a beat. */
    public static final Duration MAX_RUN = Duration.ofHours(24);

    public static final PushSettings DEFAULTS = new PushSettings(
            null,
            256L << 20,
            5.0,
            50,
            4_096,
            Duration.ofSeconds(5),
            Duration.ofSeconds(1),
            Duration.ofSeconds(10),
            Duration.ofSeconds(30),
            10.0);

    public PushSettings {
        if (journalMaxBytes < 4L << 20) {
            throw new ConfigurationException(
                    "VANTAGE_PUSH_JOURNAL_MAX_MB must be at least 4 (MiB), was " + (journalMaxBytes >> 20));
        }
        if (!(ratePerSecond > 0) || ratePerSecond > 1_000_000) {
            throw new ConfigurationException(
                    "VANTAGE_PUSH_RATE must be a number of beats per second above 0, was " + ratePerSecond);
        }
        if (burst < 1 || burst > 1_000_000) {
            throw new ConfigurationException("VANTAGE_PUSH_BURST must be between 1 and 1000000, was " + burst);
        }
        if (queueCapacity < 1) {
            throw new ConfigurationException("queueCapacity must be at least 1, was " + queueCapacity);
        }
        positive("ackDeadline", ackDeadline);
        positive("spillAfter", spillAfter);
        positive("readDeadline", readDeadline);
        if (reloadInterval == null || reloadInterval.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new ConfigurationException("VANTAGE_RELOAD_INTERVAL must be at least 1 s, was " + reloadInterval);
        }
        if (!(lookupsPerSecond > 0)) {
            throw new ConfigurationException("lookupsPerSecond must be above 0, was " + lookupsPerSecond);
        }
    }

    private static void positive(String field, Duration value) {
        if (value == null || value.isNegative() || value.isZero()) {
            throw new ConfigurationException(field + " must be a positive duration, was " + value);
        }
    }

    public PushSettings withJournal(Path dir, long maxBytes) {
        return new PushSettings(
                dir,
                maxBytes,
                ratePerSecond,
                burst,
                queueCapacity,
                ackDeadline,
                spillAfter,
                readDeadline,
                reloadInterval,
                lookupsPerSecond);
    }

    public PushSettings withRate(double perSecond, int burstBeats) {
        return new PushSettings(
                journalDir,
                journalMaxBytes,
                perSecond,
                burstBeats,
                queueCapacity,
                ackDeadline,
                spillAfter,
                readDeadline,
                reloadInterval,
                lookupsPerSecond);
    }

    public PushSettings withDeadlines(Duration ack, Duration spill, Duration read) {
        return new PushSettings(
                journalDir,
                journalMaxBytes,
                ratePerSecond,
                burst,
                queueCapacity,
                ack,
                spill,
                read,
                reloadInterval,
                lookupsPerSecond);
    }

    public PushSettings withReloadInterval(Duration value) {
        return new PushSettings(
                journalDir,
                journalMaxBytes,
                ratePerSecond,
                burst,
                queueCapacity,
                ackDeadline,
                spillAfter,
                readDeadline,
                value,
                lookupsPerSecond);
    }
}
