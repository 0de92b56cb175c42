package dev.vantage.heartbeat.journal;

import dev.vantage.config.ConfigurationException;
import dev.vantage.heartbeat.journal.Segment.CorruptSegmentException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An append-only log of records on local disk: checksummed, bounded, read back oldest first, forgotten once
 * acknowledged, and found again by the next process that opens its directory.
 *
 * <p><b>Format.</b> A directory holds the lock file {@code journal.lock} and segment files {@code
 * segment-<16-digit id>.journal}, ids increasing with age. A segment is records back to back, each {@code [int
 * length][int CRC32C of the payload][payload]}, big-endian; there is no file header. Appends go to the newest segment
 * until it reaches {@link JournalSettings#segmentBytes()}, then to a new one; recovered segments are never appended to.
 *
 * <p><b>Guarantees.</b>
 *
 * <ul>
 *   <li>Durability: an append is in the operating system's page cache when it returns, so it survives the process
 *       being killed. A background thread forces the files written since its last pass to the disk every {@link
 *       JournalSettings#syncInterval()} (500 ms by default), so a power loss or kernel crash loses at most the records
 *       of the last interval plus one fsync. {@link #close()} forces everything.
 *   <li>Integrity: {@link #open} verifies every record. The first record that is cut short (a write interrupted by a
 *       crash) or fails its checksum ends its segment: the file is truncated there, and the records lost from there on
 *       are reported as {@link Loss#CORRUPT} and logged with the file and offset. Reads verify checksums again.
 *   <li>Bound: the segments together stay under {@link JournalSettings#maxBytes()}. An append that would pass it
 *       first deletes the oldest segments, moving the reader past them, and reports the unread records they held as
 *       {@link Loss#FULL}: the newest records are kept.
 *   <li>Order: records are read in the order they were appended, across restarts.
 *   <li>At least once: {@link #acknowledge()} forgets what was read, deleting segments read to their end. The read
 *       position is not saved, so after a restart the oldest remaining segment is read again from its start, including
 *       its acknowledged records, and a crash between an acknowledgement and a deletion reads the segment again:
 *       consumers must be idempotent (heartbeats are, by their slot key).
 *   <li>Exclusive: one process at a time, enforced by a lock on {@code journal.lock} (see {@link
 *       #chooseDirectory}).
 * </ul>
 *
 * <p>Thread-safe. An append is one buffered write under a lock and never waits for an fsync.
 */
public final class Journal implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Journal.class);

    /** Why records were lost. */
    public enum Loss {
        /** Deleted unread to stay under the bound. */
        FULL,
        /** Cut short or failing their checksum, found at open or when read. */
        CORRUPT,
        /** Their segment could not be read back (an I/O error). */
        UNREADABLE
    }

    /** Told of every record the journal loses. Called with the journal's lock held: count and log, nothing more. */
    @FunctionalInterface
    public interface Losses {
        void lost(Loss loss, long records);
    }

    private final JournalLock fileLock;
    private final Path directory;
    private final JournalSettings settings;
    private final Losses losses;
    private final Syncer syncer;
    private final ReentrantLock lock = new ReentrantLock();
    private final TreeMap<Long, Segment> segments = new TreeMap<>();

    // All guarded by lock. Sequence numbers count records from 0 at each open.
    private Segment active; // where appends go; null until the next append creates it
    private long nextSegmentId = 1;
    private long nextSeq;
    private long readId; // the read position: a segment, an offset in it, and the record's sequence number
    private long readOffset;
    private long readSeq;
    private long ackSeq; // every record before it is acknowledged (or lost)
    private long totalBytes;
    private boolean directoryDirty;
    private boolean closed;

    private volatile long bytes;
    private volatile long pending;

    private Journal(JournalLock fileLock, JournalSettings settings, Losses losses) {
        this.fileLock = fileLock;
        this.directory = fileLock.directory();
        this.settings = settings;
        this.losses = losses;
        this.syncer = new Syncer(this, settings.syncInterval());
    }

    /**
     * Locks the directory (creating it if needed), verifies and truncates damaged segments, and starts the sync
     * thread. Records found are unread: {@link #read} returns them first.
     *
     * @throws ConfigurationException when another process uses the directory, or it cannot be created or read
     */
    public static Journal open(Path directory, JournalSettings settings, Losses losses) {
        JournalLock fileLock = JournalLock.acquire(directory);
        var journal = new Journal(fileLock, settings, losses);
        try {
            journal.recover();
        } catch (IOException | RuntimeException e) {
            journal.closeFiles();
            try {
                fileLock.close();
            } catch (IOException unlock) {
                e.addSuppressed(unlock);
            }
            throw e instanceof RuntimeException r
                    ? r
                    : new ConfigurationException(
                            "cannot read the heartbeat journal in " + directory + ": " + e.getMessage());
        }
        journal.syncer.start();
        return journal;
    }

    /**
     * The directory for one of several processes sharing a host and a base directory: the first of {@code
     * <base>/<name>}, {@code <base>/<name>.1}, {@code <base>/<name>.2}, … that no live process has open. A process
     * that restarts thus takes over the journal of one that died and replays it. Two processes starting within the
     * same moment can pick the same directory; the second then fails in {@link #open} with an error naming it.
     *
     * @param name a file name: letters, digits, '.', '_' and '-', not starting with '.' (a datacenter code)
     * @throws ConfigurationException for a bad name, or when the first 100 candidates are all in use
     */
    public static Path chooseDirectory(Path base, String name) {
        return JournalLock.choose(base, name);
    }

    /** Whether a live process (this one included) has the journal in {@code directory} open. */
    public static boolean inUse(Path directory) {
        return !JournalLock.isFree(directory);
    }

    private void recover() throws IOException {
        for (Segment segment : Recovery.recover(directory, settings, losses)) {
            segments.put(segment.id, segment);
            totalBytes += segment.size();
            nextSeq = segment.endSeq();
            nextSegmentId = segment.id + 1;
        }
        readId = segments.isEmpty() ? nextSegmentId : segments.firstKey();
        updateGauges();
    }

    /**
     * Appends a record after every other, evicting the oldest segments first if the bound requires it.
     *
     * @return the record's sequence number (see {@link #acknowledgedPosition()})
     * @throws IOException when it could not be written (nothing of it is kept), or is larger than the bound
     */
    public long append(byte[] payload) throws IOException {
        byte[] frame = Records.frame(payload);
        lock.lock();
        try {
            ensureOpen();
            if (payload.length > settings.maxPayloadBytes()) {
                throw new IOException("a record of " + frame.length + " bytes is too large for the journal bound of "
                        + settings.maxBytes() + " bytes (at most " + settings.maxPayloadBytes() + " bytes a record)");
            }
            if (payload.length == 0) {
                throw new IOException("an empty record cannot be journaled");
            }
            Segment target = activeFor(frame.length);
            evictFor(frame.length);
            target.append(frame);
            totalBytes += frame.length;
            return nextSeq++;
        } finally {
            updateGauges();
            lock.unlock();
        }
    }

    /**
     * Appends a record that its caller already holds, such as a batch it is retrying: when every earlier record was
     * read, this one counts as read too, so {@link #read} skips it, the bound deletes it without reporting a loss, and
     * {@link #acknowledge()} forgets it; a restart before that replays it. When unread records remain it is an
     * ordinary append (read again later: a duplicate).
     */
    public long appendTaken(byte[] payload) throws IOException {
        lock.lock();
        try {
            boolean allRead = readSeq == nextSeq;
            long seq = append(payload);
            if (allRead) {
                readId = active.id;
                readOffset = active.size();
                readSeq = nextSeq;
            }
            return seq;
        } finally {
            lock.unlock();
        }
    }

    /** The segment the next frame goes to, starting a new one when the current one is full or sealed. */
    private Segment activeFor(int frameBytes) throws IOException {
        if (active != null
                && (active.sealed || (active.size() > 0 && active.size() + frameBytes > settings.segmentBytes()))) {
            active.sealed = true;
            active = null;
        }
        if (active == null) {
            active = Segment.create(directory, nextSegmentId++, nextSeq);
            segments.put(active.id, active);
            directoryDirty = true;
        }
        return active;
    }

    private void evictFor(long frameBytes) {
        long lost = 0;
        while (totalBytes + frameBytes > settings.maxBytes() && segments.size() > 1) {
            Segment oldest = segments.pollFirstEntry().getValue(); // never the active one: it is the newest
            lost += Math.max(0, oldest.endSeq() - Math.max(readSeq, oldest.firstSeq));
            readSeq = Math.max(readSeq, oldest.endSeq());
            ackSeq = Math.max(ackSeq, oldest.endSeq());
            delete(oldest);
        }
        if (lost > 0) {
            losses.lost(Loss.FULL, lost);
        }
    }

    /**
     * Up to {@code max} records after the last one read, oldest first; empty when every record was read. Records that
     * turn out to be damaged or unreadable are skipped and reported to {@link Losses}.
     */
    public List<byte[]> read(int max) {
        lock.lock();
        try {
            ensureOpen();
            var out = new ArrayList<byte[]>((int) Math.min(max, nextSeq - readSeq));
            while (out.size() < max) {
                Segment segment = readSegment();
                if (segment == null) {
                    break;
                }
                int before = out.size();
                try {
                    readOffset = segment.read(readOffset, max - out.size(), out);
                    readSeq += out.size() - before;
                } catch (CorruptSegmentException e) {
                    skipDamaged(segment);
                } catch (IOException e) {
                    loseRest(segment, readSeq + out.size() - before, e);
                }
                if (readOffset >= segment.size() && readSeq < segment.endSeq()) {
                    // Read to its end: records a damaged stretch held beyond the one counted are lost too.
                    losses.lost(Loss.CORRUPT, segment.endSeq() - readSeq);
                    readSeq = segment.endSeq();
                }
            }
            return out;
        } finally {
            updateGauges();
            lock.unlock();
        }
    }

    /** The segment holding the next unread record, moving the read position to it; null when all was read. */
    private Segment readSegment() {
        if (readSeq >= nextSeq) {
            return null;
        }
        Segment segment = segments.get(readId);
        while (segment == null || readSeq >= segment.endSeq()) {
            var next = segment == null ? segments.ceilingEntry(readId) : segments.higherEntry(readId);
            if (next == null) {
                return null;
            }
            segment = next.getValue();
            readId = segment.id;
            readOffset = 0;
            readSeq = Math.max(readSeq, segment.firstSeq);
        }
        return segment;
    }

    /** A record failed its checksum when read back: it alone is lost, reading resumes at the next valid record. */
    private void skipDamaged(Segment segment) {
        long next;
        try {
            next = segment.nextValidAfter(readOffset, settings.maxPayloadBytes());
        } catch (IOException e) {
            loseRest(segment, readSeq, e);
            return;
        }
        log.error(
                "heartbeat journal {}: the record at offset {} fails its checksum; {}",
                segment.path,
                readOffset,
                next < 0 ? "no valid record follows it in the segment" : "resuming at offset " + next);
        losses.lost(Loss.CORRUPT, 1);
        readSeq = Math.min(readSeq + 1, segment.endSeq());
        readOffset = next < 0 ? segment.size() : next;
    }

    private void loseRest(Segment segment, long fromSeq, IOException e) {
        long lost = segment.endSeq() - fromSeq;
        boolean corrupt = e instanceof CorruptSegmentException;
        log.error(
                "heartbeat journal {}: {}; skipping its {} remaining heartbeats",
                segment.path,
                corrupt ? e.getMessage() : "cannot read it: " + e,
                lost);
        losses.lost(corrupt ? Loss.CORRUPT : Loss.UNREADABLE, lost);
        readSeq = segment.endSeq();
        readOffset = segment.size();
        segment.sealed = true;
    }

    /** Forgets every record read so far, deleting the segments read to their end. */
    public void acknowledge() {
        lock.lock();
        try {
            ensureOpen();
            ackSeq = Math.max(ackSeq, readSeq);
            while (!segments.isEmpty() && segments.firstEntry().getValue().endSeq() <= ackSeq) {
                Segment done = segments.pollFirstEntry().getValue();
                if (done == active) {
                    active = null;
                }
                delete(done);
            }
        } finally {
            updateGauges();
            lock.unlock();
        }
    }

    private void delete(Segment segment) {
        totalBytes -= segment.size();
        try {
            segment.delete();
        } catch (IOException e) {
            // Left behind, it is read again at the next open: duplicates, which consumers ignore.
            log.warn("cannot delete heartbeat journal segment {}: {}", segment.path, e.toString());
        }
    }

    /** Takes the segments written since the last sync pass, and whether a new one was created; null once closed. */
    Syncer.Work takeUnsynced() {
        lock.lock();
        try {
            if (closed) {
                return null;
            }
            var dirty = new ArrayList<Segment>();
            for (Segment segment : segments.values()) {
                if (segment.dirty) {
                    segment.dirty = false;
                    dirty.add(segment);
                }
            }
            boolean directory = directoryDirty;
            directoryDirty = false;
            return new Syncer.Work(dirty, directory);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Marks again what a sync pass failed to force, for the next pass; returns whether any of it still matters (a
     * segment deleted meanwhile needs no sync).
     */
    boolean markUnsynced(List<Segment> failed, boolean directory) {
        lock.lock();
        try {
            boolean live = false;
            for (Segment segment : failed) {
                if (segments.get(segment.id) == segment) {
                    segment.dirty = true;
                    live = true;
                }
            }
            directoryDirty |= directory;
            return !closed && (live || directory);
        } finally {
            lock.unlock();
        }
    }

    /** Stops the sync thread, forces and closes every segment, and releases the directory. Idempotent. */
    @Override
    public void close() throws IOException {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
        } finally {
            lock.unlock();
        }
        syncer.stop();
        lock.lock();
        try {
            IOException failure = null;
            for (Segment segment : segments.values()) {
                try {
                    segment.sync();
                } catch (IOException e) {
                    failure = failure == null ? e : failure;
                }
            }
            try {
                Syncer.syncDirectory(directory);
            } catch (IOException e) {
                failure = failure == null ? e : failure;
            }
            closeFiles();
            fileLock.close();
            if (failure != null) {
                throw failure;
            }
        } finally {
            lock.unlock();
        }
    }

    private void closeFiles() {
        for (Segment segment : segments.values()) {
            try {
                segment.close();
            } catch (IOException e) {
                log.warn("cannot close heartbeat journal segment {}: {}", segment.path, e.toString());
            }
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("heartbeat journal in " + directory + " is closed");
        }
    }

    private void updateGauges() {
        bytes = totalBytes;
        pending = nextSeq - ackSeq;
    }

    public Path directory() {
        return directory;
    }

    /** Bytes of all segments on disk. */
    public long sizeBytes() {
        return bytes;
    }

    /** Records appended or recovered and not acknowledged (read or not). */
    public long pendingRecords() {
        return pending;
    }

    /** Whether records were written since the last sync pass (for tests of the sync thread). */
    boolean hasUnsynced() {
        lock.lock();
        try {
            return directoryDirty || segments.values().stream().anyMatch(s -> s.dirty);
        } finally {
            lock.unlock();
        }
    }

    /** Records not read yet. */
    public long unreadRecords() {
        lock.lock();
        try {
            return nextSeq - readSeq;
        } finally {
            lock.unlock();
        }
    }

    /** The sequence number of the next record {@link #read} returns (or the next append gets, when all was read). */
    public long readPosition() {
        lock.lock();
        try {
            return readSeq;
        } finally {
            lock.unlock();
        }
    }

    /** The sequence number of the oldest record not acknowledged: records before it are forgotten or lost. */
    public long acknowledgedPosition() {
        lock.lock();
        try {
            return ackSeq;
        } finally {
            lock.unlock();
        }
    }
}
