package dev.vantage.heartbeat;

import dev.vantage.heartbeat.HeartbeatMeters.DropReason;
import dev.vantage.loop.Backoff;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The writer's policy for one batch: write it in as few transactions as possible, retry while the database is away,
 * create missing partitions, and isolate rows the database refuses by splitting the batch, so one bad row never
 * blocks the others. Used by the writer thread only.
 */
final class BatchPersister {
    private static final Logger log = LoggerFactory.getLogger(HeartbeatWriter.class);

    /** Waits before a retry; false when the writer must give up (its shutdown deadline passed). */
    interface Pause {
        boolean pause(long nanos) throws InterruptedException;
    }

    private final HeartbeatInserter inserter;
    private final HeartbeatMeters meters;
    private final Backoff backoff;
    private final boolean copyDirect;
    private final IntSupplier queued;
    private final LogThrottle rejectedLog;
    private final LogThrottle unavailableLog;
    private final LogThrottle fencedLog;
    /** Set by a conflict: replays come in runs, so stay on the staging path until a batch meets no filled slot. */
    private boolean preferStaging;

    BatchPersister(
            HeartbeatInserter inserter,
            HeartbeatMeters meters,
            Backoff backoff,
            boolean copyDirect,
            IntSupplier queued,
            LogThrottle rejectedLog,
            LogThrottle unavailableLog,
            LogThrottle fencedLog) {
        this.inserter = inserter;
        this.meters = meters;
        this.backoff = backoff;
        this.copyDirect = copyDirect;
        this.queued = queued;
        this.rejectedLog = rejectedLog;
        this.unavailableLog = unavailableLog;
        this.fencedLog = fencedLog;
    }

    /**
     * Rows the fence refuses were probed by a replica that had lost the lease: worth a WARN (a split brain, a clock
     * or a lease setting to look at), throttled like the writer's other repeated lines.
     */
    private void logFenced(int fenced, HeartbeatInserter.Fenced first) {
        long suppressed = fencedLog.event();
        if (suppressed < 0 || first == null) {
            return;
        }
        log.warn(
                "{} heartbeats refused by the lease fence, e.g. monitor {} slot {} of datacenter {}: probed under lease"
                        + " epoch {}, but epoch {} held the datacenter at that slot ({} more batches with refusals"
                        + " since the last report)",
                fenced,
                first.monitorId(),
                first.slot(),
                first.datacenterId(),
                first.rowEpoch(),
                first.fencingEpoch(),
                suppressed);
    }

    /** Settles every row of the batch (written, found written, or rejected); false if {@code pause} gave up first. */
    boolean persist(List<HeartbeatRow> batch, Pause pause) throws InterruptedException {
        Deque<Chunk> work = new ArrayDeque<>();
        work.add(new Chunk(distinctSlots(batch), false, false));
        int failures = 0;
        while (!work.isEmpty()) {
            String unavailable = attempt(work);
            if (unavailable == null) {
                if (failures > 0) {
                    log.info("database reachable again after {} failed attempts", failures);
                    failures = 0;
                }
                continue;
            }
            failures++;
            meters.unavailableRetries.increment();
            long suppressed = unavailableLog.event();
            if (suppressed >= 0) {
                log.warn(
                        "cannot write heartbeats, keeping a batch of {} and {} queued, retrying (attempt {}): {}",
                        work.peekFirst().rows.size(),
                        queued.getAsInt(),
                        failures,
                        unavailable);
            }
            if (!pause.pause(backoff.delayNanos(failures))) {
                return false;
            }
        }
        return true;
    }

    /**
     * Tries the first chunk of the work: writes it, moves it to the staging path, splits it around refused rows, or
     * creates its partitions. Returns null when that made progress, else why the database cannot be used now.
     */
    private String attempt(Deque<Chunk> work) {
        Chunk chunk = work.peekFirst();
        if (chunk.rows.isEmpty()) {
            work.removeFirst();
            return null;
        }
        boolean staged = chunk.staged || preferStaging || !copyDirect;
        try {
            long start = System.nanoTime();
            int inserted;
            int fenced = 0;
            HeartbeatInserter.Fenced firstFenced = null;
            if (staged) {
                var result = inserter.insertStaged(chunk.rows);
                inserted = result.inserted();
                fenced = result.fenced();
                firstFenced = result.firstFenced();
            } else {
                inserted = inserter.insertDirect(chunk.rows);
            }
            meters.batchDuration.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
            meters.batches.increment();
            meters.written.increment(inserted);
            meters.fenced.increment(fenced);
            meters.duplicates.increment(chunk.rows.size() - inserted - fenced);
            if (fenced > 0) {
                logFenced(fenced, firstFenced);
            }
            if (staged && inserted + fenced == chunk.rows.size()) {
                preferStaging = false;
            }
            work.removeFirst();
            return null;
        } catch (SQLException e) {
            SqlFailure failure = SqlFailure.of(e);
            boolean stale = e instanceof HeartbeatInserter.StaleEpochException;
            if (!staged && (stale || "23505".equals(e.getSQLState()))) {
                // A slot is already filled (a replay, or a retry after a lost commit acknowledgement), or a row is
                // of an earlier lease epoch and must pass the fence.
                (stale ? meters.staleEpochRetries : meters.conflictRetries).increment();
                preferStaging = true;
                work.removeFirst();
                work.addFirst(new Chunk(chunk.rows, chunk.partitionsEnsured, true));
                return null;
            }
            if (failure == SqlFailure.MISSING_PARTITION && !chunk.partitionsEnsured) {
                meters.partitionRetries.increment();
                String error = ensurePartitions(chunk);
                if (error == null) {
                    work.removeFirst();
                    work.addFirst(new Chunk(chunk.rows, true, chunk.staged));
                }
                return error;
            }
            if (failure == SqlFailure.UNAVAILABLE) {
                return e.toString();
            }
            // DATA, or still no partition although its days were just created: a row is at fault.
            split(work, e);
            return null;
        } catch (RuntimeException e) {
            return e.toString();
        }
    }

    /** Replaces the failed first chunk by its halves, or rejects it when it is a single row. */
    private void split(Deque<Chunk> work, SQLException e) {
        Chunk chunk = work.removeFirst();
        if (chunk.rows.size() == 1) {
            HeartbeatRow row = chunk.rows.getFirst();
            reject(row.monitorId(), row.datacenterId(), row.scheduledAt(), e.getSQLState() + " " + e.getMessage());
            row.receipt().settled(Receipt.Outcome.REJECTED);
            return;
        }
        int half = chunk.rows.size() / 2;
        work.addFirst(new Chunk(chunk.rows.subList(half, chunk.rows.size()), chunk.partitionsEnsured, chunk.staged));
        work.addFirst(new Chunk(chunk.rows.subList(0, half), chunk.partitionsEnsured, chunk.staged));
    }

    /** Creates the partitions of the chunk's days; returns null, or why it could not. */
    private String ensurePartitions(Chunk chunk) {
        var days = new TreeSet<LocalDate>();
        for (HeartbeatRow row : chunk.rows) {
            days.add(row.day());
        }
        try {
            int created = inserter.ensurePartitions(days);
            meters.partitionsCreated.increment(created);
            log.info("no partition of api_heartbeats for a row; created {} partitions for the days {}", created, days);
            return null;
        } catch (SQLException | RuntimeException e) {
            return "cannot create partitions of api_heartbeats for " + days + ": " + e;
        }
    }

    /** The batch without a slot's second and later heartbeats: the first offered wins, as in the table. */
    private List<HeartbeatRow> distinctSlots(List<HeartbeatRow> batch) {
        var slots = new HashSet<HeartbeatRow.Slot>(batch.size() * 2);
        var rows = new ArrayList<HeartbeatRow>(batch.size());
        for (HeartbeatRow row : batch) {
            if (slots.add(row.slot())) {
                rows.add(row);
            } else {
                meters.duplicates.increment();
            }
        }
        return rows;
    }

    /** Counts and logs (throttled) a heartbeat that will never be written because of its data. Thread-safe. */
    void reject(long monitorId, int datacenterId, Instant slot, String reason) {
        meters.dropped(DropReason.REJECTED, 1);
        long suppressed = rejectedLog.event();
        if (suppressed > 0) {
            log.error("{} more heartbeats rejected by the database and dropped, not logged one by one", suppressed);
        }
        if (suppressed >= 0) {
            log.error(
                    "heartbeat rejected and dropped: monitor {} datacenter {} slot {}: {}",
                    monitorId,
                    datacenterId,
                    slot,
                    reason);
        }
    }

    /** @param staged whether to write it through the staging table (it met a filled slot) */
    private record Chunk(List<HeartbeatRow> rows, boolean partitionsEnsured, boolean staged) {}
}
