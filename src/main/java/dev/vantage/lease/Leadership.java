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

    /** True while this replica holds (or last held and has not lost) the lease; false on a standby. */
    boolean leading();

    /**
     * The epoch a probe of {@code slot} may start under now, or empty: this replica is a standby, its verdict about
     * the lease is stale, or the slot lies before its acquisition (the previous leader's to fill).
     */
    OptionalLong admit(Instant slot);

    /**
     * Whether the result of a probe started under {@code epoch} may still be written. False once this replica found
     * its lock gone: the slots belong to the new leader.
     */
    boolean keep(long epoch);

    /** A leadership that admits every slot with no epoch: for a single process with no replicas, and for tests. */
    static Leadership unleased() {
        return new Leadership() {
            @Override
            public boolean leading() {
                return true;
            }

            @Override
            public OptionalLong admit(Instant slot) {
                return OptionalLong.of(NO_EPOCH);
            }

            @Override
            public boolean keep(long epoch) {
                return true;
            }
        };
    }
}
