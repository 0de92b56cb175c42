package dev.vantage.heartbeat;

import dev.vantage.heartbeat.HeartbeatMeters.DropReason;
import dev.vantage.heartbeat.journal.Journal;
import dev.vantage.heartbeat.journal.JournalSettings;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Memory first, then a disk {@link Journal}: heartbeats wait in a bounded in-memory queue while the database keeps
 * up, and are journaled while it does not, so neither an outage nor a restart loses them (within the journal's
 * bound, past which its oldest are dropped and counted).
 *
 * <p><b>Modes.</b> In memory, offers go to the queue and nothing touches the disk. Spilling starts when the queue is
 * full or the writer reports the database unavailable ({@link #databaseUnavailable()}): the batch the writer holds,
 * then the queue, are appended to the journal, oldest first, and from then on every offer is appended. {@link #take}
 * reads the journal before memory, so order is kept across the switches. Spilling ends when the journal has been read
 * and acknowledged to its end; offers then go to memory again.
 *
 * <p><b>The batch in flight.</b> It is journaled when spilling starts while the writer keeps retrying it, as already
 * taken (see {@link Journal#appendTaken}): the journal does not hand it out again, and forgets it when the writer
 * acknowledges it. If the process stops first, the copy is replayed at the next start: a slot may be written twice,
 * which the slot key makes harmless.
 *
 * <p><b>Disk errors.</b> An append that fails (disk full, I/O error) is logged with the directory and the reason, the
 * heartbeat stays in memory, and the journal is tried again a second later; while memory is full too, offers are
 * refused, which the writer counts as {@code queue_full}. Neither probes nor the writer see the exception.
 *
 * <p><b>Shutdown and restart.</b> {@link #close()} journals what is still in memory and the unacknowledged batch,
 * forces the journal and returns 0: an agent started on the same directory replays them first, as does one started
 * after this process was killed. A kill loses only the heartbeats in memory that were not journaled yet (with a
 * healthy database, the last moments of heartbeats); a machine crash also loses the journal's last sync interval.
 *
 * <p><b>Receipts.</b> A row's {@link Receipt} is told {@link Receipt.Outcome#JOURNALED} as soon as its append returned
 * (the record is in the operating system's page cache), and {@link Receipt.Outcome#LOST} when it could be neither
 * written nor journaled at shutdown.
 */
public final class JournalingHeartbeatBuffer implements HeartbeatBuffer {
    private static final Logger log = LoggerFactory.getLogger(JournalingHeartbeatBuffer.class);
    private static final Duration LOG_WINDOW = Duration.ofSeconds(10);
    private static final Duration JOURNAL_RETRY = Duration.ofSeconds(1);

    private final Journal journal;
    private final JournalLosses losses;
    private final HeartbeatMeters meters;
    private final int capacity;
    private final long memoryMaxBytes;
    private final long maxBytes;
    private final Clock clock;
    private final LogThrottle errorLog;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notEmpty = lock.newCondition();
    private final ArrayDeque<HeartbeatRow> memory = new ArrayDeque<>();
    /** Encoded bytes of the rows in {@link #memory}; guarded by lock. */
    private long memoryBytes;

    // All guarded by lock.
    private boolean spilling;
    /** Taken by the writer and not acknowledged: read from the journal, or taken from memory. */
    private List<HeartbeatRow> inFlight = List.of();
    /** How many rows of the batch in flight, from the first, are in the journal: all for a batch read from it. */
    private int inFlightJournaled;
    /** The journal position of the first of them. */
    private long inFlightFirstSeq;

    private boolean journalFailing;
    private long journalRetryAtMillis;
    private boolean closed;

    private JournalingHeartbeatBuffer(
            Journal journal,
            JournalLosses losses,
            HeartbeatMeters meters,
            int capacity,
            long memoryMaxBytes,
            long maxBytes,
            Clock clock) {
        this.journal = journal;
        this.losses = losses;
        this.meters = meters;
        this.capacity = capacity;
        this.memoryMaxBytes = memoryMaxBytes;
        this.maxBytes = maxBytes;
        this.clock = clock;
        this.errorLog = new LogThrottle(clock, LOG_WINDOW, 1);
        long recovered = journal.pendingRecords();
        if (recovered > 0) {
            spilling = true;
            log.info("Replaying {} heartbeats from the journal in {}", recovered, journal.directory());
        }
    }

    /**
     * Opens (and locks) the journal in {@code directory}, recovering what an earlier process left there.
     *
     * @param capacity heartbeats held in memory before spilling
     * @param memoryMaxBytes bytes of encoded heartbeats held in memory before spilling
     * @throws dev.vantage.config.ConfigurationException when another process uses the directory, or it cannot be
     *     created or read
     */
    public static JournalingHeartbeatBuffer open(
            Path directory,
            JournalSettings settings,
            int capacity,
            long memoryMaxBytes,
            MeterRegistry registry,
            Clock clock) {
        var meters = new HeartbeatMeters(registry);
        var losses = new JournalLosses(meters, directory, settings.maxBytes(), clock, LOG_WINDOW);
        var buffer = new JournalingHeartbeatBuffer(
                Journal.open(directory, settings, losses),
                losses,
                meters,
                capacity,
                memoryMaxBytes,
                settings.maxBytes(),
                clock);
        HeartbeatMeters.gaugeJournal(registry, buffer);
        return buffer;
    }

    @Override
    public boolean offer(HeartbeatRow row) {
        lock.lock();
        try {
            if (closed) {
                return false;
            }
            if (!spilling) {
                if (memoryHasRoom(row)) {
                    return toMemory(row);
                }
                startSpilling("the memory queue is full (" + capacity + " heartbeats or " + memoryMaxBytes + " bytes)");
            }
            if (journalUsable() && flush() && append(row)) {
                notEmpty.signal();
                return true;
            }
            return memoryHasRoom(row) && toMemory(row);
        } finally {
            lock.unlock();
        }
    }

    private HeartbeatRow fromMemoryHead() {
        HeartbeatRow row = memory.removeFirst();
        memoryBytes -= row.line().length;
        return row;
    }

    private boolean memoryHasRoom(HeartbeatRow row) {
        return memory.size() < capacity && memoryBytes + row.line().length <= memoryMaxBytes;
    }

    private boolean toMemory(HeartbeatRow row) {
        memory.addLast(row);
        memoryBytes += row.line().length;
        notEmpty.signal();
        return true;
    }

    /** Starts spilling and journals what is pending, so an outage that lasts past this process loses nothing. */
    @Override
    public void databaseUnavailable() {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            if (!spilling) {
                startSpilling("the database is unavailable");
            }
            if (journalUsable()) {
                flush();
            }
        } finally {
            lock.unlock();
        }
    }

    private void startSpilling(String why) {
        spilling = true;
        log.info("journaling heartbeats in {}: {}", journal.directory(), why);
    }

    @Override
    public List<HeartbeatRow> take(int max, Duration linger, Duration idleWait) throws InterruptedException {
        long idleEnd = System.nanoTime() + idleWait.toNanos();
        lock.lockInterruptibly();
        try {
            while (!closed) {
                if (journal.unreadRecords() > 0) {
                    List<HeartbeatRow> batch = fromJournal(max);
                    if (!batch.isEmpty()) {
                        return batch;
                    }
                    continue;
                }
                if (!memory.isEmpty()) {
                    return fromMemory(max, linger);
                }
                if (spilling && journal.pendingRecords() == 0) {
                    spilling = false;
                    log.info(
                            "heartbeat journal in {} replayed; heartbeats are kept in memory again",
                            journal.directory());
                }
                long left = idleEnd - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                notEmpty.awaitNanos(left);
            }
            return List.of();
        } finally {
            lock.unlock();
        }
    }

    private List<HeartbeatRow> fromJournal(int max) {
        long first = journal.readPosition();
        List<byte[]> payloads = journal.read(max);
        var batch = new ArrayList<HeartbeatRow>(payloads.size());
        IllegalArgumentException undecodable = null;
        for (byte[] payload : payloads) {
            try {
                batch.add(JournalRecordCodec.decode(payload));
            } catch (IllegalArgumentException e) {
                undecodable = e;
            }
        }
        int lost = payloads.size() - batch.size();
        if (lost > 0) {
            meters.dropped(DropReason.JOURNAL_CORRUPT, lost);
            log.error(
                    "heartbeat journal in {}: dropped {} heartbeats that cannot be read back: {}",
                    journal.directory(),
                    lost,
                    undecodable.getMessage());
        }
        if (batch.isEmpty()) {
            journal.acknowledge();
            return batch;
        }
        setInFlight(Collections.unmodifiableList(batch));
        inFlightJournaled = batch.size();
        inFlightFirstSeq = first;
        return inFlight;
    }

    private List<HeartbeatRow> fromMemory(int max, Duration linger) throws InterruptedException {
        var batch = new ArrayList<HeartbeatRow>(Math.min(max, memory.size()));
        // In flight from the first row on: spilling may start while this waits, and must journal it.
        setInFlight(batch);
        drain(batch, max);
        long lingerEnd = System.nanoTime() + linger.toNanos();
        while (batch.size() < max && !spilling) {
            long left = lingerEnd - System.nanoTime();
            if (left <= 0) {
                break;
            }
            notEmpty.awaitNanos(left);
            if (spilling || closed) {
                break; // newer rows are journaled now, after this batch: it must not grow
            }
            drain(batch, max);
        }
        return Collections.unmodifiableList(batch);
    }

    private void drain(List<HeartbeatRow> batch, int max) {
        while (batch.size() < max && !memory.isEmpty()) {
            batch.add(fromMemoryHead());
        }
    }

    @Override
    public void acknowledge(List<HeartbeatRow> batch) {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            if (inFlightJournaled > 0) {
                journal.acknowledge(); // forgets the rows read or journaled as taken, up to this batch's last
            }
            setInFlight(List.of());
        } finally {
            lock.unlock();
        }
    }

    private void setInFlight(List<HeartbeatRow> batch) {
        inFlight = batch;
        inFlightJournaled = 0;
    }

    /**
     * Appends, oldest first, what must precede any new row in the journal: the rest of a batch in flight from memory,
     * then the memory queue. True when nothing is left.
     */
    private boolean flush() {
        try {
            while (inFlightJournaled < inFlight.size()) {
                // As taken: the writer holds it, so the journal neither returns it nor counts it lost meanwhile.
                HeartbeatRow row = inFlight.get(inFlightJournaled);
                long seq = journal.appendTaken(JournalRecordCodec.encode(row));
                if (inFlightJournaled++ == 0) {
                    inFlightFirstSeq = seq;
                }
                row.receipt().settled(Receipt.Outcome.JOURNALED);
            }
            while (!memory.isEmpty()) {
                journal.append(JournalRecordCodec.encode(memory.peekFirst()));
                fromMemoryHead().receipt().settled(Receipt.Outcome.JOURNALED);
            }
            journalWorks();
            return true;
        } catch (IOException e) {
            journalFailed(e);
            return false;
        }
    }

    private boolean append(HeartbeatRow row) {
        try {
            journal.append(JournalRecordCodec.encode(row));
            row.receipt().settled(Receipt.Outcome.JOURNALED);
            journalWorks();
            return true;
        } catch (IOException e) {
            journalFailed(e);
            return false;
        }
    }

    private boolean journalUsable() {
        return !journalFailing || clock.millis() >= journalRetryAtMillis;
    }

    private void journalWorks() {
        if (journalFailing) {
            journalFailing = false;
            log.info("heartbeat journal in {} is writable again", journal.directory());
        }
    }

    private void journalFailed(IOException e) {
        journalFailing = true;
        journalRetryAtMillis = clock.millis() + JOURNAL_RETRY.toMillis();
        if (errorLog.event() >= 0) {
            log.error(
                    "cannot write the heartbeat journal in {}: {}; keeping heartbeats in memory ({} of {}),"
                            + " trying the journal again every {} s",
                    journal.directory(),
                    e.toString(),
                    memory.size(),
                    capacity,
                    JOURNAL_RETRY.toSeconds());
        }
    }

    /**
     * Journals what memory holds and the unacknowledged batch, closes the journal, and returns how many of them could
     * not be journaled (lost). The next process on the directory replays the journal.
     */
    @Override
    public long close() {
        lock.lock();
        try {
            if (closed) {
                return 0;
            }
            closed = true;
            notEmpty.signalAll();
            if (inFlightJournaled > 0 && journal.acknowledgedPosition() > inFlightFirstSeq) {
                // The bound deleted it while the writer held it: journal it again, after newer rows.
                inFlightJournaled = 0;
            }
            long unjournaled = memory.size() + inFlight.size() - inFlightJournaled;
            long lost = flush() ? 0 : memory.size() + inFlight.size() - inFlightJournaled;
            if (lost > 0) {
                memory.forEach(row -> row.receipt().settled(Receipt.Outcome.LOST));
                inFlight.subList(inFlightJournaled, inFlight.size())
                        .forEach(row -> row.receipt().settled(Receipt.Outcome.LOST));
            }
            long kept = journal.pendingRecords();
            memory.clear();
            memoryBytes = 0;
            setInFlight(List.of());
            losses.flushReport();
            closeJournal();
            if (lost > 0) {
                log.error("cannot journal {} heartbeats in {} at shutdown", lost, journal.directory());
            }
            if (kept > 0) {
                log.info(
                        "{} heartbeats kept in the journal in {} ({} journaled at shutdown), written at the next start",
                        kept,
                        journal.directory(),
                        unjournaled - lost);
            }
            return lost;
        } finally {
            lock.unlock();
        }
    }

    private void closeJournal() {
        try {
            journal.close();
        } catch (IOException e) {
            log.error(
                    "cannot force the heartbeat journal in {} to disk at shutdown: {}; its heartbeats survive this"
                            + " process but maybe not a machine crash",
                    journal.directory(),
                    e.toString());
        }
    }

    /** Heartbeats in memory and unread in the journal. */
    @Override
    public int size() {
        lock.lock();
        try {
            long unread = closed ? 0 : journal.unreadRecords();
            return (int) Math.min(Integer.MAX_VALUE, memory.size() + unread);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Whether the journal has used 90% of its bound: past the bound it would delete its oldest heartbeats, so a caller
     * that promised its senders that a heartbeat is safe once journaled stops taking new ones here.
     */
    @Override
    public boolean nearlyFull() {
        return journal.sizeBytes() >= maxBytes / 10 * 9;
    }

    /** Heartbeats memory holds before spilling; the journal's bound is in bytes. */
    @Override
    public int capacity() {
        return capacity;
    }

    public Path directory() {
        return journal.directory();
    }

    double journalBytes() {
        return journal.sizeBytes();
    }

    double journalRecords() {
        return journal.pendingRecords();
    }
}
