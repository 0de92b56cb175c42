package dev.vantage.heartbeat;

import dev.vantage.heartbeat.HeartbeatMeters.DropReason;
import dev.vantage.heartbeat.journal.Journal;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts the heartbeats a journal loses in {@value HeartbeatMeters#DROPPED}, and logs evictions at most once per
 * window with their total (a full journal evicts a segment every few seconds). The journal logs damage itself, with
 * the file and offset.
 */
final class JournalLosses implements Journal.Losses {
    private static final Logger log = LoggerFactory.getLogger(JournalingHeartbeatBuffer.class);

    private final HeartbeatMeters meters;
    private final Path directory;
    private final long maxBytes;
    private final LogThrottle fullLog;
    private long evictedUnreported; // guarded by this

    JournalLosses(HeartbeatMeters meters, Path directory, long maxBytes, Clock clock, Duration window) {
        this.meters = meters;
        this.directory = directory;
        this.maxBytes = maxBytes;
        this.fullLog = new LogThrottle(clock, window, 1);
    }

    @Override
    public void lost(Journal.Loss loss, long records) {
        meters.dropped(reason(loss), records);
        if (loss == Journal.Loss.FULL) {
            evicted(records);
        }
    }

    private synchronized void evicted(long records) {
        evictedUnreported += records;
        if (fullLog.event() >= 0) {
            report();
        }
    }

    /** Logs the evictions not reported yet, if any: at shutdown, so the last ones of a flood are not left out. */
    synchronized void flushReport() {
        fullLog.drain();
        if (evictedUnreported > 0) {
            report();
        }
    }

    private void report() {
        log.warn(
                "heartbeat journal in {} reached its bound of {} bytes: dropped the {} oldest heartbeats since the"
                        + " last report; the database has been away too long for the journal",
                directory,
                maxBytes,
                evictedUnreported);
        evictedUnreported = 0;
    }

    static DropReason reason(Journal.Loss loss) {
        return switch (loss) {
            case FULL -> DropReason.JOURNAL_FULL;
            case CORRUPT -> DropReason.JOURNAL_CORRUPT;
            case UNREADABLE -> DropReason.JOURNAL_UNREADABLE;
        };
    }
}
