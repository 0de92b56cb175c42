package dev.vantage.lease;

import dev.vantage.config.ConfigurationException;
import dev.vantage.config.DbConnection;
import dev.vantage.db.Database;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Optional;
import java.util.Properties;

/**
 * The lease's own connection: opened with {@link Database#dedicated}, never from a pool, because a session-level advisory
 * lock belongs to the session that took it and a pool would lend that session to other work or close it behind the
 * lease's back. Every statement is bounded by a network timeout, so a silent network cannot hold the lease thread.
 * Not thread-safe: the lease thread alone uses it.
 */
final class LeaseSession implements AutoCloseable {
    /**
     * The first key of Vantage's advisory locks: 'VANT' in ASCII (1447120468). The second is the kind's
     * {@link LeaseKind#lockKey()}: a datacenter id, or 0 for the monitor.
     */
    static final int NAMESPACE = 0x56414E54;

    /**
     * Where a holder announces a graceful release (payload: {@link LeaseKind#releasePayload()}), so a standby takes
     * over at once.
     */
    static final String RELEASE_CHANNEL = "vantage_lease_released";

    /** idle_session_timeout, which frees the lock of a leader that went silent, came with PostgreSQL 14. */
    static final int MIN_SERVER_VERSION = 140_000;

    private static final String HOLDS =
            """
            SELECT count(*) FROM pg_locks
            WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
              AND classid = ?::int8::oid AND objid = ?::int8::oid AND objsubid = 2
              AND pid = pg_backend_pid() AND granted
            """;

    private final Connection connection;
    private final LeaseKind kind;
    private final int backendPid;
    private final int checkTimeoutMillis;
    private final int writeTimeoutMillis;

    private LeaseSession(Connection connection, LeaseKind kind, int backendPid, LeaseSettings settings) {
        this.connection = connection;
        this.kind = kind;
        this.backendPid = backendPid;
        this.checkTimeoutMillis = Math.toIntExact(settings.checkTimeout().toMillis());
        // A takeover may wait for a writer's transaction on the lease row; PostgreSQL ends those within
        // serverTimeout (the agent pool's statement and idle-in-transaction timeouts).
        this.writeTimeoutMillis =
                Math.toIntExact(settings.serverTimeout().multipliedBy(2).toMillis());
    }

    /**
     * Connects and prepares the session so that PostgreSQL drops it, and frees its lock, when the leader stops
     * talking: {@code idle_session_timeout} catches a frozen process or a peer that still acknowledges TCP (a
     * proxy), TCP keepalives and {@code tcp_user_timeout} a host or link that vanished.
     *
     * @throws ConfigurationException on PostgreSQL 13 or older, which cannot time out an idle session
     */
    static LeaseSession open(DbConnection db, LeaseKind kind, LeaseSettings settings) throws SQLException {
        var timeouts = new Properties();
        long connectSeconds = Math.max(1, settings.checkTimeout().toSeconds() + 1);
        timeouts.setProperty("connectTimeout", Long.toString(connectSeconds));
        timeouts.setProperty("loginTimeout", Long.toString(connectSeconds));
        timeouts.setProperty(
                "socketTimeout",
                Long.toString(settings.serverTimeout().multipliedBy(2).toSeconds()));
        Connection c = Database.dedicated(db, kind.applicationName(), timeouts);
        try {
            c.setNetworkTimeout(
                    Runnable::run, Math.toIntExact(settings.checkTimeout().toMillis()));
            c.setAutoCommit(true);
            int version;
            int pid;
            try (var s = c.createStatement();
                    ResultSet rs =
                            s.executeQuery("SELECT current_setting('server_version_num')::int, pg_backend_pid()")) {
                rs.next();
                version = rs.getInt(1);
                pid = rs.getInt(2);
            }
            if (version < MIN_SERVER_VERSION) {
                throw new ConfigurationException("PostgreSQL " + version / 10_000
                        + " is too old for the " + kind.subject() + ": it needs idle_session_timeout (PostgreSQL 14 or"
                        + " later) so that the lock of a frozen or cut-off leader is freed; upgrade the database");
            }
            long seconds = settings.serverTimeout().toSeconds();
            try (var s = c.createStatement()) {
                s.execute("SET idle_session_timeout = '" + seconds + "s'");
                s.execute("SET tcp_user_timeout = " + seconds * 1000);
                s.execute("SET tcp_keepalives_idle = " + Math.max(1, seconds / 4));
                s.execute("SET tcp_keepalives_interval = 1");
                s.execute("SET tcp_keepalives_count = " + Math.max(1, seconds / 4));
                s.execute("SET lock_timeout = '" + seconds * 3 / 2 + "s'");
                s.execute("LISTEN " + RELEASE_CHANNEL);
            }
            return new LeaseSession(c, kind, pid, settings);
        } catch (SQLException | RuntimeException e) {
            closeQuietly(c, e);
            throw e;
        }
    }

    int backendPid() {
        return backendPid;
    }

    /**
     * Ends an earlier lease session of this replica that the server may still keep (its connection failed on our
     * side only), waiting up to a second for it to go, so that its lock does not block this session. Matches on the
     * application name too, so a recycled pid of another client is never touched.
     */
    void terminate(int pid) throws SQLException {
        try (var s = connection.prepareStatement(
                "SELECT pg_terminate_backend(pid, 1000) FROM pg_stat_activity WHERE pid = ? AND application_name = ?")) {
            s.setInt(1, pid);
            s.setString(2, kind.applicationName());
            s.executeQuery().close();
        }
    }

    /** {@code pg_try_advisory_lock}: never waits. Called only when this session does not hold the lock. */
    boolean tryLock() throws SQLException {
        try (var s = connection.prepareStatement("SELECT pg_try_advisory_lock(?, ?)")) {
            s.setInt(1, kind.lockClass());
            s.setInt(2, kind.lockKey());
            try (var rs = s.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    /** Whether this session holds the lock, read from pg_locks: locking again would stack a second hold. */
    boolean holdsLock() throws SQLException {
        try (var s = connection.prepareStatement(HOLDS)) {
            s.setInt(1, kind.lockClass());
            s.setInt(2, kind.lockKey());
            try (var rs = s.executeQuery()) {
                rs.next();
                return rs.getInt(1) > 0;
            }
        }
    }

    /**
     * Records a new epoch for the lock this session just took; the fencing token of the holder's work. May wait for
     * the previous holder's fenced transactions, so it runs under a longer network timeout than a check.
     */
    LeaseKind.Acquisition bumpEpoch() throws SQLException {
        connection.setNetworkTimeout(Runnable::run, writeTimeoutMillis);
        try {
            return kind.recordAcquisition(connection);
        } finally {
            connection.setNetworkTimeout(Runnable::run, checkTimeoutMillis);
        }
    }

    /**
     * Waits up to {@code timeout} for a holder of this kind's lock to announce a graceful release; true when one did.
     * A crashed leader announces nothing: the standby's next try after the timeout finds the lock free.
     */
    boolean awaitRelease(Duration timeout) throws SQLException {
        var pg = connection.unwrap(org.postgresql.PGConnection.class);
        var notifications = pg.getNotifications(Math.toIntExact(Math.max(1, timeout.toMillis())));
        if (notifications == null) {
            return false;
        }
        String me = kind.releasePayload();
        for (var n : notifications) {
            if (me.equals(n.getParameter())) {
                return true;
            }
        }
        return false;
    }

    /** Marks the epoch released, unlocks and tells the standbys, so one takes over at once. */
    void release(long epoch) throws SQLException {
        kind.recordRelease(connection, epoch);
        try (var s = connection.prepareStatement("SELECT pg_advisory_unlock(?, ?), pg_notify(?, ?)")) {
            s.setInt(1, kind.lockClass());
            s.setInt(2, kind.lockKey());
            s.setString(3, RELEASE_CHANNEL);
            s.setString(4, kind.releasePayload());
            s.executeQuery().close();
        }
    }

    /**
     * Unlocks and tells the standbys, without marking the epoch released: a hand-off, after which this replica keeps
     * working under its epoch until the successor's epoch starts.
     */
    void unlock() throws SQLException {
        try (var s = connection.prepareStatement("SELECT pg_advisory_unlock(?, ?), pg_notify(?, ?)")) {
            s.setInt(1, kind.lockClass());
            s.setInt(2, kind.lockKey());
            s.setString(3, RELEASE_CHANNEL);
            s.setString(4, kind.releasePayload());
            s.executeQuery().close();
        }
    }

    Optional<LeaseKind.Holder> holder() throws SQLException {
        return kind.findHolder(connection);
    }

    /** The backend that holds this kind's lock now, from pg_locks; empty when nobody does. */
    Optional<LeaseKind.LockHolder> lockHolder() throws SQLException {
        try (var s = connection.prepareStatement("SELECT holder_pid, holder_login, holder_application, holder_address,"
                + " holder_is_vantage FROM vantage_lock_holder(?, ?)")) {
            s.setInt(1, kind.lockKey());
            s.setInt(2, kind.shard());
            try (var rs = s.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                return Optional.of(new LeaseKind.LockHolder(
                        rs.getInt(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getBoolean(5)));
            }
        }
    }

    @Override
    public void close() {
        closeQuietly(connection, null);
    }

    private static void closeQuietly(Connection c, Exception cause) {
        try {
            c.close();
        } catch (SQLException e) {
            if (cause != null) {
                cause.addSuppressed(e);
            }
        }
    }
}
