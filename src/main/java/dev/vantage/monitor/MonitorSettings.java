package dev.vantage.monitor;

import dev.vantage.config.ConfigurationException;
import dev.vantage.config.DbConnection;
import dev.vantage.lease.LeaseSettings;
import java.time.Duration;

/**
 * Everything a {@code vantage monitor} process needs, validated once with the setting's name in the message.
 *
 * @param db where the database is (DB_CONN_STRING)
 * @param name this process in logs and in monitor_leases.holder (VANTAGE_MONITOR_NAME), hostname-pid by default
 * @param reloadInterval slow reload timer of the configuration, in case a NOTIFY was missed (VANTAGE_RELOAD_INTERVAL)
 * @param dbWait how long to wait for the database at start (VANTAGE_DB_WAIT)
 * @param lostAfter how long a datacenter may go without a live leader agent before it is LOST (VANTAGE_LOST_AFTER)
 * @param batchSize heartbeats evaluated per transaction at most (VANTAGE_BATCH_SIZE)
 * @param poll how often the evaluator looks for new heartbeats when it has caught up
 * @param attemptTimeout the bound of one delivery attempt (VANTAGE_NOTIFY_TIMEOUT)
 * @param retentionDays raw heartbeats are kept at least this many days, then their partition is rolled up and dropped
 *     (VANTAGE_RETENTION_DAYS)
 * @param lease the monitor lease's timings
 * @param stateMetrics the per-monitor state gauges (VANTAGE_MONITOR_STATE_METRICS, VANTAGE_MONITOR_STATE_MAX_SERIES)
 */
public record MonitorSettings(
        DbConnection db,
        String name,
        Duration reloadInterval,
        Duration dbWait,
        Duration lostAfter,
        int batchSize,
        Duration poll,
        Duration attemptTimeout,
        int retentionDays,
        LeaseSettings lease,
        StateMetricsSettings stateMetrics) {

    public static final Duration LOST_AFTER = Duration.ofSeconds(30);
    public static final int BATCH_SIZE = 10_000;
    public static final Duration POLL = Duration.ofMillis(200);
    public static final Duration ATTEMPT_TIMEOUT = Duration.ofSeconds(10);
    public static final int RETENTION_DAYS = 30;

    public MonitorSettings {
        if (db == null) {
            throw new ConfigurationException("DB_CONN_STRING is not set");
        }
        if (name == null || name.isBlank() || name.length() > 100) {
            throw new ConfigurationException("VANTAGE_MONITOR_NAME must be 1 to 100 characters");
        }
        if (reloadInterval.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new ConfigurationException("VANTAGE_RELOAD_INTERVAL must be at least 1 s, was " + reloadInterval);
        }
        if (dbWait.isNegative()) {
            throw new ConfigurationException("VANTAGE_DB_WAIT must not be negative");
        }
        if (lostAfter.compareTo(Duration.ofSeconds(5)) < 0) {
            throw new ConfigurationException("VANTAGE_LOST_AFTER must be at least 5 s (agents refresh their row every"
                    + " 2 s), was " + lostAfter.toSeconds() + " s");
        }
        if (batchSize < 1 || batchSize > 1_000_000) {
            throw new ConfigurationException("VANTAGE_BATCH_SIZE must be between 1 and 1000000, was " + batchSize);
        }
        if (attemptTimeout.compareTo(Duration.ofSeconds(1)) < 0
                || attemptTimeout.compareTo(Duration.ofMinutes(5)) > 0) {
            throw new ConfigurationException(
                    "VANTAGE_NOTIFY_TIMEOUT must be between 1 and 300 s, was " + attemptTimeout.toSeconds() + " s");
        }
        if (retentionDays < 1 || retentionDays > 36_500) {
            throw new ConfigurationException(
                    "VANTAGE_RETENTION_DAYS must be between 1 and 36500 days, was " + retentionDays);
        }
        if (poll.isNegative() || poll.isZero() || lease == null || stateMetrics == null) {
            throw new IllegalArgumentException("poll must be positive and lease and state metrics settings given");
        }
    }

    public static MonitorSettings defaults(DbConnection db, String name) {
        return new MonitorSettings(
                db,
                name,
                Duration.ofSeconds(30),
                Duration.ofSeconds(60),
                LOST_AFTER,
                BATCH_SIZE,
                POLL,
                ATTEMPT_TIMEOUT,
                RETENTION_DAYS,
                LeaseSettings.DEFAULTS,
                StateMetricsSettings.DEFAULTS);
    }

    public MonitorSettings withLostAfter(Duration value) {
        return new MonitorSettings(
                db,
                name,
                reloadInterval,
                dbWait,
                value,
                batchSize,
                poll,
                attemptTimeout,
                retentionDays,
                lease,
                stateMetrics);
    }

    public MonitorSettings withLease(LeaseSettings value) {
        return new MonitorSettings(
                db,
                name,
                reloadInterval,
                dbWait,
                lostAfter,
                batchSize,
                poll,
                attemptTimeout,
                retentionDays,
                value,
                stateMetrics);
    }

    public MonitorSettings withBatchSize(int value) {
        return new MonitorSettings(
                db,
                name,
                reloadInterval,
                dbWait,
                lostAfter,
                value,
                poll,
                attemptTimeout,
                retentionDays,
                lease,
                stateMetrics);
    }

    public MonitorSettings withStateMetrics(StateMetricsSettings value) {
        return new MonitorSettings(
                db,
                name,
                reloadInterval,
                dbWait,
                lostAfter,
                batchSize,
                poll,
                attemptTimeout,
                retentionDays,
                lease,
                value);
    }
}
