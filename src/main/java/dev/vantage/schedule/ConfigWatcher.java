package dev.vantage.schedule;

import dev.vantage.Meters;
import dev.vantage.config.DbConnection;
import dev.vantage.db.Database;
import dev.vantage.loop.BackgroundLoop;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import org.postgresql.PGConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Calls {@code reload} when the configuration changes: at once on a {@code NOTIFY vantage_config} (the config tables'
 * triggers send it), after every reconnect (notifications sent while disconnected are lost), and on a slow timer in
 * case one was missed anyway. LISTEN needs a session of its own, so this holds one dedicated connection outside the
 * pool. A failed reload or a lost connection is logged and counted; the loop never dies of an exception and the agent
 * keeps running its last good configuration. An {@link Error} (a bug, memory) is not caught here: it ends the thread,
 * and {@link dev.vantage.Fatal} ends the process with it, so that a standby takes over instead of a process running
 * stale configuration. A row too large to hold never reaches this far ({@link dev.vantage.store.ConfigDao}).
 */
public final class ConfigWatcher implements AutoCloseable {
    public static final String CHANNEL = "vantage_config";
    private static final Logger log = LoggerFactory.getLogger(ConfigWatcher.class);
    private static final Duration POLL = Duration.ofMillis(250);
    /** Notifications arriving this close together (one transaction editing several tables) make one reload. */
    private static final Duration COALESCE = Duration.ofMillis(50);

    private static final Duration MAX_BACKOFF = Duration.ofSeconds(5);

    private final DbConnection db;
    private final Reload reload;
    private final Duration slowTimer;
    private final MeterRegistry meters;
    private volatile boolean stopping;
    private volatile Connection connection;
    private BackgroundLoop loop;
    /** Loop thread only: the last session failed, so the next one logs that it is back. */
    private boolean lostDatabase;

    /** Loads the configuration and applies it; throws when the database cannot be read. */
    @FunctionalInterface
    public interface Reload {
        void run(String reason) throws Exception;
    }

    public ConfigWatcher(DbConnection db, Reload reload, Duration slowTimer, MeterRegistry meters) {
        this.db = db;
        this.reload = reload;
        this.slowTimer = slowTimer;
        this.meters = meters;
    }

    public synchronized void start() {
        loop = BackgroundLoop.named(
                        "config-watcher", "Config watcher (running the last loaded configuration)", log, meters)
                .backoff(Duration.ofMillis(500), MAX_BACKOFF)
                .start(this::session);
    }

    /** One session: LISTEN, reload, then reload on every notification until the connection fails or we stop. */
    private Duration session() throws SQLException {
        try (Connection c = Database.dedicated(db, "vantage-config-watcher")) {
            connection = c;
            try (var s = c.createStatement()) {
                s.execute("LISTEN " + CHANNEL);
            }
            if (lostDatabase) {
                log.info("Config watcher reconnected; reloading in case a change was missed");
                lostDatabase = false;
            }
            reloadSafely("start");
            listen(c.unwrap(PGConnection.class));
        } catch (SQLException e) {
            lostDatabase = true;
            throw e;
        } finally {
            connection = null;
        }
        return Duration.ZERO;
    }

    private void listen(PGConnection pg) throws SQLException {
        long lastReload = System.nanoTime();
        while (!stopping) {
            var notifications = pg.getNotifications((int) POLL.toMillis());
            if (notifications != null && notifications.length > 0) {
                // Let the rest of a burst arrive, then reload once.
                sleep(COALESCE);
                pg.getNotifications(1);
                reloadSafely("notify:" + notifications[0].getParameter());
                lastReload = System.nanoTime();
            } else if (System.nanoTime() - lastReload >= slowTimer.toNanos()) {
                reloadSafely("timer");
                lastReload = System.nanoTime();
            }
        }
    }

    private void reloadSafely(String reason) {
        try {
            reload.run(reason);
            meters.counter(Meters.CONFIG_RELOADS, "outcome", "ok").increment();
        } catch (Exception e) {
            meters.counter(Meters.CONFIG_RELOADS, "outcome", "failed").increment();
            log.warn("Config reload ({}) failed: {}; keeping the previous configuration", reason, e.toString());
        }
    }

    private void sleep(Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stopping = true;
        }
    }

    @Override
    public void close() {
        stopping = true;
        BackgroundLoop l;
        synchronized (this) {
            l = loop;
        }
        if (l != null && !l.stop(POLL.multipliedBy(4))) {
            Connection c = connection;
            if (c != null) {
                try {
                    c.close();
                } catch (SQLException ignored) {
                    // closing a connection we are abandoning anyway
                }
            }
        }
    }
}
