package dev.vantage.lease;

import java.time.Instant;
import java.util.OptionalLong;

/**
 * What the scheduler asks the lease before and after each probe. The lease alone decides; the scheduler only obeys,
 * so a replica can never probe on a stale belief that it leads.
 */
public interface Leadership {

    /** The epoch of {@link #unleased()}: probes are not fenced, heartbeats carry no lease epoch. */
    long NO_EPOCH = 0;

    /** True while this replica holds (or last held and has not lost) a lease; false on a standby. */
    boolean leading();

    /**
     * The epoch a probe of {@code slot} of monitor {@code monitorId} may start under now, or empty: this replica does
     * not lead the monitor's shard, its verdict about that lease is stale, or the slot lies before its acquisition (the
     * previous leader's to fill).
     */
    OptionalLong admit(long monitorId, Instant slot);

    /**
     * Whether the result of a probe of {@code slot} of monitor {@code monitorId} started under {@code epoch} may still
     * be written. False once this replica found the shard's lock gone and the slot belongs to the new leader.
     */
    boolean keep(long monitorId, long epoch, Instant slot);

    /** A leadership that admits every slot with no epoch: for a single process with no replicas, and for tests. */
    static Leadership unleased() {
        return new Leadership() {
            @Override
            public boolean leading() {
                return true;
            }

            @Override
            public OptionalLong admit(long monitorId, Instant slot) {
                return OptionalLong.of(NO_EPOCH);
            }

            @Override
            public boolean keep(long monitorId, long epoch, Instant slot) {
                return true;
            }
        };
    }
}
