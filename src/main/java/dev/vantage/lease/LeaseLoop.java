package dev.vantage.lease;

import dev.vantage.Causes;
import dev.vantage.Fatal;
import dev.vantage.Meters;
import dev.vantage.config.DbConnection;
import dev.vantage.loop.Backoff;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.MDC;

/**
 * The lease protocol that every kind of lease ({@link LeaseKind}) runs, on one platform thread and a
 * {@link LeaseSession} (a dedicated connection):
 *
 * <ul>
 *   <li>A standby calls {@code pg_try_advisory_lock(NAMESPACE, kind.lockKey())} every {@code retryInterval} (±20%),
 *       and at once when a holder announces its release. On success it records a new epoch in the kind's ledger and
 *       leads.
 *   <li>The leader checks in pg_locks every {@code checkInterval} that its session still holds the lock, and trusts
 *       each good check until {@code trustWindow} after the check started ({@link Trust}). Lock gone: it stops. Session
 *       failed: it opens a new one and finds out: it takes the lock again (new epoch), finds it taken (stops), or
 *       cannot reach the database, and then follows {@link OnDbLoss}.
 *   <li>{@link #close()} releases the lock and announces it, so a standby takes over within milliseconds.
 * </ul>
 *
 * <p>The owner (DatacenterLease, MonitorLease) decides what leading means through its {@link Role}, and logs
 * through its own logger, so the log lines keep the owner's name.
 */
final class LeaseLoop implements AutoCloseable {

    /** What the owner of a lease does when it gains or loses the lock. Called on the lease thread; must not block. */
    interface Role {
        /** This replica just recorded {@code acquisition}; called before it counts as leading. */
        default void acquired(LeaseKind.Acquisition acquisition) {}

        /** Whether a lost lease may be handed over: then the loop reads the successor's start before it stops. */
        default boolean handsOver() {
            return false;
        }

        /**
         * The lock is another replica's now, and its epoch starts at {@code successorFrom} (null when unknown): true
         * to keep leading (trusted) until then, for work nobody else will do; the role logs why.
         */
        default boolean handOver(String reason, Instant successorFrom) {
            return false;
        }

        /** This replica stopped leading; {@code successorFrom} is the start of the epoch after ours, or null. */
        default void stopped(Instant successorFrom) {}
    }

    private final Logger log;
    private final DbConnection db;
    private final LeaseKind kind;
    private final LeaseSettings settings;
    private final Clock clock;
    private final LongSupplier nanoTime;
    private final Role role;
    private final Runnable onRoleChange;
    private final Trust trust;
    private final CountDownLatch closing = new CountDownLatch(1);
    private final Map<String, String> mdc;
    private final Thread thread;
    private final Counter acquisitions;
    private final Counter losses;
    private final Counter foreignHolds;

    /** Whether this replica wants the lock now: a standby that does not waits a longer round and ignores releases. */
    private volatile java.util.function.BooleanSupplier wanted = () -> true;
    /** Whether this replica can work a lock at all yet: until then its standby does not try, not even unwanted. */
    private volatile java.util.function.BooleanSupplier ready = () -> true;
    /** Released by {@link #wake()} and {@link #close()}. */
    private final java.util.concurrent.Semaphore wakeups = new java.util.concurrent.Semaphore(0);
    /** Set by {@link #handOff()}, taken by the lease thread. */
    private volatile boolean handOffRequested;

    // Written by the lease thread only; read by the owner's callers.
    private volatile boolean leader;
    private volatile long epoch;
    private volatile Instant checkedAt;
    private volatile boolean foreignHolder;

    // Lease thread only.
    private LeaseSession session;
    private int failedSessionPid;
    private boolean unreachable;
    private String lastFailure;
    private String lastLoopError;
    /** The standby's last report (ledger epoch and lock holder): it logs again only when that changes. */
    private String lastStandbyReport;
    /** Set while a leader that lost the lock still works until the successor's start ({@link Role#handOver}). */
    private Instant handingOverUntil;

    private long nextCheckNanos;
    /** Rounds a standby that does not want the lock has waited since it last tried it. */
    private int unwantedRounds;

    /**
     * An unwanted lock is still tried every this many standby rounds, so that a lock every replica believes another
     * wants is taken all the same.
     */
    static final int UNWANTED_ROUNDS = 20;

    /** How long a leader that handed off waits for the successor's epoch before it takes the lock back. */
    static final Duration HAND_OFF_WAIT = Duration.ofSeconds(2);

    private static final Duration HAND_OFF_POLL = Duration.ofMillis(50);

    /** The reason {@link Role#handOver} is given after {@link #handOff()}: no failure, a planned move. */
    static final String HANDED_OFF = "handed off";

    LeaseLoop(
            Logger log,
            String threadName,
            DbConnection db,
            LeaseKind kind,
            LeaseSettings settings,
            Clock clock,
            LongSupplier nanoTime,
            MeterRegistry meters,
            Role role,
            Runnable onRoleChange) {
        this.log = log;
        this.db = db;
        this.kind = kind;
        this.settings = settings;
        this.clock = clock;
        this.nanoTime = nanoTime;
        this.role = role;
        this.onRoleChange = onRoleChange;
        this.trust = new Trust(settings.trustWindow());
        var context = MDC.getCopyOfContextMap();
        this.mdc = context == null ? Map.of() : Map.copyOf(context);
        var tags = Tags.of("kind", kind.meterTag(), "shard", Integer.toString(kind.shard()));
        this.acquisitions = meters.counter(Meters.LEASE_ACQUISITIONS, tags);
        this.losses = meters.counter(Meters.LEASE_LOSSES, tags);
        this.foreignHolds = meters.counter(Meters.LEASE_FOREIGN_HOLDS, tags);
        meters.gauge(Meters.LEASE_FOREIGN_HOLDER, tags, this, loop -> loop.foreignHolder ? 1 : 0);
        meters.gauge(Meters.LEASE_LEADER, tags, this, loop -> loop.leader ? 1 : 0);
        meters.gauge(Meters.LEASE_EPOCH, tags, this, loop -> loop.epoch);
        this.thread = Fatal.platformThread(threadName, this::run);
    }

    /**
     * Opens the lease session on the caller's thread (refusing PostgreSQL 13 and older), then runs the protocol on
     * the lease thread, starting as a standby. A database that cannot be reached now is retried by the thread.
     */
    void start() {
        try {
            session = openSession();
        } catch (SQLException e) {
            lastFailure = Causes.rootMessage(e); // the thread keeps trying
        }
        thread.start();
    }

    /**
     * How a standby decides whether to try the lock: while {@code wanted} is false it closes its session, tries only
     * every {@link #UNWANTED_ROUNDS}th round (so a lock nobody wants is still taken) and does not wake up on releases.
     */
    void wantedWhen(java.util.function.BooleanSupplier wanted, java.util.function.BooleanSupplier ready) {
        this.wanted = wanted;
        this.ready = ready;
    }

    /**
     * Asks the leader to give the lock to a standby that wants it: it unlocks and announces it, then keeps working
     * under its epoch until the successor's epoch starts, so no slot falls between them; when no replica takes the lock
     * within {@link #HAND_OFF_WAIT}, it takes it again. Does nothing on a standby.
     */
    void handOff() {
        handOffRequested = true;
        wakeups.release();
    }

    /** Cuts short the wait of a standby that did not want the lock: it wants it now, and tries at once. */
    void wake() {
        wakeups.release();
    }

    /** Whether this replica holds the lock, or is handing it over; says nothing about how fresh that belief is. */
    boolean leader() {
        return leader;
    }

    /** Whether the last verdict about the lease is still within the trust window now. */
    boolean trusted() {
        return trust.trustedAt(nanoTime.getAsLong());
    }

    /** The epoch of the last acquisition; 0 before the first. */
    long epoch() {
        return epoch;
    }

    Instant checkedAt() {
        return checkedAt;
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
                        log.error(
                                "Lease loop of {} failed; retrying every {}", kind.name(), settings.retryInterval(), e);
                        lastLoopError = String.valueOf(e.getMessage());
                    }
                    trust.revoke(); // the session goes, and the lock with it: no work until it is retaken
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
        handOffRequested = false;
        try {
            boolean wants = wanted.getAsBoolean();
            if (!ready.getAsBoolean()) {
                unwantedRounds = 0;
            }
            if (!wants && ++unwantedRounds < UNWANTED_ROUNDS) {
                dropSession(); // a standby that wants no lock holds no connection
                checkedAt = clock.instant();
                wakeups.drainPermits();
                if (!wanted.getAsBoolean()) {
                    wakeups.tryAcquire(
                            Backoff.jittered(settings.retryInterval()).toNanos(), TimeUnit.NANOSECONDS);
                }
                return;
            }
            unwantedRounds = 0;
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
                if (wanted.getAsBoolean()) {
                    session.awaitRelease(Backoff.jittered(settings.retryInterval()));
                } else {
                    pause(Backoff.jittered(settings.retryInterval()));
                }
            }
            return;
        } catch (SQLException e) {
            dropSession();
            String reason = Causes.rootMessage(e);
            if (!reason.equals(lastFailure)) {
                log.warn("Standing by for {}: cannot reach the database to take the lock: {}", kind.name(), reason);
                lastFailure = reason;
            }
        }
        pause(Backoff.jittered(settings.retryInterval()));
    }

    private void lead() throws InterruptedException {
        if (handOffRequested && handingOverUntil == null && session != null) {
            handOffRequested = false;
            handOffNow();
            return;
        }
        if (handingOverUntil != null) {
            Duration left = Duration.between(clock.instant(), handingOverUntil);
            if (left.isPositive() && closing.await(left.toNanos(), TimeUnit.NANOSECONDS)) {
                return;
            }
            stopLeading(handingOverUntil);
            return;
        }
        long wait = nextCheckNanos - nanoTime.getAsLong();
        if (wait > 0) {
            // Until the next check, or a hand-off request, or close: the next round handles either.
            wakeups.tryAcquire(wait, TimeUnit.NANOSECONDS);
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
            lose(start, "the lock is no longer held by this session (pg_locks)");
        } catch (SQLException e) {
            String reason = "lease session failed: " + Causes.rootMessage(e);
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
                    session.terminate(pid);
                } catch (SQLException e) {
                    // Not fatal: the server ends that session by itself within serverTimeout.
                    log.warn("Could not end the failed lease session (pid {}): {}", pid, Causes.rootMessage(e));
                }
            }
            if (session.tryLock()) {
                acquire(start, " again after the " + reason);
            } else {
                lose(start, reason + "; another replica holds the lock now");
            }
        } catch (SQLException e) {
            dropSession();
            lastFailure = reason;
            unreachable(start, Causes.rootMessage(e));
        }
    }

    private void unreachable(long start, String reason) {
        boolean first = !unreachable;
        unreachable = true;
        if (settings.onDbLoss() == OnDbLoss.CONTINUE) {
            trust.renew(start); // this verdict is "fail open": as fresh as the attempt that reached it
            if (first) {
                log.warn(
                        "Cannot reach the database to confirm the {} (epoch {}): {}; {} on"
                                + " (on-db-loss=continue), results are kept until the database is back",
                        kind.subject(),
                        epoch,
                        reason,
                        kind.work());
            }
        } else {
            trust.revoke();
            if (first) {
                log.warn(
                        "Cannot reach the database to confirm the {} (epoch {}): {}; stopped {}"
                                + " (on-db-loss=stop) until the lock is confirmed or lost",
                        kind.subject(),
                        epoch,
                        reason,
                        kind.work());
            }
        }
    }

    private void acquire(long start, String how) throws SQLException {
        LeaseKind.Acquisition acquisition;
        try {
            acquisition = session.bumpEpoch();
        } catch (SQLException e) {
            // Holding the lock without an epoch is useless: let it go (closing the session unlocks) and retry.
            dropSession();
            throw e;
        }
        epoch = acquisition.epoch();
        role.acquired(acquisition);
        trust.renew(start);
        nextCheckNanos = start + settings.checkInterval().toNanos();
        checkedAt = clock.instant();
        unreachable = false;
        lastFailure = null;
        leader = true;
        foreignHolder = false;
        acquisitions.increment();
        log.info("Acquired {} (epoch {}){}", kind.subject(), epoch, how);
        onRoleChange.run();
    }

    /**
     * Unlocks for a standby that wants the lock, then waits for its epoch: working on under ours until it starts
     * ({@link Role#handOver}), or taking the lock back when nobody took it.
     */
    private void handOffNow() throws InterruptedException {
        long start = nanoTime.getAsLong();
        try {
            session.unlock();
            log.info("Handing off {} (epoch {}) to another replica", kind.subject(), epoch);
            long deadline = start + HAND_OFF_WAIT.toNanos();
            while (nanoTime.getAsLong() - deadline < 0) {
                long check = nanoTime.getAsLong();
                var holder = session.holder();
                if (holder.isPresent() && holder.get().epoch() > epoch) {
                    if (role.handOver(HANDED_OFF, holder.get().acquiredAt())) {
                        trust.renew(check);
                        handingOverUntil = holder.get().acquiredAt();
                    } else {
                        log.info("Handed off {} (epoch {}); stopped {}", kind.subject(), epoch, kind.work());
                        stopLeading(holder.get().acquiredAt());
                    }
                    return;
                }
                trust.renew(check); // our epoch is still the last recorded: the fence keeps what we write
                if (closing.await(HAND_OFF_POLL.toNanos(), TimeUnit.NANOSECONDS)) {
                    return;
                }
            }
            if (session.tryLock()) {
                acquire(nanoTime.getAsLong(), " again: no replica took it when handed off");
            } else {
                lose(nanoTime.getAsLong(), "handed off, and the replica that took the lock recorded no epoch yet");
            }
        } catch (SQLException e) {
            String reason = "lease session failed while handing off: " + Causes.rootMessage(e);
            failedSessionPid = session.backendPid();
            dropSession();
            recover(start, reason);
        }
    }

    /** The lock is another replica's now: stop at once, or first hand over if the role wants to. */
    private void lose(long start, String reason) {
        Instant successorFrom = role.handsOver() ? successorStart() : null;
        losses.increment();
        unreachable = false;
        if (role.handOver(reason, successorFrom)) {
            trust.renew(start);
            handingOverUntil = successorFrom;
            return;
        }
        log.warn("Lost {}: {}; stopped {}, results in flight are abandoned", kind.subject(), reason, kind.work());
        stopLeading(successorFrom);
    }

    private void stopLeading(Instant successorFrom) {
        trust.revoke();
        role.stopped(successorFrom);
        handingOverUntil = null;
        leader = false;
        lastStandbyReport = null;
        onRoleChange.run();
    }

    /**
     * Start of the epoch that replaced ours, from the ledger; null when it cannot be read. The replica that took the
     * lock records its epoch a moment later, so a few short retries cover that moment.
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
        var ledger = session.holder();
        var lock = session.lockHolder();
        String report = ledger.map(LeaseKind.Holder::epoch).orElse(0L) + " "
                + lock.map(l -> l.pid() + " " + l.login()).orElse("");
        if (report.equals(lastStandbyReport) && lastFailure == null) {
            return;
        }
        lastStandbyReport = report;
        lastFailure = null;
        if (lock.isPresent() && !lock.get().vantage()) {
            foreignHolder = true;
            foreignHolds.increment();
            log.error(
                    "Standing by for {}: the lock is held by {}, which is not a Vantage login for it: nobody is {} for"
                            + " this lease until that session ends (SELECT pg_terminate_backend({})); see docs/agent.md,"
                            + " Failover",
                    kind.name(),
                    lock.get().describe(),
                    kind.work(),
                    lock.get().pid());
            return;
        }
        foreignHolder = false;
        log.info("Standing by for {}: {}", kind.name(), kind.describe(lock, ledger));
    }

    private LeaseSession openSession() throws SQLException {
        return LeaseSession.open(db, kind, settings);
    }

    private void dropSession() {
        if (session != null) {
            session.close();
            session = null;
        }
    }

    /** Stops trusting the lease, unlocks (so a standby takes over at once) and closes the session. Idempotent. */
    @Override
    public void close() {
        trust.revoke();
        closing.countDown();
        wakeups.release();
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
                log.info("Released {} (epoch {})", kind.subject(), epoch);
            } catch (SQLException e) {
                log.warn(
                        "Could not release the {} (epoch {}): {}; the server frees it with the session",
                        kind.subject(),
                        epoch,
                        Causes.rootMessage(e));
            }
        }
        leader = false;
        dropSession();
    }

    private void pause(Duration duration) throws InterruptedException {
        closing.await(duration.toNanos(), TimeUnit.NANOSECONDS);
    }
}
