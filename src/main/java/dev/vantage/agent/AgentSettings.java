package dev.vantage.agent;

import dev.vantage.config.ConfigurationException;
import dev.vantage.config.DbConnection;
import dev.vantage.heartbeat.HeartbeatWriterSettings;
import dev.vantage.lease.LeaseSettings;
import dev.vantage.probe.warm.WarmUpSettings;
import java.time.Duration;

/**
 * Everything an agent process needs, validated once with the setting's name in the message, then never changed.
 *
 * @param db where the database is (DB_CONN_STRING)
 * @param datacenter datacenter id or code (DATACENTER_ID)
 * @param name agent name (VANTAGE_AGENT_NAME), hostname-pid by default
 * @param maxConcurrency probes running at once (VANTAGE_MAX_CONCURRENCY)
 * @param reloadInterval slow reload timer, in case a NOTIFY was missed (VANTAGE_RELOAD_INTERVAL)
 * @param shutdownGrace how long probes in flight may finish at shutdown (VANTAGE_SHUTDOWN_GRACE)
 * @param dbWait how long to wait for the database at start before giving up (VANTAGE_DB_WAIT)
 * @param writer heartbeat writer buffering
 * @param lease datacenter lease timings and what to do when the database is lost (VANTAGE_ON_DB_LOSS)
 * @param warmUp the probe path's warm-up before the first slot and while probing nothing (VANTAGE_WARMUP)
 */
public record AgentSettings(
        DbConnection db,
        String datacenter,
        String name,
        int maxConcurrency,
        Duration reloadInterval,
        Duration shutdownGrace,
        Duration dbWait,
        HeartbeatWriterSettings writer,
        LeaseSettings lease,
        WarmUpSettings warmUp) {

    /** How often the agents row is refreshed (liveness, role, lease epoch and last check). */
    public static final Duration LIVENESS_INTERVAL = Duration.ofSeconds(2);

    public AgentSettings {
        if (db == null) {
            throw new ConfigurationException("DB_CONN_STRING is not set");
        }
        if (datacenter == null || datacenter.isBlank()) {
            throw new ConfigurationException("DATACENTER_ID is not set: give the datacenter id or code");
        }
        if (name == null || name.isBlank() || name.length() > 100) {
            throw new ConfigurationException("VANTAGE_AGENT_NAME must be 1 to 100 characters");
        }
        if (maxConcurrency < 1 || maxConcurrency > 100_000) {
            throw new ConfigurationException(
                    "VANTAGE_MAX_CONCURRENCY must be between 1 and 100000, was " + maxConcurrency);
        }
        if (reloadInterval.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new ConfigurationException("VANTAGE_RELOAD_INTERVAL must be at least 1 s, was " + reloadInterval);
        }
        if (writer == null || lease == null || warmUp == null) {
            throw new IllegalArgumentException("writer, lease and warm-up settings are required");
        }
        if (shutdownGrace.isNegative() || dbWait.isNegative()) {
            throw new ConfigurationException("VANTAGE_SHUTDOWN_GRACE and VANTAGE_DB_WAIT must not be negative");
        }
    }

    /** With the default warm-up (on). */
    public AgentSettings(
            DbConnection db,
            String datacenter,
            String name,
            int maxConcurrency,
            Duration reloadInterval,
            Duration shutdownGrace,
            Duration dbWait,
            HeartbeatWriterSettings writer,
            LeaseSettings lease) {
        this(
                db,
                datacenter,
                name,
                maxConcurrency,
                reloadInterval,
                shutdownGrace,
                dbWait,
                writer,
                lease,
                WarmUpSettings.DEFAULTS);
    }

    public AgentSettings withWarmUp(WarmUpSettings value) {
        return new AgentSettings(
                db, datacenter, name, maxConcurrency, reloadInterval, shutdownGrace, dbWait, writer, lease, value);
    }

    public static String defaultName() {
        String host = System.getenv("HOSTNAME");
        if (host == null || host.isBlank()) {
            try {
                host = java.net.InetAddress.getLocalHost().getHostName();
            } catch (java.net.UnknownHostException e) {
                host = "agent";
            }
        }
        return host + "-" + ProcessHandle.current().pid();
    }
}
