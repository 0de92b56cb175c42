package dev.vantage.cli;

import dev.vantage.db.Database;
import dev.vantage.status.BadgeHandler;
import dev.vantage.status.CachedStatus;
import dev.vantage.status.StatusApiHandler;
import dev.vantage.status.StatusPageHandler;
import dev.vantage.web.WebServer;
import java.time.Clock;
import java.time.Duration;
import javax.sql.DataSource;

/**
 * The status page ({@code /}), its JSON ({@code /api/status}) and the public monitors' badges ({@code /badge/…}) on the
 * monitor's HTTP server, as the demo has them.
 */
final class StatusRoutes {
    private StatusRoutes() {}

    /**
     * Mounts them, reading through {@code db} (the monitor module's pool): the page and its JSON behind the server's
     * authentication, the badges open (they show only monitors made public). {@code stallAfter} is the bound past which
     * the page says evaluation has stalled.
     */
    static void mount(WebServer web, DataSource db, Duration stallAfter) {
        var jdbi = Database.jdbi(db);
        var status = new CachedStatus(jdbi, Clock.systemUTC(), stallAfter);
        web.route("/", new StatusPageHandler(status)).route("/api/status", new StatusApiHandler(status));
        BadgeHandler.mount(web, jdbi, Clock.systemUTC());
    }
}
