package dev.vantage.heartbeat;

import dev.vantage.Fatal;
import dev.vantage.heartbeat.HeartbeatMeters.DropReason;
import dev.vantage.heartbeat.journal.JournalSettings;
import dev.vantage.loop.Backoff;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.StampedLock;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Persists heartbeats in batches from a bounded buffer, on one writer thread.
 *
 * <p>{@link #offer} never blocks: probes run on virtual threads and must not wait for the database. It encodes the
 * heartbeat on the caller's thread and queues it in a {@link HeartbeatBuffer}. The writer thread takes up to
 * {@code batchSize} heartbeats (waiting at most {@code linger} for a batch to fill) and writes each batch
 * in one transaction (see {@link HeartbeatInserter}), so a retry never duplicates a slot. While the database is away
 * it keeps the batch and retries it, in order, with capped exponential backoff, and the buffer keeps filling; past
 * its capacity new heartbeats are dropped. A row the database refuses for a data reason is isolated by splitting the
 * batch, logged and dropped, and the rest is written. A row for a day without a partition creates the partition.
 * Every loss is counted in {@value HeartbeatMeters#DROPPED} with its reason and logged (rate-limited): nothing is
 * dropped silently.
 *
 * <p>A full memory buffer refuses the newest heartbeat (see {@link MemoryHeartbeatBuffer} for why). With {@link
 * HeartbeatWriterSettings#journalDir()} set, a {@link JournalingHeartbeatBuffer} keeps heartbeats on disk instead
 * while the database is away and across restarts; any other buffer can be given to {@link #start(DataSource,
 * HeartbeatWriterSettings, HeartbeatBuffer, MeterRegistry, Clock)}.
 *
 * <p>The MDC of the thread that creates the writer (the agent's identity) is carried onto the writer thread.
 */
public final class HeartbeatWriter implements HeartbeatSink, AutoCloseable {
    /** The api_heartbeats columns of a {@link HeartbeatRow#line()}, in tuple order: what a COPY of rows names. */
    public static final String COLUMNS = HeartbeatCopyFormat.COLUMNS;

    private static final Logger log = LoggerFactory.getLogger(HeartbeatWriter.class);

    /**
     * The order rows are written in: by the slot key, whose leading monitor_id also leads the (monitor_id,
     * executed_at) index. Rows offered by many probes arrive in completion order; COPYing a batch in key order puts
     * each row's index entries next to the previous row's, which cost PostgreSQL ~10% less CPU per row than
     * completion order in WriterBench (median 16 against 18 µs; BENCHMARKS.md, "Side by side with psql"). Stable: of
     * two rows for one slot the first offered stays first, and wins.
     */
    static final Comparator<HeartbeatRow> KEY_ORDER = Comparator.comparingLong(HeartbeatRow::monitorId)
            .thenComparingInt(HeartbeatRow::datacenterId)
            .thenComparing(HeartbeatRow::scheduledAt);

    private static final Duration IDLE_WAIT = Duration.ofMillis(50);
    private static final Duration LOG_WINDOW = Duration.ofSeconds(10);
    private static final Duration STOP_GRACE = Duration.ofSeconds(2);

    private final HeartbeatWriterSettings settings;
    private final HeartbeatBuffer buffer;
    private final HeartbeatMeters meters;
    private final BatchPersister persister;
    private final Map<String, String> mdc;
    private final LogThrottle queueFullLog;
    private final LogThrottle closedLog;
    private final LogThrottle rejectedLog;

    /** Offers hold it shared; stop takes it exclusively, so no offer is half-way when the final count is made. */
    private final StampedLock gate = new StampedLock();

    private final ReentrantLock stateLock = new ReentrantLock();
    private final Condition stopRequested = stateLock.newCondition();
    private volatile boolean accepting = true;
    private volatile boolean stopping;
    private volatile long deadlineNanos;
    private final Thread thread;
    private boolean shutdownReported; // guarded by stateLock
    private long lostAtShutdown; // guarded by stateLock

    /**
     * A writer started over the in-memory buffer, or over memory and the disk journal in {@link
     * HeartbeatWriterSettings#journalDir()} when it is set; the journal is opened (and locked) here, and what an
     * earlier process left in it is written first.
     *
     * @throws dev.vantage.config.ConfigurationException when the journal directory is in use by another process, or
     *     cannot be created or read
     */
    public static HeartbeatWriter start(
            DataSource dataSource, HeartbeatWriterSettings settings, MeterRegistry registry) {
        Clock clock = Clock.systemUTC();
        HeartbeatBuffer buffer = settings.journalDir() == null
                ? new MemoryHeartbeatBuffer(settings.queueCapacity(), settings.queueMaxBytes())
                : JournalingHeartbeatBuffer.open(
                        settings.journalDir(),
                        JournalSettings.bounded(settings.journalMaxBytes()),
                        settings.queueCapacity(),
                        settings.queueMaxBytes(),
                        registry,
                        clock);
        return start(dataSource, settings, buffer, registry, clock);
    }

    /** A writer over any buffer, started. */
    public static HeartbeatWriter start(
            DataSource dataSource,
            HeartbeatWriterSettings settings,
            HeartbeatBuffer buffer,
            MeterRegistry registry,
            Clock clock) {
        var writer = new HeartbeatWriter(dataSource, settings, buffer, registry, clock);
        writer.thread.start();
        return writer;
    }

    private HeartbeatWriter(
            DataSource dataSource,
            HeartbeatWriterSettings settings,
            HeartbeatBuffer buffer,
            MeterRegistry registry,
            Clock clock) {
        this.settings = settings;
        this.buffer = buffer;
        this.meters = new HeartbeatMeters(registry);
        HeartbeatMeters.gaugeQueue(registry, buffer);
        Map<String, String> context = MDC.getCopyOfContextMap();
        this.mdc = context == null ? Map.of() : Map.copyOf(context);
        this.queueFullLog = new LogThrottle(clock, LOG_WINDOW, 1);
        this.closedLog = new LogThrottle(clock, LOG_WINDOW, 1);
        this.rejectedLog = new LogThrottle(clock, LOG_WINDOW, 20);
        this.persister = new BatchPersister(
                new HeartbeatInserter(dataSource, settings.networkTimeout()),
                meters,
                new Backoff(settings.backoffMin(), settings.backoffMax(), new SplittableRandom()),
                settings.copyDirect(),
                buffer::size,
                rejectedLog,
                new LogThrottle(clock, LOG_WINDOW, 1),
                new LogThrottle(clock, LOG_WINDOW, 1));
        this.thread = Fatal.platformThread("heartbeat-writer", this::run);
    }

    /** Encodes the heartbeat on the caller's thread (a few microseconds) and queues it; never blocks. */
    @Override
    public boolean offer(Heartbeat heartbeat) {
        HeartbeatRow row;
        try {
            row = HeartbeatRow.of(heartbeat);
        } catch (RuntimeException e) {
            persister.reject(heartbeat.monitorId(), heartbeat.datacenterId(), heartbeat.scheduledAt(), e.toString());
            return false;
        }
        return offer(row);
    }

    /**
     * Queues a row encoded by the caller; never blocks. Its {@link Receipt} is told once it is written or journaled
     * (or rejected, or lost at shutdown). False when it was refused: the writer is stopped or memory is full (counted
     * as dropped); the receipt is then never told.
     */
    public boolean offer(HeartbeatRow row) {
        long stamp = gate.tryReadLock();
        if (stamp == 0) {
            dropClosed();
            return false;
        }
        try {
            if (!accepting) {
                dropClosed();
                return false;
            }
            if (buffer.offer(row)) {
                return true;
            }
        } finally {
            gate.unlockRead(stamp);
        }
        meters.dropped(DropReason.QUEUE_FULL, 1);
        long suppressed = queueFullLog.event();
        if (suppressed >= 0) {
            log.warn(
                    "heartbeat queue full ({} heartbeats or {} MiB), dropped {} heartbeats since the last report;"
                            + " the database is slow or unreachable",
                    buffer.capacity(),
                    settings.queueMaxBytes() >> 20,
                    suppressed + 1);
        }
        return false;
    }

    /**
     * Asks the buffer to make what is pending durable now instead of waiting for the database: a journaling buffer
     * journals the batch being written and the queue, and journals every later heartbeat until it has caught up (as
     * when the database fails); the memory buffer cannot, and does nothing. For a caller that waits for its receipts
     * and finds the database too slow.
     */
    public void spill() {
        buffer.databaseUnavailable();
    }

    /**
     * Whether a heartbeat offered now could be dropped after it was journaled (the journal is near its bound): a
     * caller that answers its sender once a heartbeat is safe refuses it instead.
     */
    public boolean nearlyFull() {
        return buffer.nearlyFull();
    }

    /**
     * Stops accepting, writes what is queued until the deadline, and reports (log and {@value HeartbeatMeters#DROPPED}
     * {@code reason=shutdown}) what could not be written. Returns true when nothing was lost. Idempotent.
     */
    public boolean stop(Duration deadline) {
        long stamp = gate.writeLock();
        accepting = false;
        gate.unlockWrite(stamp);
        stateLock.lock();
        try {
            if (!stopping) {
                deadlineNanos = System.nanoTime() + deadline.toNanos();
                stopping = true;
                stopRequested.signalAll();
            }
        } finally {
            stateLock.unlock();
        }
        long waitNanos = Math.max(0, deadlineNanos - System.nanoTime()) + STOP_GRACE.toNanos();
        try {
            thread.join(Duration.ofNanos(waitNanos));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            log.error(
                    "heartbeat writer thread is still in a database call {} after the shutdown deadline;"
                            + " counting its heartbeats as lost although that call may still succeed",
                    STOP_GRACE);
        }
        return reportShutdown() == 0;
    }

    /** {@link #stop(Duration)} with the configured shutdown deadline. */
    @Override
    public void close() {
        stop(settings.shutdownDeadline());
    }

    private void run() {
        MDC.setContextMap(mdc);
        try {
            while (true) {
                boolean draining = stopping;
                if (draining && System.nanoTime() - deadlineNanos >= 0) {
                    break;
                }
                List<HeartbeatRow> batch =
                        buffer.take(settings.batchSize(), draining ? Duration.ZERO : settings.linger(), IDLE_WAIT);
                if (batch.isEmpty()) {
                    if (draining) {
                        break;
                    }
                    reportSuppressedDrops();
                    continue;
                }
                var inKeyOrder = new ArrayList<>(batch);
                inKeyOrder.sort(KEY_ORDER);
                if (!persister.persist(inKeyOrder, this::pause)) {
                    break; // the shutdown deadline passed
                }
                buffer.acknowledge(batch);
                for (HeartbeatRow row : batch) {
                    row.receipt().settled(Receipt.Outcome.WRITTEN); // a rejected row keeps its first outcome
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally { // whatever else escapes stops the process (Fatal)
            if (stopping) {
                reportShutdown();
            }
        }
    }

    /**
     * Waits before a retry. Before stop, a stop request cuts the wait short (retry at once, under the deadline);
     * after it, the wait ends at the deadline. Returns false when the deadline has passed.
     *
     * <p>The persister pauses only after an attempt failed because the database could not be used, so this is where
     * the buffer learns of it (a journal starts spilling), without the persister knowing the buffer.
     */
    private boolean pause(long nanos) throws InterruptedException {
        buffer.databaseUnavailable();
        stateLock.lock();
        try {
            if (!stopping) {
                stopRequested.awaitNanos(nanos);
                return true;
            }
        } finally {
            stateLock.unlock();
        }
        long left = deadlineNanos - System.nanoTime();
        if (left <= 0) {
            return false;
        }
        stateLock.lock();
        try {
            long wait = Math.min(nanos, left);
            while (wait > 0) {
                wait = stopRequested.awaitNanos(wait); // nothing signals it any more: a bounded wait
            }
        } finally {
            stateLock.unlock();
        }
        return deadlineNanos - System.nanoTime() > 0;
    }

    private void dropClosed() {
        meters.dropped(DropReason.SHUTDOWN, 1);
        long suppressed = closedLog.event();
        if (suppressed >= 0) {
            log.warn("heartbeat writer is stopped, dropped {} heartbeats offered since", suppressed + 1);
        }
    }

    private void reportSuppressedDrops() {
        long queueFull = queueFullLog.due();
        if (queueFull > 0) {
            log.warn(
                    "heartbeat queue full ({} heartbeats), dropped {} heartbeats since the last report",
                    buffer.capacity(),
                    queueFull);
        }
        long rejected = rejectedLog.due();
        if (rejected > 0) {
            log.error("{} more heartbeats rejected by the database and dropped, not logged one by one", rejected);
        }
    }

    /** Counts and logs, once, what the buffer loses at shutdown; returns that count. */
    private long reportShutdown() {
        stateLock.lock();
        try {
            if (shutdownReported) {
                return lostAtShutdown;
            }
            shutdownReported = true;
            reportSuppressedDrops();
            long queueFull = queueFullLog.drain();
            if (queueFull > 0) {
                log.warn("dropped {} more heartbeats on a full queue before stopping", queueFull);
            }
            lostAtShutdown = buffer.close();
            if (lostAtShutdown > 0) {
                meters.dropped(DropReason.SHUTDOWN, lostAtShutdown);
                log.error("heartbeat writer stopped with {} heartbeats not written", lostAtShutdown);
            } else {
                log.info("heartbeat writer stopped, no queued heartbeat lost");
            }
            return lostAtShutdown;
        } finally {
            stateLock.unlock();
        }
    }
}
