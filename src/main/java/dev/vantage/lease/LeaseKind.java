package dev.vantage.lease;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Optional;

/**
 * What differs between the leases that run the one protocol of {@link LeaseLoop}: which advisory lock, which ledger
 * row records the epochs, what a release announces, and how the log names it. Implementations are values; their
 * statements run on the lease session's connection, in autocommit.
 *
 * <p>Every kind locks {@code (LeaseSession.NAMESPACE + shard(), lockKey())} and announces releases on
 * {@link LeaseSession#RELEASE_CHANNEL}, so two kinds must differ in both {@link #lockKey()} and
 * {@link #releasePayload()}.
 */
interface LeaseKind {

    /** An epoch the session just recorded; fencing the holder's work from {@code acquiredAt} (database time). */
    record Acquisition(long epoch, Instant acquiredAt) {}

    /** Who holds the current epoch, as the ledger says: the last acquisition recorded, not who holds the lock now. */
    record Holder(long epoch, String holder, Instant acquiredAt) {}

    /**
     * The backend that holds the advisory lock now, from pg_locks and pg_stat_activity ({@code vantage_lock_holder}):
     * its login, and its application name and client address when the function's owner may see them (null if not).
     * {@code vantage} is false when the login is not one that Vantage runs this lease as (a foreign role, another
     * datacenter's agent login, an agent login holding the monitor's lock).
     */
    record LockHolder(int pid, String login, String application, String address, boolean vantage) {
        /** "backend pid 4242 (login va_agent, application 'vantage-lease dc=VA agent=3', from 10.0.0.7)". */
        public String describe() {
            return "backend pid " + pid + " (login " + login
                    + (application == null ? ", application hidden" : ", application '" + application + "'")
                    + (address == null ? "" : ", from " + address)
                    + ")";
        }
    }

    /** Second key of {@code pg_try_advisory_lock(lockClass(), key)}. */
    int lockKey();

    /**
     * Which shard of its datacenter the lease is for: 0 for a datacenter of one shard and for the monitor. Part of the
     * lock's first key ({@link #lockClass()}) and of the meters' tags.
     */
    default int shard() {
        return 0;
    }

    /** First key of the advisory lock: {@link LeaseSession#NAMESPACE} plus the shard. */
    default int lockClass() {
        return LeaseSession.NAMESPACE + shard();
    }

    /** What a graceful release sends on the release channel; standbys of this kind wait for exactly this. */
    String releasePayload();

    /** The lease session's application_name: how an operator, and the lease itself, find the session. */
    String applicationName();

    /** Value of the {@code kind} tag of the lease meters. */
    String meterTag();

    /** What the lease is for, as in "Standing by for {name}" ("datacenter:VA"). */
    String name();

    /** What is held, as in "Acquired {subject} (epoch 7)" ("lock for datacenter:VA"). */
    String subject();

    /** What the holder does while it leads, as in "stopped {work}" ("probing"). */
    String work();

    /**
     * Records a new epoch for the lock the session just took, by updating the ledger row, which waits for every
     * transaction that holds that row FOR SHARE (the fence of the previous holder's work).
     */
    Acquisition recordAcquisition(Connection c) throws SQLException;

    /** Marks {@code epoch} released in the ledger, if it is still the current one. */
    void recordRelease(Connection c, long epoch) throws SQLException;

    Optional<Holder> findHolder(Connection c) throws SQLException;

    /**
     * The rest of a standby's log line, after "Standing by for {name}: ": the backend that holds the lock (the truth),
     * then what the ledger last recorded.
     */
    String describe(Optional<LockHolder> lock, Optional<Holder> ledger);
}
