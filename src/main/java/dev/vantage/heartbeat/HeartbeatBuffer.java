package dev.vantage.heartbeat;

import java.time.Duration;
import java.util.List;

/**
 * Heartbeats accepted from the probes and not yet in the database: the seam between {@link HeartbeatWriter#offer}
 * and its writer thread. The in-memory queue ({@link MemoryHeartbeatBuffer}) is the first implementation; the disk
 * journal that spills past the memory bound and replays after a restart is meant to be the second, without changes
 * to the writer.
 *
 * <p>Batches are taken, then acknowledged once they are in the database (or deliberately rejected), so a durable
 * implementation forgets nothing that was not written. Oldest first, always.
 */
public interface HeartbeatBuffer {

    /** Adds without blocking; false when there is no room (the writer counts the drop). Called from many threads. */
    boolean offer(HeartbeatRow row);

    /**
     * Up to {@code max} of the oldest heartbeats: waits up to {@code idleWait} for the first one, then up to
     * {@code linger} for more. Empty when none came. Only the writer thread calls this, and not again before it
     * acknowledged the previous batch.
     */
    List<HeartbeatRow> take(int max, Duration linger, Duration idleWait) throws InterruptedException;

    /** The last batch taken is settled: written, found already written, or rejected. */
    void acknowledge(List<HeartbeatRow> batch);

    /** Heartbeats waiting to be taken. */
    int size();

    /** Most heartbeats {@link #size()} can reach before {@link #offer} refuses. */
    int capacity();

    /**
     * At shutdown, after the writer thread stopped taking: gives up what is still pending or taken but not
     * acknowledged, and returns how many heartbeats are lost by it (all of them for memory; none for a journal that
     * replays them at the next start). Later calls return 0.
     */
    long close();
}
