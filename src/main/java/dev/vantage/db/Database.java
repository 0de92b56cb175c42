package dev.vantage.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.metrics.micrometer.MicrometerMetricsTrackerFactory;
import dev.vantage.Causes;
import dev.vantage.config.ConfigurationException;
import dev.vantage.config.DbConnection;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.sqlobject.SqlObjectPlugin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Opens connections: a small Hikari pool for ordinary work, and dedicated connections outside it. */
public final class Database {
    private static final Logger log = LoggerFactory.getLogger(Database.class);

    private Database() {}

    /**
     * A pool that does not fail at construction when the database is down (the agent keeps running and retries);
     * callers see {@link SQLException}s until it is back.
     */
    public static HikariDataSource pool(DbConnection db, String name, int maxSize) {
        return new HikariDataSource(config(db, name, maxSize));
    }

    /**
     * A pool whose sessions PostgreSQL ends when one statement or one idle transaction lasts past
     * {@code serverTimeout}. The agent needs it: its writer holds the datacenter_leases row FOR SHARE during each
     * batch, and a writer cut off mid-transaction would otherwise keep a standby from recording its takeover until
     * TCP gave up, which on a silent network can take hours.
     */
    public static HikariDataSource pool(DbConnection db, String name, int maxSize, java.time.Duration serverTimeout) {
        var config = config(db, name, maxSize);
        long ms = serverTimeout.toMillis();
        config.setConnectionInitSql(
                "SET statement_timeout = " + ms + "; SET idle_in_transaction_session_timeout = " + ms);
        return new HikariDataSource(config);
    }

    /**
     * The pool's meters on {@code meters} ({@code hikaricp_connections*}, tagged {@code pool} with its name): connections
     * active, idle, pending, their acquire, usage and creation times, timeouts. Removed when the pool closes.
     */
    public static HikariDataSource measured(HikariDataSource pool, MeterRegistry meters) {
        pool.setMetricsTrackerFactory(new MicrometerMetricsTrackerFactory(meters));
        return pool;
    }

    private static HikariConfig config(DbConnection db, String name, int maxSize) {
        var config = new HikariConfig();
        config.setPoolName(name);
        config.setJdbcUrl(db.jdbcUrl());
        if (db.user() != null) {
            config.setUsername(db.user());
        }
        if (db.password() != null) {
            config.setPassword(db.password());
        }
        config.setMaximumPoolSize(maxSize);
        config.setMinimumIdle(1);
        config.setInitializationFailTimeout(-1);
        config.setConnectionTimeout(5_000);
        config.setValidationTimeout(2_000);
        config.addDataSourceProperty("ApplicationName", name);
        config.addDataSourceProperty("tcpKeepAlive", "true");
        config.addDataSourceProperty("connectTimeout", "5");
        config.addDataSourceProperty("socketTimeout", "60");
        config.addDataSourceProperty("reWriteBatchedInserts", "true");
        return config;
    }

    /** A connection of its own, outside any pool, for LISTEN or a session-level lock. */
    public static Connection dedicated(DbConnection db, String applicationName) throws SQLException {
        return dedicated(db, applicationName, new Properties());
    }

    /** {@link #dedicated(DbConnection, String)} with driver properties that override the defaults (timeouts). */
    public static Connection dedicated(DbConnection db, String applicationName, Properties overrides)
            throws SQLException {
        var props = new Properties();
        if (db.user() != null) {
            props.setProperty("user", db.user());
        }
        if (db.password() != null) {
            props.setProperty("password", db.password());
        }
        props.setProperty("ApplicationName", applicationName);
        props.setProperty("tcpKeepAlive", "true");
        props.setProperty("connectTimeout", "5");
        props.putAll(overrides);
        return DriverManager.getConnection(db.jdbcUrl(), props);
    }

    public static Jdbi jdbi(javax.sql.DataSource dataSource) {
        return Jdbi.create(dataSource).installPlugin(new SqlObjectPlugin());
    }

    /**
     * Waits up to {@code wait} for the database to accept a connection, logging once while it waits.
     *
     * @throws ConfigurationException when it is still unreachable after {@code wait}
     */
    public static void awaitReachable(HikariDataSource pool, java.time.Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        boolean logged = false;
        while (true) {
            try (var c = pool.getConnection()) {
                return;
            } catch (SQLException e) {
                if (System.nanoTime() >= deadline) {
                    throw new ConfigurationException("cannot reach the database of DB_CONN_STRING after "
                            + wait.toSeconds() + " s: " + Causes.rootMessage(e));
                }
                if (!logged) {
                    log.warn(
                            "Waiting for the database ({}); retrying for up to {} s",
                            Causes.rootMessage(e),
                            wait.toSeconds());
                    logged = true;
                }
                try {
                    Thread.sleep(1_000);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new ConfigurationException("interrupted while waiting for the database");
                }
            }
        }
    }
}
