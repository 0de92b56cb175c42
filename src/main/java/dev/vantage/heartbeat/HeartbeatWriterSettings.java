package dev.vantage.heartbeat;

import dev.vantage.config.ConfigurationException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * How the {@link HeartbeatWriter} buffers and batches. Validated once here, with the field name in the message.
 *
 * @param queueCapacity heartbeats held in memory while the database is slow or away; past it new heartbeats are
 *     dropped (counted). Roughly 1 KB each without response bodies.
 * @param batchSize most rows written in one transaction
 * @param linger how long the writer waits for a batch to fill once its first row arrived
 * @param backoffMin first retry delay after a failed batch; doubles per failure
 * @param backoffMax cap of the retry delay
 * @param networkTimeout bound on one database round trip of the writer, so a silent network cannot hold a batch
 *     forever
 * @param shutdownDeadline how long {@link HeartbeatWriter#close()} may take to flush the queue
 * @param copyDirect COPY new batches straight into api_heartbeats, falling back to the staging table when a slot is
 *     already filled; false always goes through the staging table (slower, same result)
 * @param journalDir directory of the disk journal that keeps heartbeats while the database is away and across
 *     restarts (see {@link JournalingHeartbeatBuffer}), used by this process alone; null keeps them in memory only.
 *     Several processes on one host choose theirs with {@link dev.vantage.heartbeat.journal.Journal#chooseDirectory}.
 * @param journalMaxBytes bound of the journal on disk; past it the oldest heartbeats are dropped (counted), at least
 *     1 MiB
 * @param queueMaxBytes bound of the memory queue in bytes (its rows' encoded size), beside {@code queueCapacity}: past
 *     either, heartbeats spill to the journal or, without one, are dropped (counted as queue_full). At least 1 MiB
 */
public record HeartbeatWriterSettings(
        int queueCapacity,
        int batchSize,
        Duration linger,
        Duration backoffMin,
        Duration backoffMax,
        Duration networkTimeout,
        Duration shutdownDeadline,
        boolean copyDirect,
        Path journalDir,
        long journalMaxBytes,
        long queueMaxBytes) {

    static final long MIN_JOURNAL_BYTES = 1L << 20;
    static final long MIN_QUEUE_BYTES = 1L << 20;

    public static final HeartbeatWriterSettings DEFAULTS = new HeartbeatWriterSettings(
            50_000,
            2_000,
            Duration.ofMillis(100),
            Duration.ofMillis(100),
            Duration.ofSeconds(5),
            Duration.ofSeconds(30),
            Duration.ofSeconds(10),
            true,
            null,
            256L << 20,
            64L << 20);

    public HeartbeatWriterSettings {
        atLeast("queueCapacity", queueCapacity, 1);
        atLeast("batchSize", batchSize, 1);
        notNegative("linger", linger);
        positive("backoffMin", backoffMin);
        positive("backoffMax", backoffMax);
        if (backoffMax.compareTo(backoffMin) < 0) {
            throw new ConfigurationException(
                    "backoffMax must not be shorter than backoffMin (" + backoffMin + "), was " + backoffMax);
        }
        positive("networkTimeout", networkTimeout);
        notNegative("shutdownDeadline", shutdownDeadline);
        if (journalMaxBytes < MIN_JOURNAL_BYTES) {
            throw new ConfigurationException(
                    "journalMaxBytes must be at least " + MIN_JOURNAL_BYTES + " (1 MiB), was " + journalMaxBytes);
        }
        if (queueMaxBytes < MIN_QUEUE_BYTES) {
            throw new ConfigurationException(
                    "queueMaxBytes must be at least " + MIN_QUEUE_BYTES + " (1 MiB), was " + queueMaxBytes);
        }
    }

    public HeartbeatWriterSettings withQueueCapacity(int value) {
        return new HeartbeatWriterSettings(
                value,
                batchSize,
                linger,
                backoffMin,
                backoffMax,
                networkTimeout,
                shutdownDeadline,
                copyDirect,
                journalDir,
                journalMaxBytes,
                queueMaxBytes);
    }

    public HeartbeatWriterSettings withBatchSize(int value) {
        return new HeartbeatWriterSettings(
                queueCapacity,
                value,
                linger,
                backoffMin,
                backoffMax,
                networkTimeout,
                shutdownDeadline,
                copyDirect,
                journalDir,
                journalMaxBytes,
                queueMaxBytes);
    }

    public HeartbeatWriterSettings withLinger(Duration value) {
        return new HeartbeatWriterSettings(
                queueCapacity,
                batchSize,
                value,
                backoffMin,
                backoffMax,
                networkTimeout,
                shutdownDeadline,
                copyDirect,
                journalDir,
                journalMaxBytes,
                queueMaxBytes);
    }

    public HeartbeatWriterSettings withBackoff(Duration min, Duration max) {
        return new HeartbeatWriterSettings(
                queueCapacity,
                batchSize,
                linger,
                min,
                max,
                networkTimeout,
                shutdownDeadline,
                copyDirect,
                journalDir,
                journalMaxBytes,
                queueMaxBytes);
    }

    public HeartbeatWriterSettings withShutdownDeadline(Duration value) {
        return new HeartbeatWriterSettings(
                queueCapacity,
                batchSize,
                linger,
                backoffMin,
                backoffMax,
                networkTimeout,
                value,
                copyDirect,
                journalDir,
                journalMaxBytes,
                queueMaxBytes);
    }

    public HeartbeatWriterSettings withCopyDirect(boolean value) {
        return new HeartbeatWriterSettings(
                queueCapacity,
                batchSize,
                linger,
                backoffMin,
                backoffMax,
                networkTimeout,
                shutdownDeadline,
                value,
                journalDir,
                journalMaxBytes,
                queueMaxBytes);
    }

    /** Journals heartbeats in this directory (null: memory only). */
    public HeartbeatWriterSettings withJournalDir(Path value) {
        return new HeartbeatWriterSettings(
                queueCapacity,
                batchSize,
                linger,
                backoffMin,
                backoffMax,
                networkTimeout,
                shutdownDeadline,
                copyDirect,
                value,
                journalMaxBytes,
                queueMaxBytes);
    }

    public HeartbeatWriterSettings withJournalMaxBytes(long value) {
        return new HeartbeatWriterSettings(
                queueCapacity,
                batchSize,
                linger,
                backoffMin,
                backoffMax,
                networkTimeout,
                shutdownDeadline,
                copyDirect,
                journalDir,
                value,
                queueMaxBytes);
    }

    public HeartbeatWriterSettings withQueueMaxBytes(long value) {
        return new HeartbeatWriterSettings(
                queueCapacity,
                batchSize,
                linger,
                backoffMin,
                backoffMax,
                networkTimeout,
                shutdownDeadline,
                copyDirect,
                journalDir,
                journalMaxBytes,
                value);
    }

    private static void atLeast(String field, int value, int min) {
        if (value < min) {
            throw new ConfigurationException(field + " must be at least " + min + ", was " + value);
        }
    }

    private static void notNegative(String field, Duration value) {
        if (value == null || value.isNegative()) {
            throw new ConfigurationException(field + " must be a duration of 0 or more, was " + value);
        }
    }

    private static void positive(String field, Duration value) {
        if (value == null || value.isNegative() || value.isZero()) {
            throw new ConfigurationException(field + " must be a positive duration, was " + value);
        }
    }
}
