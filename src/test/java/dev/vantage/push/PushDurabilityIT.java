package dev.vantage.push;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.vantage.heartbeat.HeartbeatMeters;
import dev.vantage.testing.AgentProcess;
import dev.vantage.testing.PostgresExtension;
import dev.vantage.testing.PostgresExtension.Fresh;
import dev.vantage.testing.TestDatabase;
import dev.vantage.web.HttpAuth;
import dev.vantage.web.WebServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A beat answered 200 is never lost: through a database outage (journaled, written once when it is back) and through
 * a kill of the process that took it (its journal replayed by the next one on the directory). Without a journal, an
 * outage is answered 503, never 200.
 */
@ExtendWith(PostgresExtension.class)
class PushDurabilityIT {
    private static final Duration START = Duration.ofSeconds(60);

    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private final List<AutoCloseable> running = new ArrayList<>();

    @TempDir
    Path journal;

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : running.reversed()) {
            c.close();
        }
    }

    private String pushMonitor(TestDatabase db, String name) {
        long schedule = db.count("INSERT INTO schedules (name, interval) VALUES ('daily', 86400) RETURNING id");
        return db.jdbi().withHandle(h -> h.createQuery(
                        "INSERT INTO api_monitors (name, type, schedule_id) VALUES (?, 'push', ?) RETURNING push_token")
                .bind(0, name)
                .bind(1, schedule)
                .mapTo(String.class)
                .one());
    }

    private String serve(TestDatabase db, PushSettings settings, SimpleMeterRegistry meters) {
        var ingest = PushIngest.start(settings, db.connection(), "durability-it", meters, Clock.systemUTC());
        running.add(ingest);
        var web = WebServer.start("127.0.0.1", 0, HttpAuth.NONE);
        running.add(web);
        ingest.mount(web);
        return web.url();
    }

    private HttpResponse<String> post(String url, String body) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create(url))
                        .timeout(Duration.ofSeconds(20))
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static void awaitBeats(TestDatabase db, long beats) {
        // The test pool's connections were ended by the outage: ignore those failures and ask again.
        await().atMost(Duration.ofSeconds(30))
                .ignoreExceptions()
                .until(() -> db.count("SELECT count(*) FROM api_heartbeats WHERE datacenter_id = 0") == beats);
    }

    @Test
    void withAJournalBeatsAcceptedDuringAnOutageAreWrittenExactlyOnceWhenTheDatabaseIsBack(@Fresh TestDatabase db)
            throws Exception {
        String token = pushMonitor(db, "outage");
        var meters = new SimpleMeterRegistry();
        String url = serve(db, PushSettings.DEFAULTS.withJournal(journal, 64L << 20), meters) + "/ping/" + token;
        assertThat(post(url, "before").statusCode()).isEqualTo(200);

        var answers = new ArrayList<Integer>();
        db.setAllowConnections(false);
        try {
            for (int i = 0; i < 30; i++) {
                answers.add(post(url + (i % 3 == 0 ? "/start" : i % 3 == 1 ? "/fail" : ""), "during " + i)
                        .statusCode());
            }
            assertThat(meters.get(HeartbeatMeters.JOURNAL_RECORDS).gauge().value())
                    .as("journaled, not written")
                    .isGreaterThanOrEqualTo(30);
        } finally {
            db.setAllowConnections(true);
        }

        assertThat(answers).containsOnly(200);
        awaitBeats(db, 31);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> meters.get(HeartbeatMeters.JOURNAL_RECORDS).gauge().value() == 0);
        assertThat(db.count("SELECT count(DISTINCT message) FROM api_heartbeats WHERE datacenter_id = 0"))
                .isEqualTo(31);
        assertThat(db.count("SELECT count(*) FROM api_heartbeats WHERE message LIKE 'during %' AND beat_kind = 'fail'"
                        + " AND response_time_ms IS NOT NULL"))
                .as("each fail ends the run its start began, through the journal")
                .isEqualTo(10);
    }

    @Test
    void withoutAJournalAnOutageIsAnswered503AndNever200(@Fresh TestDatabase db) throws Exception {
        String token = pushMonitor(db, "no journal");
        var meters = new SimpleMeterRegistry();
        String url = serve(
                        db,
                        PushSettings.DEFAULTS.withDeadlines(
                                Duration.ofSeconds(1), Duration.ofMillis(500), Duration.ofSeconds(10)),
                        meters)
                + "/ping/" + token;
        assertThat(post(url, "before").statusCode()).isEqualTo(200);

        var answers = new ArrayList<HttpResponse<String>>();
        String notLoaded = url.replace(token, "a-token-nobody-has-loaded-0123456789");
        db.setAllowConnections(false);
        try {
            for (int i = 0; i < 3; i++) {
                answers.add(post(url, "during " + i));
            }
            answers.add(post(notLoaded, "a token the database cannot be asked about"));
        } finally {
            db.setAllowConnections(true);
        }

        assertThat(answers).extracting(HttpResponse::statusCode).containsOnly(503);
        assertThat(answers.getFirst().headers().firstValue("Retry-After")).hasValue("2");
        assertThat(answers.getFirst().body()).isEqualTo("unavailable: try again\n");
        assertThat(meters.get(dev.vantage.Meters.PUSH_BEATS)
                        .tag("outcome", "unavailable")
                        .counter()
                        .count())
                .isEqualTo(4);
        await().atMost(Duration.ofSeconds(30))
                .ignoreExceptions()
                .until(() -> post(url, "after").statusCode() == 200);
    }

    @Test
    void aTokenLookupThatFailsNeverQuotesTheTokenInItsReason(TestDatabase db) throws Exception {
        // A replica logged in with a role that may not read push_token: its statement fails, and Jdbi's exception
        // lists the statement's arguments.
        String login =
                "it_push_reader_" + java.util.UUID.randomUUID().toString().substring(0, 8);
        db.execute("CREATE ROLE " + login + " LOGIN PASSWORD 'pw' IN ROLE vantage_reader");
        String token = "a-secret-token-0123456789abcdef";
        try (var pool = dev.vantage.db.Database.pool(
                new dev.vantage.config.DbConnection(db.connection().jdbcUrl(), login, "pw"), "push-it-reader", 1)) {
            var tokens = new PushTokens(
                    dev.vantage.db.Database.jdbi(pool),
                    10,
                    System::nanoTime,
                    new PushMeters(new SimpleMeterRegistry()),
                    ids -> {});

            var failure = org.assertj.core.api.Assertions.catchThrowableOfType(
                    PushTokens.UnavailableException.class, () -> tokens.find(token));

            assertThat(failure.getMessage())
                    .startsWith("cannot look up a push token: PSQLException: ERROR: permission denied")
                    .doesNotContain(token);
            assertThat(failure.getCause()).isNull();
        } finally {
            db.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = ?", login);
            db.execute("DROP ROLE " + login);
        }
    }

    @Test
    void aMonitorKilledWithAcceptedBeatsInItsJournalHasThemWrittenByTheNextProcessOnIt(
            @Fresh TestDatabase db, @TempDir Path logs) throws Exception {
        String token = pushMonitor(db, "killed");
        var monitor = AgentProcess.startMonitor(
                "push-killed",
                Map.of("DB_CONN_STRING", db.libpqUrl(), "VANTAGE_PUSH_JOURNAL_DIR", journal.toString()),
                logs);
        running.add(monitor);
        String base = "http://" + monitor.awaitLog("HTTP on ", START).substring("HTTP on ".length());
        monitor.awaitLog("Taking pings at /ping/<token>; beats are answered once committed or journaled", START);
        String url = base + "/ping/" + token;
        assertThat(post(url, "before").statusCode()).isEqualTo(200);

        var answers = new ArrayList<Integer>();
        db.setAllowConnections(false);
        try {
            for (int i = 0; i < 20; i++) {
                answers.add(post(url, "accepted " + i).statusCode());
            }
            monitor.sigkill();
            assertThat(monitor.awaitExit(Duration.ofSeconds(10))).isEqualTo(137);
        } finally {
            db.setAllowConnections(true);
        }
        assertThat(answers).containsOnly(200);

        serve(db, PushSettings.DEFAULTS.withJournal(journal, 64L << 20), new SimpleMeterRegistry());

        awaitBeats(db, 21);
        assertThat(db.count("SELECT count(DISTINCT message) FROM api_heartbeats WHERE datacenter_id = 0"))
                .isEqualTo(21);
    }
}
