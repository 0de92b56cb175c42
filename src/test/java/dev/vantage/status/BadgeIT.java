package dev.vantage.status;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vantage.testing.PostgresExtension;
import dev.vantage.testing.SettableClock;
import dev.vantage.testing.TestDatabase;
import dev.vantage.web.HttpAuth;
import dev.vantage.web.WebServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Badges served by a real {@link WebServer} on loopback that requires a token, over a seeded database whose hours are
 * partly rolled up: monitor 1 "API" (public, slug {@code api}, UP, 14 of 15 probes in 24 h outside maintenance), 7
 * "Internal" (not public), 8 a public monitor with a hostile name (DOWN), 9 "Cached" (public, slug {@code cached}).
 */
@ExtendWith(PostgresExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BadgeIT {
    private static final String TOKEN = "badge-test-token";
    private static final String HOSTILE = "<script>alert(\"x\")</script> & 'co'";

    private final HttpClient http = HttpClient.newHttpClient();
    private SettableClock clock;
    private WebServer web;
    private TestDatabase db;

    @BeforeAll
    void serve(TestDatabase db) {
        this.db = db;
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        StatusSeed.full(db, now);
        db.execute("UPDATE api_monitors SET public = true, slug = 'api' WHERE id = 1");
        // A failure in maintenance: left out of uptime, as api_uptime_daily leaves it out.
        db.execute(
                "INSERT INTO api_heartbeats (monitor_id, datacenter_id, scheduled_at, executed_at, success,"
                        + " error_type, in_maintenance) VALUES (1, 1, ?, ?, false, 'CONNECT', true)",
                Timestamp.from(now.minus(Duration.ofMinutes(7))),
                Timestamp.from(now.minus(Duration.ofMinutes(7))));
        // The hours before the current one come from the rollups, the rest from the heartbeats themselves.
        db.execute(
                "SELECT vantage_rollup_heartbeats(?, date_trunc('hour', ?::timestamptz))",
                Timestamp.from(now.minus(Duration.ofDays(3))),
                Timestamp.from(now));
        db.execute("INSERT INTO api_monitors (name, url, schedule_id) VALUES ('Internal', 'https://in.example/', 1)");
        db.execute(
                "INSERT INTO api_monitors (name, url, schedule_id, public) VALUES (?, 'https://h.example/', 1,"
                        + " true)",
                HOSTILE);
        db.execute("INSERT INTO api_monitors (name, url, schedule_id, public, slug)"
                + " VALUES ('Cached', 'https://c.example/', 1, true, 'cached')");
        StatusSeed.state(db, 7, null, "UP", now, "UP", Duration.ofMinutes(5));
        StatusSeed.state(db, 8, null, "DOWN", now, "DOWN", Duration.ofMinutes(5));
        StatusSeed.state(db, 9, null, "UP", now, "UP", Duration.ofMinutes(5));
        clock = new SettableClock(now);
        web = WebServer.start("127.0.0.1", 0, HttpAuth.of(TOKEN, null));
        var status = new CachedStatus(db.jdbi(), clock);
        web.route("/api/status", new StatusApiHandler(status));
        web.routeOpenPrefix(
                "/badge/", Set.of("GET", "HEAD"), new BadgeHandler(db.jdbi(), clock, Duration.ofSeconds(30)));
    }

    @AfterAll
    void stop() {
        if (web != null) {
            web.close();
        }
    }

    private HttpResponse<String> get(String path, String... headers) throws Exception {
        var request = HttpRequest.newBuilder(URI.create(web.url() + path)).timeout(Duration.ofSeconds(30));
        if (headers.length > 0) {
            request.headers(headers);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    @Test
    void aPublicMonitorsStateBadgeIsServedByIdAndBySlugWithoutTheToken() throws Exception {
        var byId = get("/badge/1/status.svg");
        var bySlug = get("/badge/api/status.svg");
        var page = get("/api/status");

        assertThat(page.statusCode()).as("the status API still needs the token").isEqualTo(401);
        for (var badge : java.util.List.of(byId, bySlug)) {
            assertThat(badge.statusCode()).isEqualTo(200);
            assertThat(badge.headers().firstValue("Content-Type")).hasValue("image/svg+xml; charset=utf-8");
            assertThat(badge.headers().firstValue("Cache-Control")).hasValue("public, max-age=30");
            assertThat(badge.body())
                    .startsWith("<svg xmlns=\"http://www.w3.org/2000/svg\"")
                    .contains("<title>API: up</title>", ">API</text>", ">up</text>", "fill=\"" + BadgeSvg.GREEN + "\"");
        }
        assertThat(bySlug.body()).isEqualTo(byId.body());
        assertThat(get("/badge/8/status.svg").body()).contains(">down</text>", "fill=\"" + BadgeSvg.RED + "\"");
    }

    @Test
    void theUptimeBadgeLeavesMaintenanceOutAndTakesAWindow() throws Exception {
        var day = get("/badge/api/uptime.svg");
        var week = get("/badge/1/uptime.svg?window=7d");
        var explicitDay = get("/badge/api/uptime.svg?window=24h");

        assertThat(day.statusCode()).isEqualTo(200);
        // 14 successes of 15 probes outside maintenance in 24 h; the week adds the failure of 30 h ago.
        assertThat(day.body()).contains(">uptime 24h</text>", ">93.33%</text>", "fill=\"" + BadgeSvg.ORANGE + "\"");
        assertThat(explicitDay.body()).isEqualTo(day.body());
        assertThat(week.body()).contains(">uptime 7d</text>", ">87.50%</text>", "fill=\"" + BadgeSvg.RED + "\"");
    }

    @Test
    void aBadWindowIsA400ThatNamesTheParameter() throws Exception {
        var bad = get("/badge/api/uptime.svg?window=1y");

        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.body()).isEqualTo("window: expected 24h, 7d or 30d, was '1y'\n");
    }

    @Test
    void aMonitorThatIsNotPublicIsAsUnknownAsOneThatDoesNotExist() throws Exception {
        var internal = get("/badge/7/status.svg");
        var internalUptime = get("/badge/7/uptime.svg");
        var missing = get("/badge/4242/status.svg");
        var noSuchSlug = get("/badge/no-such-slug/status.svg");
        var badKey = get("/badge/..%2Fetc/status.svg");
        var otherFile = get("/badge/1/other.svg");
        var withToken = get("/badge/7/status.svg", "Authorization", "Bearer " + TOKEN);
        var noRoute = get("/nothing-here");

        for (var r : java.util.List.of(internal, internalUptime, missing, noSuchSlug, badKey, otherFile, withToken)) {
            assertThat(r.statusCode()).isEqualTo(404);
            assertThat(r.body()).isEqualTo(noRoute.body()).isEqualTo(WebServer.NOT_FOUND);
            assertThat(r.headers().firstValue("Content-Type"))
                    .isEqualTo(noRoute.headers().firstValue("Content-Type"));
        }
    }

    @Test
    void aHostileNameIsEscaped() throws Exception {
        var badge = get("/badge/8/status.svg");

        assertThat(badge.statusCode()).isEqualTo(200);
        assertThat(badge.body())
                .contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;co&#39;")
                .doesNotContain("<script", "\"x\"");
    }

    @Test
    void theCacheAnswersUntilItsTtlThenReadsTheDatabaseAgain() throws Exception {
        var first = get("/badge/cached/status.svg");
        db.execute("UPDATE monitor_states SET state = 'DOWN' WHERE monitor_id = 9");
        clock.advance(Duration.ofSeconds(20));
        var cached = get("/badge/cached/status.svg");
        var notModified = get(
                "/badge/cached/status.svg",
                "If-None-Match",
                first.headers().firstValue("ETag").orElseThrow());
        clock.advance(Duration.ofSeconds(11));
        var fresh = get("/badge/cached/status.svg");

        assertThat(first.body()).contains(">up</text>");
        assertThat(cached.body()).isEqualTo(first.body());
        assertThat(cached.headers().firstValue("Cache-Control")).hasValue("public, max-age=10");
        assertThat(notModified.statusCode()).isEqualTo(304);
        assertThat(notModified.body()).isEmpty();
        assertThat(fresh.body()).contains(">down</text>");
        assertThat(fresh.headers().firstValue("ETag"))
                .isNotEqualTo(first.headers().firstValue("ETag"));
    }

    /**
     * One badge whose query waits on the database (its uptime's rollups locked by another transaction) holds up no
     * other badge: the cache is not locked across a load.
     */
    @Test
    void aBadgeWaitingOnTheDatabaseHoldsUpNoOtherBadge() throws Exception {
        clock.advance(Duration.ofHours(1)); // past every cached answer
        try (var holder = db.jdbi().open()) {
            holder.begin();
            holder.execute("LOCK TABLE api_heartbeat_rollups IN ACCESS EXCLUSIVE MODE");
            var waiting = http.sendAsync(
                    HttpRequest.newBuilder(URI.create(web.url() + "/badge/api/uptime.svg?window=30d"))
                            .timeout(Duration.ofSeconds(30))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            org.awaitility.Awaitility.await("the uptime query waits on the lock")
                    .atMost(Duration.ofSeconds(15))
                    .until(() -> db.count("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                                    + " AND query LIKE '%api_heartbeat_rollups%'")
                            > 0);

            var other = get("/badge/cached/status.svg");

            assertThat(other.statusCode()).isEqualTo(200);
            assertThat(waiting).isNotDone();
            holder.rollback();
            assertThat(waiting.get(15, java.util.concurrent.TimeUnit.SECONDS).statusCode())
                    .isEqualTo(200);
        }
    }
}
