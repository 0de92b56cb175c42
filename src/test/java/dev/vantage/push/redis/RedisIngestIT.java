package dev.vantage.push.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vantage.Meters;
import dev.vantage.beat.Beat;
import dev.vantage.beat.RedisBeatSender;
import dev.vantage.config.DbConnection;
import dev.vantage.push.PushIngest;
import dev.vantage.push.PushSettings;
import dev.vantage.testing.PostgresExtension;
import dev.vantage.testing.PostgresExtension.Fresh;
import dev.vantage.testing.RedisServer;
import dev.vantage.testing.TestDatabase;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.search.MeterNotFoundException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.StreamEntryID;
import redis.clients.jedis.params.XAddParams;
import redis.clients.jedis.params.XReadGroupParams;

/**
 * The Redis ingest between a real redis-server ({@link RedisServer}) and the real database, through a replica's push
 * ingest logged in as a member of vantage_monitor: entries become rows, acknowledged only once written; what a dead
 * consumer left pending is claimed; an entry read twice writes one row; malformed entries cost a count and an ack; a
 * restarted server is read again. Each test reads streams and a group of its own.
 */
@ExtendWith(PostgresExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(180)
class RedisIngestIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WITHIN = Duration.ofSeconds(20);

    private final List<AutoCloseable> running = new ArrayList<>();
    private RedisServer redis;
    private TestDatabase db;
    private String login;
    private DbConnection asMonitor;
    private long schedule;

    @BeforeAll
    void start(TestDatabase db) {
        this.db = db;
        redis = RedisServer.create();
        login = "it_redis_" + UUID.randomUUID().toString().substring(0, 8);
        String password = UUID.randomUUID().toString();
        db.execute("CREATE ROLE " + login + " LOGIN PASSWORD '" + password + "' IN ROLE vantage_monitor");
        asMonitor = new DbConnection(db.connection().jdbcUrl(), login, password);
        schedule = db.count("INSERT INTO schedules (name, interval) VALUES ('every 15 s', 15) RETURNING id");
    }

    @AfterEach
    void stopIngests() throws Exception {
        for (AutoCloseable c : running.reversed()) {
            c.close();
        }
        running.clear();
    }

    @AfterAll
    void stop() {
        redis.close();
        db.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = ?", login);
        db.execute("DROP ROLE " + login);
    }

    /** A replica's push ingest and its Redis ingest on one stream, with a group of its own, and their meters. */
    private record Replica(PushIngest push, RedisIngest redis, MeterRegistry meters, RedisIngestSettings settings) {}

    private Replica replica(
            RedisServer server,
            DbConnection database,
            String stream,
            PushSettings push,
            UnaryOperator<RedisIngestSettings> tweak) {
        var meters = new SimpleMeterRegistry();
        var pushIngest = PushIngest.start(push, database, "redis-it", meters, Clock.systemUTC());
        running.add(pushIngest);
        var settings = tweak.apply(RedisIngestSettings.of(server.url(), stream, "group-" + stream, null, "redis-it")
                .withTimings(Duration.ofMillis(200), Duration.ofSeconds(2), Duration.ofMillis(300)));
        var redisIngest = RedisIngest.start(settings, pushIngest, Clock.systemUTC());
        running.add(redisIngest);
        if (server.isRunning()) {
            // Its group is created at $: what is added before it exists is not read.
            await().atMost(WITHIN).until(redisIngest::connected);
        }
        return new Replica(pushIngest, redisIngest, meters, settings);
    }

    private Replica replica(String stream) {
        return replica(redis, asMonitor, stream, PushSettings.DEFAULTS, s -> s);
    }

    private int pushMonitor(TestDatabase database, String name, String subject) {
        long everyFifteen =
                database.count("INSERT INTO schedules (name, interval) VALUES ('every 15 s', 15) RETURNING id");
        return (int) database.count(
                "INSERT INTO api_monitors (name, type, schedule_id, push_subject) VALUES (?, 'push', ?, ?) RETURNING id",
                name,
                everyFifteen,
                subject);
    }

    private static Jedis jedis(RedisServer server) {
        return new Jedis(
                new HostAndPort("127.0.0.1", server.port()),
                DefaultJedisClientConfig.builder()
                        .timeoutMillis(5_000)
                        .autoNegotiateProtocol(false)
                        .build());
    }

    private String xadd(String stream, Map<String, String> fields) {
        try (var jedis = jedis(redis)) {
            return jedis.xadd(stream, XAddParams.xAddParams(), fields).toString();
        }
    }

    private static Map<String, String> fields(String... pairs) {
        var fields = new LinkedHashMap<String, String>();
        for (int i = 0; i < pairs.length; i += 2) {
            fields.put(pairs[i], pairs[i + 1]);
        }
        return fields;
    }

    private long pending(RedisServer server, String stream) {
        try (var jedis = jedis(server)) {
            return jedis.xpending(stream, "group-" + stream).getTotal();
        }
    }

    private List<Map<String, Object>> rows(TestDatabase database, int monitorId) {
        return database.jdbi().withHandle(h -> h.createQuery(
                        "SELECT * FROM api_heartbeats WHERE monitor_id = ? ORDER BY scheduled_at")
                .bind(0, monitorId)
                .mapToMap()
                .list());
    }

    private static double beats(MeterRegistry meters, String outcome) {
        try {
            return meters.get(Meters.PUSH_BEATS)
                    .tag("source", "redis")
                    .tag("outcome", outcome)
                    .counter()
                    .count();
        } catch (MeterNotFoundException e) {
            return 0;
        }
    }

    private static Instant instant(Object timestamp) {
        return timestamp instanceof OffsetDateTime t ? t.toInstant() : ((java.sql.Timestamp) timestamp).toInstant();
    }

    private static JsonNode json(Object jsonb) throws IOException {
        return JSON.readTree(jsonb.toString());
    }

    @Test
    void whatVantageBeatAddsBecomesOneRowPerEntryKeyedByItsIdAndAcknowledged() throws Exception {
        String stream = "beats-vantage";
        int monitor = pushMonitor(db, "backup", "jobs.backup");
        var replica = replica(stream);
        var rid = UUID.randomUUID();
        var sent = Beat.success(Duration.ofSeconds(15), Duration.ofSeconds(30), "db-1", "Nightly backup");
        Instant at = Instant.parse("2025-03-01T12:00:00Z");

        var ids = List.of(
                xadd(stream, RedisBeatSender.fields("jobs.backup", sent, at)),
                xadd(
                        stream,
                        RedisBeatSender.fields(
                                "jobs.backup", sent.withKind(Beat.Kind.START).withRid(rid), at)),
                xadd(
                        stream,
                        RedisBeatSender.fields(
                                "jobs.backup",
                                sent.withExitStatus(3)
                                        .withMessage("no space left")
                                        .withRid(rid),
                                at)),
                xadd(
                        stream,
                        RedisBeatSender.fields(
                                "jobs.backup", sent.withKind(Beat.Kind.LOG).withMessage("step 2 of 3"), at)));

        await().atMost(WITHIN).until(() -> rows(db, monitor).size() == 4 && pending(redis, stream) == 0);
        var rows = rows(db, monitor);
        assertThat(rows).extracting(r -> r.get("beat_kind")).containsExactly("success", "start", "fail", "log");
        assertThat(rows).extracting(r -> r.get("success")).containsExactly(true, true, false, true);
        assertThat(rows).extracting(r -> r.get("error_type")).containsExactly(null, null, "EXIT_STATUS", null);
        assertThat(rows).extracting(r -> r.get("error_message")).containsExactly(null, null, "exit status 3", null);
        assertThat(rows).extracting(r -> r.get("message")).containsExactly(null, null, "no space left", "step 2 of 3");
        for (int i = 0; i < 4; i++) {
            var row = rows.get(i);
            Instant key = RedisEntry.key(ids.get(i));
            assertThat(instant(row.get("scheduled_at"))).as("the entry id").isEqualTo(key);
            assertThat(instant(row.get("executed_at"))).as("when Redis took it").isEqualTo(key);
            assertThat(row)
                    .containsEntry("datacenter_id", 0)
                    .containsEntry("agent_id", null)
                    .containsEntry("lease_epoch", null);
            JsonNode details = json(row.get("details"));
            assertThat(details.get("source").asText()).isEqualTo("redis");
            assertThat(details.get("stream").asText()).isEqualTo(stream);
            assertThat(details.get("entry_id").asText()).isEqualTo(ids.get(i));
            assertThat(details.get("host").asText()).isEqualTo("db-1");
            assertThat(details.get("timestamp").asText()).isEqualTo("2025-03-01T12:00:00Z");
        }
        assertThat(json(rows.get(2).get("details")).get("exit_status").asInt()).isEqualTo(3);
        assertThat(json(rows.get(2).get("details")).get("rid").asText()).isEqualTo(rid.toString());
        assertThat((Double) rows.get(2).get("response_time_ms"))
                .as("the fail ends the run its start began")
                .isNotNull()
                .isPositive();
        assertThat(beats(replica.meters(), "accepted")).isEqualTo(4);
    }

    @Test
    void aStreamsDemoEntryBelongsToTheMonitorNamedLikeItsStreamAndItsTypeIsAKind() throws Exception {
        String stream = "notifications";
        int monitor = pushMonitor(db, "notifications producer", stream);
        replica(stream);

        xadd(stream, fields("message", "disk almost full", "type", "alert", "timestamp", "2025-03-01T12:00:00Z"));
        xadd(stream, fields("message", "rotated the logs", "type", "info", "timestamp", "2025-03-01T12:00:01Z"));
        xadd(stream, fields("message", "Message content", "type", "test", "timestamp", "2025-03-01T12:00:02Z"));

        await().atMost(WITHIN).until(() -> rows(db, monitor).size() == 3 && pending(redis, stream) == 0);
        var rows = rows(db, monitor);
        assertThat(rows).extracting(r -> r.get("beat_kind")).containsExactly("fail", "log", "success");
        assertThat(rows)
                .extracting(r -> r.get("message"))
                .containsExactly("disk almost full", "rotated the logs", "Message content");
        assertThat(rows.getFirst())
                .as("the error the producer sent is the failure's reason")
                .containsEntry("error_type", "FAIL")
                .containsEntry("error_message", "disk almost full");
        JsonNode details = json(rows.getFirst().get("details"));
        assertThat(details.get("type").asText()).isEqualTo("alert");
        assertThat(details.get("timestamp").asText()).isEqualTo("2025-03-01T12:00:00Z");
    }

    @Test
    void whileTheDatabaseIsAwayEntriesStayPendingAndAreWrittenOnceAndAcknowledgedWhenItIsBack(@Fresh TestDatabase fresh)
            throws Exception {
        String stream = "beats-outage";
        int monitor = pushMonitor(fresh, "outage", "jobs.outage");
        var replica = replica(
                redis,
                fresh.connection(),
                stream,
                PushSettings.DEFAULTS.withDeadlines(
                        Duration.ofSeconds(1), Duration.ofMillis(500), Duration.ofSeconds(10)),
                s -> s);
        xadd(stream, fields("subject", "jobs.outage", "message", "before"));
        await().atMost(WITHIN).until(() -> rows(fresh, monitor).size() == 1);

        fresh.setAllowConnections(false);
        try {
            try (var jedis = jedis(redis);
                    var multi = jedis.multi()) {
                // At once, so that one read takes them all.
                for (int i = 0; i < 5; i++) {
                    multi.xadd(
                            stream,
                            XAddParams.xAddParams(),
                            fields("subject", "jobs.outage", "message", "during " + i));
                }
                multi.exec();
            }
            await().atMost(WITHIN)
                    .until(() -> pending(redis, stream) == 5 && beats(replica.meters(), "unavailable") >= 2);
            assertThat(pending(redis, stream))
                    .as("read, tried (again), not acknowledged: there is no journal")
                    .isEqualTo(5);
            assertThat(beats(replica.meters(), "accepted")).isEqualTo(1);
        } finally {
            fresh.setAllowConnections(true);
        }

        // The test pool's connections were ended by the outage: ignore those failures and ask again.
        await().atMost(Duration.ofSeconds(40))
                .ignoreExceptions()
                .until(() -> rows(fresh, monitor).size() == 6 && pending(redis, stream) == 0);
        assertThat(fresh.count("SELECT count(DISTINCT message) FROM api_heartbeats WHERE monitor_id = ?", monitor))
                .as("each entry once")
                .isEqualTo(6);
    }

    @Test
    void entriesAConsumerReadAndDiedWithAreClaimedAndWrittenOnce() {
        String stream = "beats-claimed";
        int monitor = pushMonitor(db, "claimed", "jobs.claimed");
        try (var jedis = jedis(redis)) {
            jedis.xgroupCreate(stream, "group-" + stream, StreamEntryID.XGROUP_LAST_ENTRY, true);
            for (int i = 0; i < 3; i++) {
                jedis.xadd(stream, XAddParams.xAddParams(), fields("subject", "jobs.claimed", "message", "beat " + i));
            }
            // Another replica reads them, and dies before it acknowledges them.
            var read = jedis.xreadGroup(
                    "group-" + stream,
                    "crashed-replica",
                    XReadGroupParams.xReadGroupParams().count(10),
                    Map.of(stream, StreamEntryID.XREADGROUP_UNDELIVERED_ENTRY));
            assertThat(read.getFirst().getValue()).hasSize(3);
        }
        assertThat(pending(redis, stream)).isEqualTo(3);

        var replica = replica(stream);

        await().atMost(WITHIN).until(() -> rows(db, monitor).size() == 3 && pending(redis, stream) == 0);
        assertThat(rows(db, monitor)).extracting(r -> r.get("message")).containsExactly("beat 0", "beat 1", "beat 2");
        assertThat(beats(replica.meters(), "accepted")).isEqualTo(3);
    }

    @Test
    void anEntryDeliveredAgainAfterItWasWrittenMakesNoSecondRow() {
        String stream = "beats-again";
        int monitor = pushMonitor(db, "again", "jobs.again");
        var replica = replica(stream);
        xadd(stream, fields("subject", "jobs.again", "message", "first"));
        xadd(stream, fields("subject", "jobs.again", "kind", "fail", "message", "second"));
        await().atMost(WITHIN).until(() -> rows(db, monitor).size() == 2 && pending(redis, stream) == 0);

        // As after a crash between the commit and the XACK, or an operator rewinding the group: every entry again.
        try (var jedis = jedis(redis)) {
            jedis.xgroupSetID(stream, "group-" + stream, StreamEntryID.MINIMUM_ID);
        }

        await().atMost(WITHIN).until(() -> beats(replica.meters(), "accepted") == 4 && pending(redis, stream) == 0);
        assertThat(rows(db, monitor)).extracting(r -> r.get("message")).containsExactly("first", "second");
    }

    @Test
    void anEntryThatIsNoBeatIsCountedAndAcknowledgedAndAMessageOfTenMiBIsCut() {
        String stream = "beats-malformed";
        int monitor = pushMonitor(db, "malformed", "jobs.malformed");
        int disabled = pushMonitor(db, "paused", "jobs.paused");
        db.execute("UPDATE api_monitors SET enabled = false WHERE id = ?", disabled);
        var replica = replica(redis, asMonitor, stream, PushSettings.DEFAULTS, s -> withoutRegistration(s));

        xadd(stream, fields("foo", "bar"));
        xadd(stream, fields("subject", "jobs.malformed", "kind", "finished"));
        xadd(stream, fields("subject", "nobody.has.this", "interval", "15s"));
        xadd(stream, fields("subject", "jobs.paused"));
        xadd(stream, fields("subject", "jobs.malformed", "message", "x".repeat(10 << 20)));
        xadd(stream, fields("subject", "jobs.malformed", "message", "y".repeat(17 << 20)));

        await().atMost(WITHIN)
                .until(() -> pending(redis, stream) == 0
                        && beats(replica.meters(), "accepted") == 1
                        && beats(replica.meters(), "too_large") == 1);
        assertThat(beats(replica.meters(), "malformed")).isEqualTo(2);
        assertThat(beats(replica.meters(), "unknown_subject")).isEqualTo(1);
        assertThat(beats(replica.meters(), "disabled")).isEqualTo(1);
        assertThat(replica.meters().get(Meters.PUSH_MESSAGES_CUT).counter().count())
                .isEqualTo(1);
        assertThat(rows(db, disabled)).isEmpty();
        var rows = rows(db, monitor);
        assertThat(rows).hasSize(1);
        String message = (String) rows.getFirst().get("message");
        assertThat(message)
                .startsWith("xxx")
                .endsWith("… [cut: 10485760 bytes received]")
                .hasSize(PushSettings.MESSAGE_BYTES + "… [cut: 10485760 bytes received]".length());
        assertThat(db.count("SELECT count(*) FROM api_monitors WHERE push_subject = 'nobody.has.this'"))
                .as("auto-registration is off")
                .isZero();
    }

    private static RedisIngestSettings withoutRegistration(RedisIngestSettings s) {
        return new RedisIngestSettings(
                s.host(),
                s.port(),
                s.database(),
                s.user(),
                s.password(),
                s.tls(),
                s.streams(),
                s.group(),
                s.consumer(),
                false,
                s.block(),
                s.count(),
                s.claimMinIdle(),
                s.claimEvery(),
                s.timeout());
    }

    @Test
    void aBacklogReadAtOnceIsNoFloodButEntriesAddedFasterThanTheRateAreHeldBack() {
        String stream = "beats-backlog";
        int backlog = pushMonitor(db, "backlog", "jobs.backlog");
        int flood = pushMonitor(db, "flood", "jobs.flood");
        var replica = replica(stream);
        long first = Instant.now().minusSeconds(100).toEpochMilli();
        try (var jedis = jedis(redis);
                var multi = jedis.multi()) {
            // 80 beats a second apart, as a sender added them while nobody read (ids chosen as Redis would have).
            for (int i = 0; i < 80; i++) {
                multi.xadd(
                        stream,
                        XAddParams.xAddParams().id(new StreamEntryID(first + i * 1_000L, 0)),
                        fields("subject", "jobs.backlog", "message", "beat " + i));
            }
            // 80 beats in the same millisecond: past the burst of 50.
            for (int i = 0; i < 80; i++) {
                multi.xadd(stream, XAddParams.xAddParams(), fields("subject", "jobs.flood", "message", "beat " + i));
            }
            multi.exec();
        }

        await().atMost(WITHIN)
                .until(() -> pending(redis, stream) == 0
                        && beats(replica.meters(), "accepted") + beats(replica.meters(), "rate_limited") == 160);
        assertThat(rows(db, backlog)).as("sent at one a second").hasSize(80);
        int held = rows(db, flood).size();
        assertThat(held)
                .as("the burst, and what 5/s refilled within a millisecond")
                .isBetween(50, 51);
        assertThat(beats(replica.meters(), "rate_limited")).isEqualTo(80 - held);
    }

    @Test
    void anUnknownSubjectWhoseEntrySaysItsIntervalRegistersAPushMonitor() {
        String stream = "beats-register";
        var replica = replica(stream);
        var sent = Beat.success(Duration.ofSeconds(15), Duration.ofMillis(29_500), "web-1", "Registered job");

        xadd(stream, RedisBeatSender.fields("jobs.registered", sent, Instant.now()));
        xadd(stream, RedisBeatSender.fields("jobs.registered", sent.withKind(Beat.Kind.LOG), Instant.now()));

        await().atMost(WITHIN).until(() -> beats(replica.meters(), "accepted") == 2 && pending(redis, stream) == 0);
        var monitor = db.jdbi().withHandle(h -> h.createQuery("SELECT m.id, m.name, m.type, m.grace_seconds,"
                        + " s.interval FROM api_monitors m JOIN schedules s ON s.id = m.schedule_id"
                        + " WHERE m.push_subject = 'jobs.registered'")
                .mapToMap()
                .one());
        assertThat(monitor)
                .containsEntry("name", "Registered job")
                .containsEntry("type", "push")
                .containsEntry("grace_seconds", 30)
                .containsEntry("interval", 15);
        assertThat(rows(db, (Integer) monitor.get("id")))
                .extracting(r -> r.get("beat_kind"))
                .containsExactly("success", "log");
    }

    @Test
    void aWrongPasswordIsOneOutageLoggedOnceThatNeverShowsThePasswordAndTheRightOneIsRead() throws Exception {
        String password = "planted-ingest-pass-" + UUID.randomUUID();
        String stream = "beats-password";
        int monitor = pushMonitor(db, "password", "jobs.password");
        var logger = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("dev.vantage.push");
        var appender = new ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent>();
        appender.start();
        logger.addAppender(appender);
        try (var secured = RedisServer.create("--requirepass", password);
                var admin = new Jedis(
                        new HostAndPort("127.0.0.1", secured.port()),
                        DefaultJedisClientConfig.builder()
                                .password(password)
                                .autoNegotiateProtocol(false)
                                .build())) {
            String at = "127.0.0.1:" + secured.port();
            var push = PushIngest.start(
                    PushSettings.DEFAULTS, asMonitor, "redis-it", new SimpleMeterRegistry(), Clock.systemUTC());
            running.add(push);
            var wrong = RedisIngest.start(
                    RedisIngestSettings.of(
                            "redis://:wrong-" + password + "@" + at, stream, "group-" + stream, null, "wrong-password"),
                    push,
                    Clock.systemUTC());
            running.add(wrong);
            long connections = connectionsReceived(admin);
            await().atMost(WITHIN).until(() -> connectionsReceived(admin) - connections >= 4);
            assertThat(wrong.connected()).isFalse();
            var right = RedisIngest.start(
                    RedisIngestSettings.of(
                                    "redis://:" + password + "@" + at,
                                    stream,
                                    "group-" + stream,
                                    null,
                                    "right-password")
                            .withTimings(Duration.ofMillis(200), Duration.ofSeconds(30), Duration.ofSeconds(10)),
                    push,
                    Clock.systemUTC());
            running.add(right);
            await().atMost(WITHIN).until(right::connected);
            admin.xadd(stream, XAddParams.xAddParams(), fields("subject", "jobs.password", "message", "authenticated"));
            await().atMost(WITHIN).until(() -> rows(db, monitor).size() == 1);
            stopIngests();

            var lines = appender.list.stream()
                    .map(ch.qos.logback.classic.spi.ILoggingEvent::getFormattedMessage)
                    .toList();
            assertThat(lines).noneMatch(line -> line.contains(password));
            assertThat(lines)
                    .filteredOn(line -> line.contains("cannot read from"))
                    .as("one line for the outage, whatever the attempts")
                    .containsExactly("Redis ingest: cannot read from redis://" + at
                            + ": Redis answered WRONGPASS; retrying with backoff (beats wait in the streams)");
        } finally {
            logger.detachAppender(appender);
        }
    }

    private static long connectionsReceived(Jedis admin) {
        String stats = admin.info("stats");
        return stats.lines()
                .filter(line -> line.startsWith("total_connections_received:"))
                .mapToLong(line ->
                        Long.parseLong(line.substring(line.indexOf(':') + 1).strip()))
                .findFirst()
                .orElseThrow();
    }

    @Test
    void aServerAwayAtStartDoesNotHoldTheReplicaAndOneThatRestartsIsReadAgain() {
        String stream = "beats-restart";
        int monitor = pushMonitor(db, "restart", "jobs.restart");
        try (var other = RedisServer.create()) {
            other.stop();
            long started = System.nanoTime();
            var replica = replica(other, asMonitor, stream, PushSettings.DEFAULTS, s -> s);
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
            assertThat(replica.redis().connected()).isFalse();

            other.start();
            await().atMost(Duration.ofSeconds(40)).until(replica.redis()::connected);
            try (var jedis = jedis(other)) {
                jedis.xadd(stream, XAddParams.xAddParams(), fields("subject", "jobs.restart", "message", "one"));
            }
            await().atMost(WITHIN).until(() -> rows(db, monitor).size() == 1);

            other.stop();
            await().atMost(WITHIN).until(() -> !replica.redis().connected());
            other.start();
            await().atMost(Duration.ofSeconds(40)).until(replica.redis()::connected);
            try (var jedis = jedis(other)) {
                jedis.xadd(stream, XAddParams.xAddParams(), fields("subject", "jobs.restart", "message", "two"));
            }
            await().atMost(WITHIN).until(() -> rows(db, monitor).size() == 2 && pending(other, stream) == 0);
            assertThat(rows(db, monitor)).extracting(r -> r.get("message")).containsExactly("one", "two");
            // The Redis ingest stops before the server does.
            stopIngests();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
