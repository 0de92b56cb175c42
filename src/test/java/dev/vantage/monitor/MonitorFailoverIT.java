package dev.vantage.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vantage.notify.DeliverySettings;
import dev.vantage.notify.Event;
import dev.vantage.notify.Notice;
import dev.vantage.notify.OutboxPayload;
import dev.vantage.testing.AgentProcess;
import dev.vantage.testing.HttpReceiver;
import dev.vantage.testing.PostgresExtension;
import dev.vantage.testing.PostgresExtension.Fresh;
import dev.vantage.testing.TestDatabase;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * Monitor replicas on one database: a leader killed mid-delivery loses no notification (each send it had in flight
 * is sent once more by its successor, under the same webhook-id and dedup key, once the claim expires), and a leader
 * that stops hands over to a standby that goes on evaluating where it left off. Figures are printed to stdout.
 */
@ExtendWith(PostgresExtension.class)
@Timeout(120)
class MonitorFailoverIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Two JVMs starting together on a small machine. */
    private static final Duration START = Duration.ofSeconds(60);
    /** The shortest VANTAGE_NOTIFY_TIMEOUT that leaves the leader time to be killed mid-send: claims last 2 + 5 s. */
    private static final int NOTIFY_TIMEOUT_SECONDS = 2;

    /** How long a claim lasts: the attempt timeout plus the margin. */
    private static final Duration CLAIM =
            Duration.ofSeconds(NOTIFY_TIMEOUT_SECONDS).plus(DeliverySettings.DEFAULTS.claimMargin());

    private static final List<String> DATACENTERS = List.of("VA", "NY", "LON", "FRA", "SIN");

    @Test
    void aLeaderKilledMidDeliveryLosesNoNotificationAndItsSuccessorResendsEachInFlightOneOnceWithTheSameKey(
            @Fresh TestDatabase db, @TempDir(cleanup = CleanupMode.ON_SUCCESS) Path logs) throws Exception {
        try (var receiver = HttpReceiver.start();
                var first = AgentProcess.startMonitor("monitor-a", monitorEnv(db), logs);
                var second = AgentProcess.startMonitor("monitor-b", monitorEnv(db), logs)) {
            int channel = (int) db.count(
                    "INSERT INTO notification_channels (name, type, settings, repeat_every, group_seconds)"
                            + " VALUES ('hook', 'webhook', jsonb_build_object('url', ?::text), NULL, 0) RETURNING id",
                    receiver.uri("/hook").toString());
            var replicas = List.of(first, second);
            awaitOrDump(
                    "one monitor leads and the other stands by",
                    START,
                    replicas,
                    () -> holder(db).isPresent()
                            && replicas.stream().anyMatch(p -> p.findLog("Standing by for the monitor lease")
                                    .isPresent()));
            AgentProcess leader = holder(db).orElseThrow().equals(first.name()) ? first : second;
            AgentProcess standby = leader == first ? second : first;
            long epoch = db.count("SELECT epoch FROM monitor_leases");
            assertThat(lockHolders(db)).containsExactly("vantage-lease monitor " + leader.name());

            // One delivery first, answered at once: the leader's HTTP client is loaded and connected, so that the
            // sends below reach the receiver well within their timeout.
            var dedupKeys = new HashMap<>(enqueue(db, channel, List.of("WARM")));
            awaitOrDump(
                    "a first notification is delivered",
                    Duration.ofSeconds(10),
                    replicas,
                    () -> db.count("SELECT count(*) FROM notifications WHERE status = 'delivered'") == 1);

            // A slow receiver: every send stays in flight until the leader is dead.
            int answeredAtOnce = receiver.requests().size();
            receiver.holdAnswers();
            dedupKeys.putAll(enqueue(db, channel, DATACENTERS));
            Kill kill = killMidDelivery(db, receiver, leader, replicas, answeredAtOnce);

            awaitOrDump("the standby takes over", Duration.ofSeconds(10), replicas, () -> holder(db)
                    .equals(Optional.of(standby.name())));
            Duration takeover = Duration.between(kill.at(), Instant.now());
            awaitOrDump(
                    "every notification is delivered",
                    Duration.ofSeconds(30),
                    replicas,
                    () -> db.count("SELECT count(*) FROM notifications WHERE status = 'delivered'")
                            == dedupKeys.size());
            Duration delivered = Duration.between(kill.at(), Instant.now());
            System.out.printf(
                    "MonitorFailoverIT: %d of %d notifications in flight at SIGKILL (%d ms after their claim);"
                            + " standby leads %d ms after it, all delivered %d ms after it%n",
                    kill.inFlight().size(),
                    DATACENTERS.size(),
                    kill.sinceClaim().toMillis(),
                    takeover.toMillis(),
                    delivered.toMillis());

            assertThat(takeover).isLessThan(Duration.ofSeconds(5));
            assertThat(db.count("SELECT epoch FROM monitor_leases")).isEqualTo(epoch + 1);
            assertThat(lockHolders(db)).containsExactly("vantage-lease monitor " + standby.name());
            assertArrivals(db, receiver.requests(), dedupKeys, kill.claims());

            // The survivor stops gracefully on SIGTERM: the lease is marked released, nothing is left claimed.
            standby.sigterm();
            assertThat(standby.awaitExit(Duration.ofSeconds(30))).isEqualTo(143);
            assertThat(standby.findLog("Released monitor lease (epoch " + (epoch + 1) + ")"))
                    .as(standby.tail())
                    .isPresent();
            assertThat(db.count("SELECT count(*) FROM monitor_leases WHERE released_at IS NOT NULL"))
                    .isEqualTo(1);
            assertThat(lockHolders(db)).isEmpty();
            assertThat(db.count("SELECT count(*) FROM notifications WHERE claimed_until IS NOT NULL"))
                    .isZero();
        }
    }

    /**
     * The moment of a SIGKILL and what the leader had in flight then.
     *
     * @param inFlight webhook-ids of the requests the receiver held
     * @param claims claimed_until of each claimed notification
     * @param sinceClaim from the latest claim to the kill
     */
    private record Kill(Instant at, Set<String> inFlight, Map<Long, OffsetDateTime> claims, Duration sinceClaim) {}

    /** Waits until the leader has a full channel's worth of sends held by the receiver, then SIGKILLs it. */
    private static Kill killMidDelivery(
            TestDatabase db, HttpReceiver receiver, AgentProcess leader, List<AgentProcess> replicas, int skip) {
        int perChannel = DeliverySettings.DEFAULTS.perChannelConcurrency();
        awaitOrDump(
                "the leader has sends in flight",
                Duration.ofSeconds(10),
                replicas,
                () -> receiver.unanswered() == perChannel);
        // Read before the kill: the leader claims no more while a channel has perChannel sends in flight.
        var requests = receiver.requests();
        Set<String> inFlight = webhookIds(requests.subList(skip, requests.size()));
        Map<Long, OffsetDateTime> claims = claims(db);
        leader.sigkill();
        Instant killed = Instant.now();
        receiver.releaseAnswers();

        assertThat(leader.awaitExit(Duration.ofSeconds(1))).isEqualTo(137);
        assertThat(inFlight).hasSize(perChannel);
        assertThat(claims.keySet().stream().map(id -> "vantage-notification-" + id))
                .as("claimed rows at the kill")
                .containsExactlyInAnyOrderElementsOf(inFlight);
        Duration sinceClaim = claims.values().stream()
                .map(until -> Duration.between(until.toInstant().minus(CLAIM), killed))
                .max(Duration::compareTo)
                .orElseThrow();
        assertThat(sinceClaim)
                .as("the leader is killed before its sends time out (else it retries them itself)")
                .isLessThan(Duration.ofSeconds(NOTIFY_TIMEOUT_SECONDS));
        return new Kill(killed, inFlight, claims, sinceClaim);
    }

    /**
     * Every notification arrived; one that was in flight at the kill arrived exactly twice, the second time after its
     * claim expired, as the same message (body, webhook-id, dedup key); the others exactly once. The outbox agrees:
     * one claim per arrival, and one recorded attempt each, the delivered one (the killed attempt recorded nothing).
     */
    private static void assertArrivals(
            TestDatabase db,
            List<HttpReceiver.Request> requests,
            Map<Long, String> dedupKeys,
            Map<Long, OffsetDateTime> claims)
            throws Exception {
        var byId = requests.stream().collect(Collectors.groupingBy(r -> r.header("webhook-id")));
        assertThat(byId.keySet())
                .containsExactlyInAnyOrderElementsOf(dedupKeys.keySet().stream()
                        .map(id -> "vantage-notification-" + id)
                        .toList());
        for (var entry : dedupKeys.entrySet()) {
            long id = entry.getKey();
            String key = entry.getValue();
            var arrivals = byId.get("vantage-notification-" + id);
            int expected = claims.containsKey(id) ? 2 : 1;
            assertThat(arrivals).as("arrivals of notification %d", id).hasSize(expected);
            for (var r : arrivals) {
                JsonNode body = JSON.readTree(r.body());
                assertThat(body.at("/data/dedup_key").asText()).isEqualTo(key);
                assertThat(r.header("vantage-dedup-key")).isEqualTo(key);
                assertThat(r.body()).isEqualTo(arrivals.get(0).body());
            }
            if (claims.containsKey(id)) {
                assertThat(arrivals.get(1).receivedAt())
                        .as("resent only once the dead leader's claim expired")
                        .isAfter(claims.get(id).toInstant());
            }
            assertThat(db.count("SELECT attempts FROM notifications WHERE id = ?", id))
                    .as("claims of notification %d", id)
                    .isEqualTo(expected);
            assertThat(db.count(
                            "SELECT count(*) FROM notification_attempts WHERE notification_id = ? AND attempt = ?"
                                    + " AND outcome = 'delivered' AND status_code = 200",
                            id,
                            expected))
                    .isEqualTo(1);
        }
        assertThat(db.count("SELECT count(*) FROM notification_attempts")).isEqualTo(dedupKeys.size());
    }

    @Test
    void whenTheLeaderStopsTheStandbyTakesOverWithinSecondsAndEvaluatesFromWhereItLeftOff(@Fresh TestDatabase db) {
        db.execute("INSERT INTO datacenters (id, code) VALUES (1, 'VA')");
        db.execute("INSERT INTO schedules (id, name, interval) VALUES (1, 'every 10 s', 10)");
        db.execute(
                "INSERT INTO api_monitors (id, name, url, schedule_id) VALUES (1, 'checkout', ?, 1)",
                "http://127.0.0.1:9/");
        db.execute("INSERT INTO datacenter_monitors (datacenter_id, monitor_id) VALUES (1, 1)");
        try (var one = replica(db, "replica-1");
                var two = replica(db, "replica-2")) {
            Awaitility.await("one replica leads")
                    .atMost(Duration.ofSeconds(15))
                    .until(() -> one.leading() != two.leading() && holder(db).isPresent());
            MonitorModule leader = one.leading() ? one : two;
            MonitorModule standby = leader == one ? two : one;
            String leaderName = holder(db).orElseThrow();
            String standbyName = leaderName.equals("replica-1") ? "replica-2" : "replica-1";
            assertThat(lockHolders(db)).containsExactly("vantage-lease monitor " + leaderName);
            assertThat(standby.leaseStatus().role()).isEqualTo("standby");
            long epoch = db.count("SELECT epoch FROM monitor_leases");

            Instant slot = Instant.now().truncatedTo(ChronoUnit.SECONDS).minusSeconds(20);
            heartbeat(db, slot);
            awaitEvaluated(db, slot, 1);

            Instant stopped = Instant.now();
            leader.close();
            Awaitility.await("the standby takes over")
                    .atMost(Duration.ofSeconds(3))
                    .pollInterval(Duration.ofMillis(20))
                    .until(standby::leading);
            System.out.printf(
                    "MonitorFailoverIT: standby leads %d ms after the leader's close()%n",
                    Duration.between(stopped, Instant.now()).toMillis());
            assertThat(holder(db)).contains(standbyName);
            assertThat(db.count("SELECT epoch FROM monitor_leases")).isEqualTo(epoch + 1);
            assertThat(lockHolders(db)).containsExactly("vantage-lease monitor " + standbyName);

            // The new leader restores the state the old one committed: the run of successes goes on from 1 to 2.
            heartbeat(db, slot.plusSeconds(10));
            awaitEvaluated(db, slot.plusSeconds(10), 2);
        }
    }

    private static MonitorModule replica(TestDatabase db, String name) {
        return MonitorModule.start(
                MonitorSettings.defaults(db.connection(), name), new SimpleMeterRegistry(), Clock.systemUTC());
    }

    private static void heartbeat(TestDatabase db, Instant slot) {
        db.execute(
                "INSERT INTO api_heartbeats (monitor_id, datacenter_id, scheduled_at, executed_at, success,"
                        + " response_time_ms) VALUES (1, 1, ?, ?, true, 12.5)",
                slot.atOffset(ZoneOffset.UTC),
                slot.plusMillis(300).atOffset(ZoneOffset.UTC));
    }

    private static void awaitEvaluated(TestDatabase db, Instant slot, int successes) {
        Awaitility.await("the heartbeat of " + slot + " is evaluated")
                .atMost(Duration.ofSeconds(5))
                .until(() -> db.count(
                                "SELECT count(*) FROM monitor_states WHERE monitor_id = 1 AND datacenter_id = 1"
                                        + " AND last_scheduled_at = ? AND consecutive_successes = ?",
                                slot.atOffset(ZoneOffset.UTC),
                                successes)
                        == 1);
    }

    /** One resolved LOST incident per datacenter, and its FOUND notice pending for {@code channel}: id to dedup key. */
    private static Map<Long, String> enqueue(TestDatabase db, int channel, List<String> datacenters) {
        var keys = new HashMap<Long, String>();
        Instant now = Instant.now();
        for (String code : datacenters) {
            int datacenter = (int) db.count("INSERT INTO datacenters (code) VALUES (?) RETURNING id", code);
            long incident = db.count(
                    "INSERT INTO incidents (kind, datacenter_id, scope, opened_at, resolved_at, notified)"
                            + " VALUES ('datacenter', ?, 'global', ?, ?, true) RETURNING id",
                    datacenter,
                    now.minusSeconds(300).atOffset(ZoneOffset.UTC),
                    now.atOffset(ZoneOffset.UTC));
            var notice = new Notice(
                    Event.FOUND,
                    "vantage-incident-" + incident,
                    incident,
                    "datacenter",
                    "global",
                    null,
                    null,
                    null,
                    List.of(code),
                    "FOUND",
                    null,
                    null,
                    now.minusSeconds(300),
                    now,
                    now,
                    "Datacenter " + code + " has a live leader agent again");
            long id = db.count(
                    "INSERT INTO notifications (incident_id, channel_id, event, dedup_key, payload)"
                            + " VALUES (?, ?, 'found', ?, CAST(? AS jsonb)) RETURNING id",
                    incident,
                    channel,
                    notice.dedupKey(),
                    OutboxPayload.write(notice));
            keys.put(id, notice.dedupKey());
        }
        return keys;
    }

    private static Map<String, String> monitorEnv(TestDatabase db) {
        return Map.of(
                "DB_CONN_STRING", db.libpqUrl(), "VANTAGE_NOTIFY_TIMEOUT", Integer.toString(NOTIFY_TIMEOUT_SECONDS));
    }

    private static Optional<String> holder(TestDatabase db) {
        return db.jdbi().withHandle(h -> h.createQuery("SELECT holder FROM monitor_leases WHERE name = 'monitor'")
                .mapTo(String.class)
                .findOne());
    }

    /** application_name of every session of this database that holds the monitor's advisory lock. */
    private static List<String> lockHolders(TestDatabase db) {
        return db.jdbi().withHandle(h -> h.createQuery(
                        """
                        SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
                        WHERE l.locktype = 'advisory' AND l.granted
                          AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
                          AND l.classid = 1447120468 AND l.objid = 0 AND l.objsubid = 2
                        """)
                .mapTo(String.class)
                .list());
    }

    /** The claims on the outbox: notification id to claimed_until. */
    private static Map<Long, OffsetDateTime> claims(TestDatabase db) {
        var claims = new HashMap<Long, OffsetDateTime>();
        db.jdbi().useHandle(h -> h.createQuery(
                        "SELECT id, claimed_until FROM notifications WHERE claimed_until IS NOT NULL")
                .map((rs, ctx) -> Map.entry(rs.getLong(1), rs.getObject(2, OffsetDateTime.class)))
                .forEach(e -> claims.put(e.getKey(), e.getValue())));
        return claims;
    }

    private static Set<String> webhookIds(List<HttpReceiver.Request> requests) {
        return requests.stream().map(r -> r.header("webhook-id")).collect(Collectors.toSet());
    }

    private static void awaitOrDump(
            String what, Duration timeout, List<AgentProcess> processes, Callable<Boolean> condition) {
        try {
            Awaitility.await(what)
                    .atMost(timeout)
                    .pollInterval(Duration.ofMillis(20))
                    .until(condition);
        } catch (ConditionTimeoutException e) {
            var tails = new ArrayList<String>();
            processes.forEach(p -> tails.add(p.tail()));
            throw new AssertionError(e.getMessage() + "\n" + String.join("\n", tails), e);
        }
    }
}
