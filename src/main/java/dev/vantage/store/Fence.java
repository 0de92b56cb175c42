package dev.vantage.store;

import org.jdbi.v3.core.Handle;

/**
 * Checks, inside a transaction, that this process still holds the lease its work depends on (for the monitor module:
 * {@code SELECT epoch FROM monitor_leases WHERE name = 'monitor' FOR SHARE}, compared with the epoch it acquired).
 * The row lock it takes keeps a successor from recording its takeover until the transaction ends, so nothing the
 * transaction writes can interleave with the successor's work.
 */
@FunctionalInterface
public interface Fence {
    /** No lease: for tests and single-process use. */
    Fence NONE = handle -> {};

    /**
     * Fences the transaction open on {@code handle}: call it first in the transaction, before reading what the
     * transaction decides on. Returns when the lease is still held; otherwise throws an unchecked exception (for the
     * monitor lease, {@code LeaseLostException}), which rolls the caller's transaction back.
     */
    void check(Handle handle);
}
