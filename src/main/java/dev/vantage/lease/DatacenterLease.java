package dev.vantage.lease;

import dev.vantage.Meters;
import dev.vantage.config.DbConnection;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Instant;
import java.util.OptionalLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The datacenter lease of one agent replica: exactly one replica per datacenter leads (probes), the others stand by.
 *
 * <p>The protocol is {@link LeaseLoop}'s, on the lock {@code pg_try_advisory_lock(NAMESPACE, datacenter_id)} with
 * epochs in datacenter_leases and datacenter_lease_history ({@link DatacenterKind}):
 *
 * <ul>
 *   <li>A standby tries the lock every {@code retryInterval} (±20%). On success it records a new epoch and leads,
 *       probing slots from the acquisition on.
 *   <li>The leader checks in pg_locks every {@code checkInterval} that its session still holds the lock, and trusts
 *       each good check until {@code trustWindow} after the check started ({@link Trust}). Lock gone: it stops at
 *       once and abandons results still in flight, unless the new epoch starts later than now: then it still probes
 *       the slots before that start (a hand-over). Session failed: it opens a new one and finds out: it takes the
 *       lock again (new epoch), finds it taken (stops), or cannot reach the database, and then follows
 *       {@link OnDbLoss}.
 *   <li>{@link #close()} releases the lock, so a standby takes over within one retry interval.
 * </ul>
 */
public final class DatacenterLease implements Leadership, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DatacenterLease.class);

    /** What the agent shows in its agents row. */
    public record Status(String role, Long epoch, Instant checkedAt) {}

    private final LeaseLoop loop;
    private final int shard;
    private final Clock clock;
    private final String label;
    private final Terms terms = new Terms();
    private final Counter untrusted;
    private final Counter beforeLease;
    private volatile boolean handingOver;

    private DatacenterLease(
            DbConnection db,
            DatacenterKind kind,
            LeaseSettings settings,
            Clock clock,
            LongSupplier nanoTime,
            MeterRegistry meters,
            Runnable onRoleChange) {
        this.clock = clock;
        this.shard = kind.shard();
        this.label = kind.name();
        this.untrusted = meters.counter(Meters.SLOTS_SKIPPED, "reason", "lease_unconfirmed");
        this.beforeLease = meters.counter(Meters.SLOTS_SKIPPED, "reason", "before_lease");
        this.loop =
                new LeaseLoop(log, "lease", db, kind, settings, clock, nanoTime, meters, new SlotTerms(), onRoleChange);
    }

    /**
     * Opens the lease session (refusing PostgreSQL 13 and older), then runs the protocol on its own thread, starting
     * as a standby.
     *
     * @param onRoleChange called on the lease thread after every acquisition and loss; must not block
     */
    public static DatacenterLease start(
            DbConnection db,
            int datacenterId,
            String datacenterCode,
            int agentId,
            LeaseSettings settings,
            Clock clock,
            MeterRegistry meters,
            Runnable onRoleChange) {
        return start(db, datacenterId, datacenterCode, 0, 1, agentId, settings, clock, meters, onRoleChange);
    }

    /** As {@link #start(DbConnection, int, String, int, LeaseSettings, Clock, MeterRegistry, Runnable)}, for one shard. */
    static DatacenterLease start(
            DbConnection db,
            int datacenterId,
            String datacenterCode,
            int shard,
            int shards,
            int agentId,
            LeaseSettings settings,
            Clock clock,
            MeterRegistry meters,
            Runnable onRoleChange) {
        var lease = new DatacenterLease(
                db,
                new DatacenterKind(datacenterId, datacenterCode, shard, shards, agentId),
                settings,
                clock,
                System::nanoTime,
                meters,
                onRoleChange);
        lease.loop.start();
        return lease;
    }

    @Override
    public boolean leading() {
        return loop.leader();
    }

    @Override
    public OptionalLong admit(long monitorId, Instant slot) {
        if (!loop.leader()) {
            return OptionalLong.empty();
        }
        if (!loop.trusted()) {
            untrusted.increment();
            return OptionalLong.empty();
        }
        OptionalLong covered = terms.epochFor(slot);
        if (covered.isEmpty()) {
            beforeLease.increment(); // another epoch's slot: never probed twice
        }
        return covered;
    }

    @Override
    public boolean keep(long monitorId, long probedEpoch, Instant slot) {
        return terms.keep(probedEpoch, slot);
    }

    int shard() {
        return shard;
    }

    /** See {@link LeaseLoop#wantedWhen}. */
    void wantedWhen(java.util.function.BooleanSupplier wanted, java.util.function.BooleanSupplier ready) {
        loop.wantedWhen(wanted, ready);
    }

    /** See {@link LeaseLoop#wake()}. */
    void wake() {
        loop.wake();
    }

    /** See {@link LeaseLoop#handOff()}. */
    void handOff() {
        loop.handOff();
    }

    /** Whether this replica holds the lock and is not handing it over. */
    boolean holding() {
        return loop.leader() && !handingOver;
    }

    public Status status() {
        boolean leader = loop.leader();
        return new Status(leader ? "leader" : "standby", leader ? loop.epoch() : null, loop.checkedAt());
    }

    /** Stops admitting probes, unlocks (so a standby takes over at once) and closes the session. Idempotent. */
    @Override
    public void close() {
        loop.close();
    }

    /** Which slots each epoch of this replica covers ({@link Terms}), and the hand-over of a lost lease. */
    private final class SlotTerms implements LeaseLoop.Role {
        @Override
        public void acquired(LeaseKind.Acquisition acquisition) {
            handingOver = false;
            terms.acquired(acquisition.epoch(), acquisition.acquiredAt());
        }

        @Override
        public boolean handsOver() {
            return true;
        }

        /**
         * When the new epoch starts later than now (it starts shortly after the lock was taken), this replica still
         * probes the slots before that start, which nobody else will probe and the fence lets through; then it stands
         * by.
         */
        @Override
        public boolean handOver(String reason, Instant successorFrom) {
            if (successorFrom == null || !successorFrom.isAfter(clock.instant()) || terms.current() == null) {
                return false;
            }
            terms.endAt(successorFrom);
            handingOver = true;
            if (LeaseLoop.HANDED_OFF.equals(reason)) {
                log.info(
                        "Handed off {}: probing the slots before the new holder's start ({}) under epoch {}, then"
                                + " leaving them to it",
                        label,
                        successorFrom,
                        loop.epoch());
                return true;
            }
            log.warn(
                    "Lost lock for {}: {}; probing the slots before the new leader's start ({}) under epoch {},"
                            + " then standing by",
                    label,
                    reason,
                    successorFrom,
                    loop.epoch());
            return true;
        }

        @Override
        public void stopped(Instant successorFrom) {
            handingOver = false;
            terms.lost(successorFrom);
        }
    }
}
