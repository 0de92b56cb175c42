package dev.vantage.monitor;

import dev.vantage.db.Database;
import dev.vantage.monitor.HeartbeatCursor.Batch;
import dev.vantage.testing.TestDatabase;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Writers that commit out of id order, and two readers of what they commit: the commit cursor (load, read, save in
 * one transaction, as the monitor module does) and a naive cursor on {@code id > last}. Each writer loops: open a
 * transaction, write 1 to 3 heartbeats by INSERT or COPY, wait 0 to 50 ms, then commit, or roll back one time in
 * five. A row inserted early can so commit after a row inserted later, which the naive cursor has already passed.
 */
final class OutOfOrderWorkload implements AutoCloseable {
    private static final int BATCH = 200;

    private final TestDatabase db;
    private final HeartbeatCursor cursor = new HeartbeatCursor();
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final List<Future<?>> writers = new ArrayList<>();
    private final List<Future<?>> readers = new ArrayList<>();
    private volatile boolean writing = true;
    private volatile boolean reading = true;

    /** Ids of every committed row, added once its commit returned. */
    final Set<Long> committed = ConcurrentHashMap.newKeySet();

    final AtomicInteger commits = new AtomicInteger();
    final AtomicInteger rollbacks = new AtomicInteger();
    final AtomicInteger copies = new AtomicInteger();
    /** The largest xid of a committed writer transaction. */
    final AtomicLong lastCommittedXid = new AtomicLong();

    /** Ids the commit cursor read, in order, duplicates kept. */
    final List<Long> readByCursor = Collections.synchronizedList(new ArrayList<>());

    volatile Batch lastBatch;
    /** Ids the naive cursor read; every one of them was added before {@link #naiveLast} moved past it. */
    final Set<Long> readByNaive = ConcurrentHashMap.newKeySet();

    volatile long naiveLast;

    OutOfOrderWorkload(TestDatabase db) {
        this.db = db;
    }

    void start(int writerCount) {
        // The cursor exists before the first write: created later, it would start after rows already committed.
        db.jdbi().useTransaction(cursor::load);
        for (int i = 0; i < writerCount; i++) {
            String name = "writer-" + i;
            writers.add(threads.submit(() -> write(name)));
        }
        readers.add(threads.submit(this::readWithCursor));
        readers.add(threads.submit(this::readNaively));
    }

    private Void write(String name) throws Exception {
        try (Connection c = Database.dedicated(db.connection(), name)) {
            c.setAutoCommit(false);
            var random = ThreadLocalRandom.current();
            while (writing) {
                int n = 1 + random.nextInt(3);
                if (random.nextBoolean()) {
                    Heartbeats.insert(c, n);
                } else {
                    Heartbeats.copy(c, n);
                    copies.incrementAndGet();
                }
                List<Long> ids = Heartbeats.writtenByThisTransaction(c);
                long xid = Heartbeats.xid(c);
                // The delay between insert and commit is what lets rows commit out of id order.
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(random.nextInt(51)));
                if (random.nextInt(5) == 0) {
                    c.rollback();
                    rollbacks.incrementAndGet();
                } else {
                    c.commit();
                    committed.addAll(ids);
                    lastCommittedXid.accumulateAndGet(xid, Math::max);
                    commits.incrementAndGet();
                }
            }
        }
        return null;
    }

    private Void readWithCursor() {
        while (reading) {
            Batch batch = db.jdbi().inTransaction(h -> {
                var from = cursor.load(h);
                var b = cursor.read(h, from, BATCH);
                cursor.save(h, b.next());
                return b;
            });
            batch.observations().forEach(o -> readByCursor.add(o.heartbeatId()));
            lastBatch = batch;
            if (!batch.full()) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
            }
        }
        return null;
    }

    private Void readNaively() {
        while (reading) {
            List<Long> ids = db.jdbi()
                    .withHandle(h -> h.createQuery("SELECT id FROM api_heartbeats WHERE id > ? ORDER BY id LIMIT ?")
                            .bind(0, naiveLast)
                            .bind(1, BATCH)
                            .mapTo(Long.class)
                            .list());
            readByNaive.addAll(ids);
            if (!ids.isEmpty()) {
                naiveLast = ids.getLast();
            }
        }
        return null;
    }

    /** Committed rows below the naive cursor that it never read: it can never read them now. */
    Set<Long> skippedByNaive() {
        long last = naiveLast;
        var skipped = new java.util.TreeSet<Long>();
        for (long id : committed) {
            if (id < last && !readByNaive.contains(id)) {
                skipped.add(id);
            }
        }
        return skipped;
    }

    /** The commit cursor has read everything the writers committed: its watermark passed their last xid. */
    boolean cursorCaughtUp() {
        Batch b = lastBatch;
        return !writing && b != null && !b.full() && b.watermark() > lastCommittedXid.get();
    }

    /** Stops the writers and waits for them; rethrows what failed in one. */
    void stopWriters() throws Exception {
        writing = false;
        for (var w : writers) {
            w.get(10, TimeUnit.SECONDS);
        }
    }

    /** Stops the readers and waits for them; rethrows what failed in one. */
    void stopReaders() throws Exception {
        reading = false;
        for (var r : readers) {
            r.get(10, TimeUnit.SECONDS);
        }
    }

    /** Checks, while waiting, that no thread died: a failure surfaces at once instead of as a timeout. */
    boolean failed() {
        return java.util.stream.Stream.concat(writers.stream(), readers.stream())
                .anyMatch(f -> f.state() == Future.State.FAILED);
    }

    @Override
    public void close() {
        writing = false;
        reading = false;
        threads.shutdown();
        try {
            if (!threads.awaitTermination(Duration.ofSeconds(10).toMillis(), TimeUnit.MILLISECONDS)) {
                threads.shutdownNow();
            }
        } catch (InterruptedException e) {
            threads.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
