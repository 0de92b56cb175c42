package dev.vantage.lease;

import dev.vantage.Meters;
import dev.vantage.config.DbConnection;
import dev.vantage.probe.net.NetFailures;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.OptionalLong;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The datacenter lease of one agent replica: exactly one replica per datacenter leads (probes), the others stand by.
 *
 * <p>One platform thread runs the protocol on a {@link LeaseSession} (a dedicated connection):
 *
 * <ul>
 *   <li>A standby calls {@code pg_try_advisory_lock(NAMESPACE, datacenter_id)} every {@code retryInterval} (±20%).
 *       On success it records a new epoch in datacenter_leases and leads, probing slots from the acquisition on.
 *   <li>The leader checks in pg_locks every {@code checkInterval} that its session still holds the lock, and trusts
 *       each good check until {@code trustWindow} after the check started ({@link Trust}). Lock gone: it stops at
 *       once and abandons results still in flight. Session failed: it opens a new one and finds out: it takes the
 *       lock again (new epoch), finds it taken (stops), or cannot reach the database, and then follows
 *       {@link OnDbLoss}.
 *   <li>{@link #close()} releases the lock, so a standby takes over within one retry interval.
 * </ul>
 */
public final class DatacenterLease implements Leadership, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DatacenterLease.class);

    /** What the agent shows in its agents row. */
    public record Status(String role, Long epoch, Instant checkedAt) {}

    private final DbConnection db;
    private final int datacenterId;
    private final String label;
    private final int agentId;
    private final String applicationName;
    private final LeaseSettings settings;
    private final Clock clock;
    private final LongSupplier nanoTime;
    private final Runnable onRoleChange;
    private final Trust trust;
    private final SplittableRandom random = new SplittableRandom();
    private final CountDownLatch closing = new CountDownLatch(1);
    private final Map<String, String> mdc;
    private final Thread thread;

    private final Counter acquisitions;
    private final Counter losses;
    private final Counter untrusted;
    private final Counter beforeLease;

    // Written by the lease thread only; read by the scheduler and the agent.
    private volatile boolean leader;
    private volatile long epoch;
    private final Terms terms = new Terms();
    private volatile Instant checkedAt;

    // Lease thread only.
    private LeaseSession session;
    private int failedSessionPid;
    private boolean unreachable;
    private String lastFailure;
    private String lastLoopError;
    private long lastStandbyEpoch = -1;
    /** Set while a leader that lost the lock still probes the slots before the new leader's start. */
    private Instant handingOverUntil;

    private long nextCheckNanos;

    private DatacenterLease(
            DbConnection db,
            int datacenterId,
            String datacenterCode,
            int agentId,
            LeaseSettings settings,
            Clock clock,
            LongSupplier nanoTime,
            MeterRegistry meters,
            Runnable onRoleChange) {
        this.db = db;
        this.datacenterId = datacenterId;
        this.label = "datacenter:" + datacenterCode;
        this.agentId = agentId;
        this.applicationName = "vantage-lease dc=" + datacenterCode + " agent=" + agentId;
        this.settings = settings;
        this.clock = clock;
        this.nanoTime = nanoTime;
        this.onRoleChange = onRoleChange;
        this.trust = new Trust(settings.trustWindow());
        var context = MDC.getCopyOfContextMap();
        this.mdc = context == null ? Map.of() : Map.copyOf(context);
        this.acquisitions = meters.counter(Meters.LEASE_ACQUISITIONS);
        this.losses = meters.counter(Meters.LEASE_LOSSES);
        this.untrusted = meters.counter(Meters.SLOTS_SKIPPED, "reason", "lease_unconfirmed");
        this.beforeLease = meters.counter(Meters.SLOTS_SKIPPED, "reason", "before_lease");
        meters.gauge(Meters.LEASE_LEADER, this, lease -> lease.leader ? 1 : 0);
        meters.gauge(Meters.LEASE_EPOCH, this, lease -> lease.epoch);
        this.thread = Thread.ofPlatform().name("lease").daemon(true).unstarted(this::run);
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
        var lease = new DatacenterLease(
                db, datacenterId, datacenterCode, agentId, settings, clock, System::nanoTime, meters, onRoleChange);
        try {
            lease.session = lease.openSession();
        } catch (SQLException e) {
            lease.lastFailure = NetFailures.rootMessage(e); // the thread keeps trying
        }
        lease.thread.start();
        return lease;
    }

    @Override
    public boolean leading() {
        return leader;
    }

    @Override
    public OptionalLong admit(Instant slot) {
        if (!leader) {
            return OptionalLong.empty();
        }
        if (!trust.trustedAt(nanoTime.getAsLong())) {
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
    public boolean keep(long probedEpoch, Instant slot) {
        return terms.keep(probedEpoch, slot);
    }

    public Status status() {
        return new Status(leader ? "leader" : "standby", leader ? epoch : null, checkedAt);
    }

    private void run() {
        MDC.setContextMap(mdc);
        try {
            while (closing.getCount() > 0) {
                try {
                    if (leader) {
                        lead();
                    } else {
                        standBy();
                    }
                } catch (RuntimeException e) {
                    // E.g. the database turned out too old once reachable: say it once, keep standing by.
                    if (!String.valueOf(e.getMessage()).equals(lastLoopError)) {
                        log.error("Lease loop of {} failed; retrying every {}", label, settings.retryInterval(), e);
                        lastLoopError = String.valueOf(e.getMessage());
                    }
                    trust.revoke(); // the session goes, and the lock with it: no probe until it is retaken
                    lastFailure = "lease loop error: " + e.getMessage();
                    dropSession();
                    pause(settings.retryInterval());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            release();
        }
    }

    private void standBy() throws InterruptedException {
        long start = nanoTime.getAsLong();
        try {
            if (session == null) {
                session = openSession();
            }
            if (session.tryLock()) {
                acquire(start, "");
                return;
            }
            checkedAt = clock.instant();
            reportStandby();
            if (closing.getCount() > 0) {
                session.awaitRelease(jittered(settings.retryInterval()));
            }
            return;
        } catch (SQLException e) {
            dropSession();
            String reason = NetFailures.rootMessage(e);
            if (!reason.equals(lastFailure)) {
                log.warn("Standing by for {}: cannot reach the database to take the lock: {}", label, reason);
                lastFailure = reason;
            }
        }
        pause(jittered(settings.retryInterval()));
    }

    private void lead() throws InterruptedException {
        if (handingOverUntil != null) {
            Duration left = Duration.between(clock.instant(), handingOverUntil);
            if (left.isPositive() && closing.await(left.toNanos(), TimeUnit.NANOSECONDS)) {
                return;
            }
            stopLeading(handingOverUntil);
            return;
        }
        long wait = nextCheckNanos - nanoTime.getAsLong();
        if (wait > 0 && closing.await(wait, TimeUnit.NANOSECONDS)) {
            return;
        }
        long start = nanoTime.getAsLong();
        nextCheckNanos = start + (unreachable ? settings.retryInterval() : settings.checkInterval()).toNanos();
        if (session == null) {
            recover(start, lastFailure);
            return;
        }
        try {
            if (session.holdsLock()) {
                trust.renew(start);
                checkedAt = clock.instant();
                return;
            }
            lose(start, "the lock is no longer held by this session (pg_locks)", successorStart());
        } catch (SQLException e) {
            String reason = "lease session failed: " + NetFailures.rootMessage(e);
            failedSessionPid = session.backendPid();
            dropSession();
            recover(start, reason);
        }
    }

    /** The lease session failed: open another and find out who holds the lock now. */
    private void recover(long start, String reason) {
        try {
            session = openSession();
            if (failedSessionPid != 0) {
                int pid = failedSessionPid;
                failedSessionPid = 0;
                try {
                    session.terminate(pid, applicationName);
                } catch (SQLException e) {
                    // Not fatal: the server ends that session by itself within serverTimeout.
                    log.warn("Could not end the failed lease session (pid {}): {}", pid, NetFailures.rootMessage(e));
                }
            }
            if (session.tryLock()) {
                acquire(start, " again after the " + reason);
            } else {
                lose(start, reason + "; another replica holds the lock now", successorStart());
            }
        } catch (SQLException e) {
            dropSession();
            lastFailure = reason;
            unreachable(start, NetFailures.rootMessage(e));
        }
    }

    private void unreachable(long start, String reason) {
        boolean first = !unreachable;
        unreachable = true;
        if (settings.onDbLoss() == OnDbLoss.CONTINUE) {
            trust.renew(start); // this verdict is "fail open": as fresh as the attempt that reached it
            if (first) {
                log.warn(
                        "Cannot reach the database to confirm the lock for {} (epoch {}): {}; probing on"
                                + " (on-db-loss=continue), results are kept until the database is back",
                        label,
                        epoch,
                        reason);
            }
        } else {
            trust.revoke();
            if (first) {
                log.warn(
                        "Cannot reach the database to confirm the lock for {} (epoch {}): {}; stopped probing"
                                + " (on-db-loss=stop) until the lock is confirmed or lost",
                        label,
                        epoch,
                        reason);
            }
        }
    }

    private void acquire(long start, String how) throws SQLException {
        LeaseSession.Acquisition acquisition;
        try {
            acquisition = session.bumpEpoch(agentId);
        } catch (SQLException e) {
            // Holding the lock without an epoch is useless: let it go (closing the session unlocks) and retry.
            dropSession();
            throw e;
        }
        epoch = acquisition.epoch();
        terms.acquired(epoch, acquisition.acquiredAt());
        trust.renew(start);
        nextCheckNanos = start + settings.checkInterval().toNanos();
        checkedAt = clock.instant();
        unreachable = false;
        lastFailure = null;
        leader = true;
        acquisitions.increment();
        log.info("Acquired lock for {} (epoch {}){}", label, epoch, how);
        onRoleChange.run();
    }

    /**
     * The lock is another replica's now. When the new epoch starts later than now (it starts shortly after the lock
     * was taken), this replica still probes the slots before that start, which nobody else will probe and the fence
     * lets through; then it stands by.
     */
    private void lose(long start, String reason, Instant successorFrom) {
        losses.increment();
        unreachable = false;
        if (successorFrom != null && successorFrom.isAfter(clock.instant()) && terms.current() != null) {
            terms.endAt(successorFrom);
            trust.renew(start);
            handingOverUntil = successorFrom;
            log.warn(
                    "Lost lock for {}: {}; probing the slots before the new leader's start ({}) under epoch {},"
                            + " then standing by",
                    label,
                    reason,
                    successorFrom,
                    epoch);
            return;
        }
        log.warn("Lost lock for {}: {}; stopped probing, results in flight are abandoned", label, reason);
        stopLeading(successorFrom);
    }

    private void stopLeading(Instant successorFrom) {
        trust.revoke();
        terms.lost(successorFrom);
        handingOverUntil = null;
        leader = false;
        lastStandbyEpoch = -1;
        onRoleChange.run();
    }

    /**
     * Start of the epoch that replaced ours, from datacenter_leases; null when it cannot be read. The replica that
     * took the lock records its epoch a moment later, so a few short retries cover that moment.
     */
    private Instant successorStart() {
        for (int attempt = 0; attempt < 5 && session != null; attempt++) {
            try {
                var holder = session.holder();
                if (holder.isPresent() && holder.get().epoch() > epoch) {
                    return holder.get().acquiredAt();
                }
                if (closing.await(100, TimeUnit.MILLISECONDS)) {
                    return null;
                }
            } catch (SQLException e) {
                return null;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        }
        return null;
    }

    private void reportStandby() throws SQLException {
        var holder = session.holder();
        long current = holder.map(LeaseSession.Holder::epoch).orElse(0L);
        if (current == lastStandbyEpoch && lastFailure == null) {
            return;
        }
        lastStandbyEpoch = current;
        lastFailure = null;
        log.info(
                "Standing by for {}: the lock is held by another replica{}",
                label,
                holder.map(h -> " (epoch " + h.epoch() + ", agent " + h.agentId()
                                + (h.agentName() == null ? "" : " '" + h.agentName() + "'") + ", since "
                                + h.acquiredAt() + ")")
                        .orElse(""));
    }

    private LeaseSession openSession() throws SQLException {
        return LeaseSession.open(db, applicationName, datacenterId, settings);
    }

    private void dropSession() {
        if (session != null) {
            session.close();
            session = null;
        }
    }

    /** Stops admitting probes, unlocks (so a standby takes over at once) and closes the session. Idempotent. */
    @Override
    public void close() {
        trust.revoke();
        closing.countDown();
        try {
            thread.join(settings.checkTimeout().multipliedBy(4).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void release() {
        trust.revoke();
        if (leader && handingOverUntil == null && session != null) {
            try {
                session.release(epoch);
                log.info("Released lock for {} (epoch {})", label, epoch);
            } catch (SQLException e) {
                log.warn(
                        "Could not release the lock for {} (epoch {}): {}; the server frees it with the session",
                        label,
                        epoch,
                        NetFailures.rootMessage(e));
            }
        }
        leader = false;
        dropSession();
    }

    private void pause(Duration duration) throws InterruptedException {
        closing.await(duration.toNanos(), TimeUnit.NANOSECONDS);
    }

    private Duration jittered(Duration base) {
        long nanos = base.toNanos();
        return Duration.ofNanos(nanos * 8 / 10 + random.nextLong(nanos * 4 / 10 + 1));
    }
}
