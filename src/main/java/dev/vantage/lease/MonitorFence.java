package dev.vantage.lease;

import org.jdbi.v3.core.Handle;

/**
 * What every transaction of the monitor module calls first, so that a replica that lost the monitor lease commits
 * nothing. {@link MonitorLease} is the real fence; {@link #unfenced()} serves a single process and tests.
 */
public interface MonitorFence {

    /**
     * Fences the transaction open on {@code handle}: call it first in the transaction, before reading what the
     * transaction decides on, and let the exception roll the transaction back.
     *
     * @throws LeaseLostException when this replica does not hold the lease, or cannot confirm it (the trust window
     *     passed), or the lease's current epoch is not the one this replica holds
     * @throws IllegalStateException when {@code handle} is not in a transaction: there would be nothing to fence
     */
    void check(Handle handle);

    /** A fence that lets every transaction through. */
    static MonitorFence unfenced() {
        return handle -> {};
    }
}
