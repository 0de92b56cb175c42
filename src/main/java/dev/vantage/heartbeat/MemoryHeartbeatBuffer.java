package dev.vantage.heartbeat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A bounded FIFO in memory. A full buffer refuses the new heartbeat rather than evicting the oldest: the oldest are
 * the start of an outage, which can never be measured again, while the current state is measured afresh within one
 * interval after the database is back. Refusing also keeps the writer's batch and the queue head stable, which the
 * in-order replay relies on. Bounded twice: in heartbeats and in bytes (the rows' encoded size), so that heartbeats
 * carrying large bodies or messages cannot fill the heap before the count bound is reached.
 */
public final class MemoryHeartbeatBuffer implements HeartbeatBuffer {
    private final ArrayBlockingQueue<HeartbeatRow> queue;
    private final int capacity;
    private final long maxBytes;
    private final AtomicLong bytes = new AtomicLong();
    /** The batch the writer holds; its rows are lost too if the process stops before it is written. */
    private volatile List<HeartbeatRow> unacknowledged = List.of();

    public MemoryHeartbeatBuffer(int capacity) {
        this(capacity, Long.MAX_VALUE);
    }

    /** @param maxBytes most bytes of encoded rows queued at once */
    public MemoryHeartbeatBuffer(int capacity, long maxBytes) {
        this.capacity = capacity;
        this.maxBytes = maxBytes;
        this.queue = new ArrayBlockingQueue<>(capacity);
    }

    @Override
    public boolean offer(HeartbeatRow row) {
        long size = row.line().length;
        long before = bytes.getAndAccumulate(size, (now, add) -> now + add > maxBytes ? now : now + add);
        if (before + size > maxBytes) {
            return false;
        }
        if (queue.offer(row)) {
            return true;
        }
        bytes.addAndGet(-size);
        return false;
    }

    /** Bytes of the rows waiting to be taken. */
    public long bytes() {
        return bytes.get();
    }

    private void taken(List<HeartbeatRow> rows, int from) {
        long size = 0;
        for (int i = from; i < rows.size(); i++) {
            size += rows.get(i).line().length;
        }
        bytes.addAndGet(-size);
    }

    @Override
    public List<HeartbeatRow> take(int max, Duration linger, Duration idleWait) throws InterruptedException {
        HeartbeatRow first = queue.poll(idleWait.toNanos(), TimeUnit.NANOSECONDS);
        if (first == null) {
            return List.of();
        }
        var batch = new ArrayList<HeartbeatRow>(Math.min(max, queue.size() + 1));
        batch.add(first);
        long lingerEnd = System.nanoTime() + linger.toNanos();
        while (batch.size() < max) {
            queue.drainTo(batch, max - batch.size());
            long left = lingerEnd - System.nanoTime();
            if (batch.size() >= max || left <= 0) {
                break;
            }
            HeartbeatRow next = queue.poll(left, TimeUnit.NANOSECONDS);
            if (next == null) {
                break;
            }
            batch.add(next);
        }
        taken(batch, 0);
        unacknowledged = batch;
        return batch;
    }

    @Override
    public void acknowledge(List<HeartbeatRow> batch) {
        unacknowledged = List.of();
    }

    @Override
    public int size() {
        return queue.size();
    }

    @Override
    public int capacity() {
        return capacity;
    }

    @Override
    public long close() {
        var rest = new ArrayList<HeartbeatRow>(unacknowledged);
        unacknowledged = List.of();
        int queued = rest.size();
        queue.drainTo(rest);
        taken(rest, queued);
        rest.forEach(row -> row.receipt().settled(Receipt.Outcome.LOST));
        return rest.size();
    }
}
