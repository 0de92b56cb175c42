package dev.vantage.lease;

import dev.vantage.config.DbConnection;
import dev.vantage.store.Fence;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.JdbiException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lease that makes {@code vantage monitor} a singleton: exactly one replica evaluates, notifies and delivers;
 * the others stand by and take over when it stops, crashes or is cut off.
 *
 * <p>The protocol is the agent's ({@link LeaseLoop}) on its own lock, {@code pg_try_advisory_lock(NAMESPACE, 0)}
 * (0 is never a datacenter id: those are serials from 1), with its epochs in the one row of monitor_leases
 * ({@link MonitorKind}). A graceful {@link #close()} announces the release on the agent's channel with the payload
 * "monitor", so a standby takes over within milliseconds; a crashed or silent holder's lock is freed by PostgreSQL
 * within {@code serverTimeout}.
 *
 * <p><b>Fencing.</b> Every transaction of the monitor module calls {@link #check(Handle)} first. It fails unless this
 * replica leads, trusts its last check and the current epoch in monitor_leases is its own, and it reads that epoch
 * {@code FOR SHARE}, keeping the row share-locked until the transaction ends. A replica that takes the lease records
 * its epoch by updating that row, so the update waits for every such transaction of the old holder: those that
 * checked before the takeover commit first (under the old epoch, while nobody else evaluated), and every check that
 * comes after it sees the new epoch and aborts. A monitor that lost its lease can therefore commit nothing, however
 * late it finds out. The transactions must run on a pool whose sessions PostgreSQL ends when they stall
 * ({@link dev.vantage.db.Database#pool}), or a stuck one would hold the takeover up to the lease session's
 * lock_timeout.
 *
 * <p>The monitor is always strict about a database it cannot reach ({@link OnDbLoss#STOP}, whatever the settings
 * say): all its work is fenced transactions, which could not commit anyway, and nothing it does outside the
 * database (sending a notification) should happen on an unconfirmed lease.
 */
public final class MonitorLease implements Fence, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MonitorLease.class);

    private static final String EPOCH = "SELECT epoch FROM monitor_leases WHERE name = 'monitor' FOR SHARE";

    /** For the status page and health: role "leader" or "standby", the epoch while leading. */
    public record Status(String role, Long epoch, Instant checkedAt) {}

    private final LeaseLoop loop;

    private MonitorLease(LeaseLoop loop) {
        this.loop = loop;
    }

    /**
     * Opens the lease session (refusing PostgreSQL 13 and older), then runs the protocol on its own thread
     * ("monitor-lease"), starting as a standby.
     *
     * @param holderName who this replica is, recorded in monitor_leases.holder and shown in standbys' logs
     *     (hostname-pid)
     * @param onRoleChange called on the lease thread after every acquisition and loss; must not block
     */
    public static MonitorLease start(
            DbConnection db,
            String holderName,
            LeaseSettings settings,
            Clock clock,
            MeterRegistry meters,
            Runnable onRoleChange) {
        var loop = new LeaseLoop(
                log,
                "monitor-lease",
                db,
                new MonitorKind(holderName),
                settings.withOnDbLoss(OnDbLoss.STOP),
                clock,
                System::nanoTime,
                meters,
                new LeaseLoop.Role() {},
                onRoleChange);
        loop.start();
        return new MonitorLease(loop);
    }

    /**
     * True while this replica holds the lease and its last check is within the trust window; false on a standby, and
     * on a holder that could not confirm the lease in time (it may have lost it without knowing yet).
     */
    public boolean leading() {
        return loop.leader() && loop.trusted();
    }

    /** The epoch of this replica's last acquisition, or 0 before the first. */
    public long epoch() {
        return loop.epoch();
    }

    public Status status() {
        boolean leader = loop.leader();
        return new Status(leader ? "leader" : "standby", leader ? loop.epoch() : null, loop.checkedAt());
    }

    @Override
    public void check(Handle handle) {
        if (!handle.isInTransaction()) {
            throw new IllegalStateException("the monitor fence must be checked inside the transaction it fences");
        }
        long mine = loop.epoch();
        if (!leading()) {
            throw new LeaseLostException("this replica does not hold the monitor lease"
                    + (mine == 0 ? "" : " (its last epoch was " + mine + ")") + " or cannot confirm it");
        }
        Optional<Long> current;
        try {
            current = handle.createQuery(EPOCH).mapTo(Long.class).findOne();
        } catch (JdbiException e) {
            // REPEATABLE READ or SERIALIZABLE: the row changed after the snapshot, i.e. another replica took the lease.
            if (e.getCause() instanceof SQLException sql && "40001".equals(sql.getSQLState())) {
                throw new LeaseLostException(
                        "the monitor lease changed since this transaction's snapshot; this replica holds epoch " + mine,
                        e);
            }
            throw e;
        }
        if (current.isEmpty() || current.get() != mine) {
            throw new LeaseLostException("the monitor lease is at epoch "
                    + current.map(String::valueOf).orElse("none") + ", this replica holds epoch " + mine);
        }
    }

    /**
     * Stops leading, marks the epoch released, unlocks and announces it (a standby takes over at once), and closes
     * the session. Stop the fenced work first: marking the row waits for the transactions that hold it FOR SHARE.
     * Idempotent.
     */
    @Override
    public void close() {
        loop.close();
    }
}
