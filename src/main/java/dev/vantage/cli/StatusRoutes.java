package dev.vantage.cli;

import dev.vantage.db.Database;
import dev.vantage.status.CachedStatus;
import dev.vantage.status.StatusApiHandler;
import dev.vantage.status.StatusPageHandler;
import dev.vantage.web.WebServer;
import java.time.Clock;
import java.time.Duration;
import javax.sql.DataSource;

/** The status page ({@code /}) and its JSON ({@code /api/status}) on the monitor's HTTP server, as the demo has them. */
final class StatusRoutes {
    private StatusRoutes() {}

    /**
     * Mounts both, reading through {@code db} (the monitor module's pool): behind the server's authentication. {@code
     * stallAfter} is the bound past which they say evaluation has stalled.
     */
    static void mount(WebServer web, DataSource db, Duration stallAfter) {
        var status = new CachedStatus(Database.jdbi(db), Clock.systemUTC(), stallAfter);
        web.route("/", new StatusPageHandler(status)).route("/api/status", new StatusApiHandler(status));
    }
}
