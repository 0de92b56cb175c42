package dev.vantage.heartbeat;

import dev.vantage.config.ConfigurationException;
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
 */
public record HeartbeatWriterSettings(
        int queueCapacity,
        int batchSize,
        Duration linger,
        Duration backoffMin,
        Duration backoffMax,
        Duration networkTimeout,
        Duration shutdownDeadline,
        boolean copyDirect) {

    public static final HeartbeatWriterSettings DEFAULTS = new HeartbeatWriterSettings(
            50_000,
            2_000,
            Duration.ofMillis(100),
            Duration.ofMillis(100),
            Duration.ofSeconds(5),
            Duration.ofSeconds(30),
            Duration.ofSeconds(10),
            true);

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
    }

    public HeartbeatWriterSettings withQueueCapacity(int value) {
        return new HeartbeatWriterSettings(
                value, batchSize, linger, backoffMin, backoffMax, networkTimeout, shutdownDeadline, copyDirect);
    }

    public HeartbeatWriterSettings withBatchSize(int value) {
        return new HeartbeatWriterSettings(
                queueCapacity, value, linger, backoffMin, backoffMax, networkTimeout, shutdownDeadline, copyDirect);
    }

    public HeartbeatWriterSettings withLinger(Duration value) {
        return new HeartbeatWriterSettings(
                queueCapacity, batchSize, value, backoffMin, backoffMax, networkTimeout, shutdownDeadline, copyDirect);
    }

    public HeartbeatWriterSettings withBackoff(Duration min, Duration max) {
        return new HeartbeatWriterSettings(
                queueCapacity, batchSize, linger, min, max, networkTimeout, shutdownDeadline, copyDirect);
    }

    public HeartbeatWriterSettings withShutdownDeadline(Duration value) {
        return new HeartbeatWriterSettings(
                queueCapacity, batchSize, linger, backoffMin, backoffMax, networkTimeout, value, copyDirect);
    }

    public HeartbeatWriterSettings withCopyDirect(boolean value) {
        return new HeartbeatWriterSettings(
                queueCapacity, batchSize, linger, backoffMin, backoffMax, networkTimeout, shutdownDeadline, value);
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
