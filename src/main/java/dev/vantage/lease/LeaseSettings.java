package dev.vantage.lease;

import dev.vantage.config.ConfigurationException;
import java.time.Duration;

/**
 * Timings of the datacenter lease, validated once. The defaults keep one ordering that the protocol relies on: the
 * leader stops trusting its lock ({@code trustWindow} after the start of its last good check) before PostgreSQL frees
 * it ({@code serverTimeout} after the leader's session went silent), so a frozen or cut-off leader has stopped
 * starting probes by the time a standby can take over.
 *
 * @param checkInterval how often the leader checks in pg_locks that its session still holds the lock
 * @param checkTimeout bound on one check round trip (the lease connection's network timeout)
 * @param trustWindow how long after the start of its last good check the leader still starts probes
 * @param serverTimeout idle_session_timeout and TCP user timeout of the lease session: how soon PostgreSQL drops
 *     the session, and its lock, of a leader that stopped talking
 * @param retryInterval how often a standby tries to take the lock (with ±20% jitter)
 * @param onDbLoss what a leader does when it cannot reach the database
 */
public record LeaseSettings(
        Duration checkInterval,
        Duration checkTimeout,
        Duration trustWindow,
        Duration serverTimeout,
        Duration retryInterval,
        OnDbLoss onDbLoss) {

    public static final LeaseSettings DEFAULTS = new LeaseSettings(
            Duration.ofSeconds(2),
            Duration.ofMillis(1_500),
            Duration.ofSeconds(6),
            Duration.ofSeconds(10),
            Duration.ofSeconds(1),
            OnDbLoss.CONTINUE);

    public LeaseSettings {
        positive("checkInterval", checkInterval);
        positive("checkTimeout", checkTimeout);
        positive("trustWindow", trustWindow);
        positive("serverTimeout", serverTimeout);
        positive("retryInterval", retryInterval);
        if (onDbLoss == null) {
            throw new ConfigurationException("onDbLoss must be set");
        }
        if (trustWindow.compareTo(checkInterval.plus(checkTimeout)) <= 0) {
            throw new ConfigurationException("lease trustWindow (" + trustWindow
                    + ") must be longer than checkInterval + checkTimeout (" + checkInterval.plus(checkTimeout)
                    + "), or a healthy leader would stop between two checks");
        }
        if (trustWindow.compareTo(serverTimeout) >= 0) {
            throw new ConfigurationException("lease trustWindow (" + trustWindow
                    + ") must be shorter than serverTimeout (" + serverTimeout
                    + "), so a cut-off leader stops before PostgreSQL frees its lock");
        }
        if (serverTimeout.toMillis() % 1000 != 0) {
            throw new ConfigurationException("lease serverTimeout must be whole seconds, was " + serverTimeout);
        }
    }

    public LeaseSettings withOnDbLoss(OnDbLoss value) {
        return new LeaseSettings(checkInterval, checkTimeout, trustWindow, serverTimeout, retryInterval, value);
    }

    private static void positive(String name, Duration value) {
        if (value == null || value.isNegative() || value.isZero()) {
            throw new ConfigurationException("lease " + name + " must be positive, was " + value);
        }
    }
}
