package dev.vantage.heartbeat;

import java.time.Duration;
import java.util.List;

/**
 * Heartbeats accepted from the probes and not yet in the database: the seam between {@link HeartbeatWriter#offer}
 * and its writer thread. Two implementations: the in-memory queue ({@link MemoryHeartbeatBuffer}) and memory backed by
 * a disk journal that takes over while the database is away and replays after a restart ({@link
 * JournalingHeartbeatBuffer}).
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

    /**
     * The writer failed to use the database and holds its batch to retry it: a durable buffer starts keeping
     * heartbeats on disk now rather than when memory runs out. Called by the writer thread, once per failed attempt.
     */
    default void databaseUnavailable() {}

    /**
     * Whether a heartbeat offered now risks being dropped later although the offer succeeded (a journal near its
     * bound). False for a buffer that refuses instead.
     */
    default boolean nearlyFull() {
        return false;
    }

    /** Heartbeats waiting to be taken. */
    int size();

    /** Most heartbeats {@link #size()} can reach before {@link #offer} refuses. */
    int capacity();

    /**
     * At shutdown, after the writer thread stopped taking: gives up what is still pending or taken but not
     * acknowledged, and returns how many heartbeats are lost by it (all of them for memory; none for a journal that
     * replays them at the next start), telling each lost row's {@link Receipt}. Later calls return 0.
     */
    long close();
}
