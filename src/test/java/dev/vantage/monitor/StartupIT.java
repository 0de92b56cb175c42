package dev.vantage.monitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.vantage.Meters;
import dev.vantage.agent.Agent;
import dev.vantage.agent.AgentSettings;
import dev.vantage.heartbeat.HeartbeatWriterSettings;
import dev.vantage.lease.LeaseSettings;
import dev.vantage.testing.AgentProcess;
import dev.vantage.testing.HttpReceiver;
import dev.vantage.testing.PostgresExtension;
import dev.vantage.testing.PostgresExtension.Fresh;
import dev.vantage.testing.TestDatabase;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Everything started at once, as {@code docker compose up} does: the monitor module and one agent each for VA, NY and
 * LON, in every order with 0–3 s between them, on a fresh database each time. A datacenter whose agent is still taking
 * its lease is not lost, and the evaluator never has to rebuild. Then a datacenter whose agent is killed is lost once,
 * after {@code lost_after}, and found once when an agent returns.
 */
@ExtendWith(PostgresExtension.class)
class StartupIT {
    private static final List<String> CODES = List.of("VA", "NY", "LON");
    private static final Duration LOST_AFTER = Duration.ofSeconds(5);
    private static final int STARTS = 30;
    /** Starts run side by side, each on a database of its own in the one PostgreSQL, to keep the class short. */
    private static final int LANES = 5;

    @Test
    void startingInAnyOrderNeverReportsADatacenterLost() throws Exception {
        List<Future<String>> lanes = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(LANES)) {
            for (int lane = 0; lane < LANES; lane++) {
                int first = lane;
                lanes.add(pool.submit(() -> {
                    var outcomes = new StringBuilder();
                    for (int start = first; start < STARTS; start += LANES) {
                        outcomes.append(startAll(start)).append('\n');
                    }
                    return outcomes.toString();
                }));
            }
            for (var lane : lanes) {
                // Every start's own assertions ran in startAll; get() rethrows the first that failed.
                assertThat(lane.get()).isNotBlank();
            }
        }
    }

    /**
     * One start: the 4! orders of the monitor and the three agents in turn, a random 0–3 s between consecutive starts.
     * Returns a line describing it.
     */
    private static String startAll(int start) throws Exception {
        var random = new SplittableRandom(start);
        List<String> order = permutation(start, List.of("monitor", "VA", "NY", "LON"));
        var running = new ArrayList<AutoCloseable>();
        var meters = new SimpleMeterRegistry();
        try (var db = TestDatabase.fresh("startup" + start)) {
            seed(db);
            // A channel for datacenter notices, so that a LOST would be an outbox row.
            db.execute("INSERT INTO notification_channels (name, type, is_default) VALUES ('log', 'log', true)");
            var description = new StringBuilder("start " + start + ":");
            for (String what : order) {
                long jitter = random.nextLong(3_000);
                Thread.sleep(jitter); // the start times themselves are the subject: not a wait for a condition
                description.append(' ').append(what).append("+").append(jitter).append("ms");
                running.add(
                        what.equals("monitor")
                                ? MonitorModule.start(settings(db), meters, Clock.systemUTC())
                                : agent(db, what));
            }
            // Every leader seen by the evaluator: each datacenter's leader row refreshed after the monitor led, then
            // one more liveness read and tick (every second).
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> db.count("SELECT count(DISTINCT datacenter_id) FROM agents WHERE role = 'leader'"
                                    + " AND last_seen_at > (SELECT acquired_at FROM monitor_leases) + interval"
                                    + " '1 second'")
                            == 3);
            Thread.sleep(1_500); // past one more liveness read (every 1 s): a LOST would have been written by now

            assertThat(db.count("SELECT count(*) FROM notifications"))
                    .as("%s: notifications", description)
                    .isZero();
            assertThat(db.count("SELECT count(*) FROM incidents"))
                    .as("%s: incidents", description)
                    .isZero();
            assertThat(meters.counter(Meters.EVALUATION_REBUILDS).count())
                    .as("%s: evaluator rebuilds", description)
                    .isZero();
            return description.toString();
        } finally {
            for (int i = running.size() - 1; i >= 0; i--) {
                running.get(i).close();
            }
        }
    }

    @Test
    void aKilledDatacenterIsLostOnceAfterLostAfterAndFoundOnceWhenAnAgentReturns(@Fresh TestDatabase db)
            throws Exception {
        var running = new ArrayList<AutoCloseable>();
        Path logs = Files.createDirectories(Path.of("target", "startup-it"));
        try (var receiver = HttpReceiver.start()) {
            seed(db);
            db.execute(
                    "INSERT INTO notification_channels (name, type, settings, is_default, group_seconds)"
                            + " VALUES ('hook', 'webhook', jsonb_build_object('url', ?::text), true, 0)",
                    receiver.uri("/hook").toString());
            running.add(MonitorModule.start(settings(db), new SimpleMeterRegistry(), Clock.systemUTC()));
            running.add(agent(db, "VA"));
            running.add(agent(db, "NY"));
            var lon = AgentProcess.start("startup-lon", AgentProcess.env(db.libpqUrl(), "LON"), logs);
            running.add(lon);
            await().atMost(Duration.ofSeconds(30))
                    .until(() ->
                            db.count("SELECT count(DISTINCT datacenter_id) FROM agents WHERE role = 'leader'") == 3);

            lon.sigkill();
            Instant killed = Instant.now();
            await().atMost(LOST_AFTER.plusSeconds(10))
                    .until(() -> receiver.accepted().size() == 1);
            Instant lostNoticed = Instant.now();
            // Lost after lost_after from the leader's last refresh, which came up to one refresh before the kill.
            assertThat(Duration.between(killed, lostNoticed))
                    .isGreaterThanOrEqualTo(LOST_AFTER.minus(AgentSettings.LIVENESS_INTERVAL));
            assertThat(events(db)).containsExactly("lost LON");

            running.add(agent(db, "LON"));
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> receiver.accepted().size() == 2);
            assertThat(events(db)).containsExactly("lost LON", "found LON");
            assertThat(receiver.accepted())
                    .extracting(r -> r.header("Content-Type"))
                    .hasSize(2);
            assertThat(db.count("SELECT count(*) FROM incidents")).isEqualTo(1);
        } finally {
            for (int i = running.size() - 1; i >= 0; i--) {
                running.get(i).close();
            }
        }
    }

    private static List<String> events(TestDatabase db) {
        return db.jdbi().withHandle(h -> h.createQuery(
                        """
                        SELECT n.event || ' ' || d.code FROM notifications n
                        JOIN incidents i ON i.id = n.incident_id JOIN datacenters d ON d.id = i.datacenter_id
                        ORDER BY n.id
                        """)
                .mapTo(String.class)
                .list());
    }

    private static void seed(TestDatabase db) {
        db.execute("INSERT INTO regions (name, region_code) VALUES ('Everywhere', 'all')");
        db.execute("INSERT INTO datacenters (id, code, region_id) VALUES (1, 'VA', 1), (2, 'NY', 1), (3, 'LON', 1)");
    }

    private static MonitorSettings settings(TestDatabase db) {
        return MonitorSettings.defaults(db.connection(), "startup-monitor")
                .withLostAfter(LOST_AFTER)
                .withLease(LeaseSettings.DEFAULTS);
    }

    private static Agent agent(TestDatabase db, String code) {
        var settings = new AgentSettings(
                db.connection(),
                code,
                "startup-" + code,
                16,
                Duration.ofSeconds(30),
                Duration.ofSeconds(1),
                Duration.ofSeconds(10),
                HeartbeatWriterSettings.DEFAULTS.withShutdownDeadline(Duration.ofSeconds(2)),
                LeaseSettings.DEFAULTS);
        return Agent.start(settings, new SimpleMeterRegistry(), Clock.systemUTC());
    }

    /** The {@code n}-th (mod 4!) permutation of {@code items}, so that 24 starts in a row cover every order. */
    static <T> List<T> permutation(int n, List<T> items) {
        var left = new ArrayList<>(items);
        var out = new ArrayList<T>();
        int index = n % factorial(items.size());
        for (int size = items.size(); size > 0; size--) {
            int f = factorial(size - 1);
            out.add(left.remove(index / f));
            index %= f;
        }
        return out;
    }

    private static int factorial(int n) {
        return n <= 1 ? 1 : n * factorial(n - 1);
    }
}
