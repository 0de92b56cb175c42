package dev.vantage.heartbeat.journal;

import dev.vantage.config.ConfigurationException;
import java.time.Duration;

/**
 * How big a {@link Journal} may grow and how often it reaches the disk. Validated here, with the field name in the
 * message.
 *
 * @param maxBytes bound of all segments together; an append past it deletes the oldest segments (their records are
 *     lost, and reported). At least two segments.
 * @param segmentBytes size at which the journal starts a new segment file; also what one eviction or one deletion
 *     after acknowledgement frees at once
 * @param syncInterval how often the background thread forces written records to the disk, at most a second
 */
public record JournalSettings(long maxBytes, long segmentBytes, Duration syncInterval) {
    static final long MAX_SEGMENT_BYTES = 8L << 20;
    static final long MIN_SEGMENT_BYTES = 64L << 10;
    static final Duration SYNC_INTERVAL = Duration.ofMillis(500);
    /** The largest record payload of any journal: a heartbeat is a few KiB; a longer length field is damage. */
    static final int MAX_PAYLOAD_BYTES = 16 << 20;

    public JournalSettings {
        if (segmentBytes < Records.HEADER_BYTES) {
            throw new ConfigurationException(
                    "segmentBytes must be at least " + Records.HEADER_BYTES + ", was " + segmentBytes);
        }
        if (maxBytes < 2 * segmentBytes) {
            throw new ConfigurationException("maxBytes must be at least twice segmentBytes (" + segmentBytes
                    + "), so that evicting a segment never empties the journal, was " + maxBytes);
        }
        if (syncInterval == null
                || syncInterval.isNegative()
                || syncInterval.isZero()
                || syncInterval.compareTo(Duration.ofSeconds(1)) > 0) {
            throw new ConfigurationException(
                    "syncInterval must be a positive duration of at most 1 second, was " + syncInterval);
        }
    }

    /**
     * Settings for a bound alone: segments of a sixteenth of it, between 64 KiB and 8 MiB (so an eviction loses a
     * small part of the journal and a full journal is a few dozen files), forced every 500 ms.
     */
    public static JournalSettings bounded(long maxBytes) {
        long segment = Math.clamp(maxBytes / 16, MIN_SEGMENT_BYTES, MAX_SEGMENT_BYTES);
        return new JournalSettings(maxBytes, segment, SYNC_INTERVAL);
    }

    /** The largest payload one record may have: what one append can add under the bound, at most 16 MiB. */
    public int maxPayloadBytes() {
        return (int) Math.min(MAX_PAYLOAD_BYTES, maxBytes - segmentBytes - Records.HEADER_BYTES);
    }
}
