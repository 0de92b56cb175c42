package dev.vantage.push.nats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vantage.Meters;
import dev.vantage.beat.Beat;
import dev.vantage.beat.BeatSenders;
import dev.vantage.beat.Deadline;
import dev.vantage.beat.Destination;
import dev.vantage.beat.Outcome;
import dev.vantage.beat.Rfc3339;
import dev.vantage.config.DbConnection;
import dev.vantage.push.PushIngest;
import dev.vantage.push.PushSettings;
import dev.vantage.testing.NatsServer;
import dev.vantage.testing.PostgresExtension;
import dev.vantage.testing.TestDatabase;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.nats.client.Connection;
import io.nats.client.Nats;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * NATS ingest against a real nats-server (JetStream on) and the real database, logged in as a member of
 * vantage_monitor (so registering a subject is done with the grants a monitor has). Each scenario uses subjects of its
 * own.
 */
@ExtendWith(PostgresExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NatsIngestIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(20);

    private final List<AutoCloseable> running = new ArrayList<>();
    private TestDatabase db;
    private String login;
    private DbConnection asMonitor;
    private NatsServer nats;
    private Connection publisher;
    private SimpleMeterRegistry meters;
    private PushIngest push;

    @BeforeAll
    void start(TestDatabase db) throws Exception {
        this.db = db;
        login = "it_nats_" + UUID.randomUUID().toString().substring(0, 8);
        String password = UUID.randomUUID().toString();
        db.execute("CREATE ROLE " + login + " LOGIN PASSWORD '" + password + "' IN ROLE vantage_monitor");
        asMonitor = new DbConnection(db.connection().jdbcUrl(), login, password);
        nats = NatsServer.create();
        running.add(nats);
        publisher = Nats.connect(nats.url());
        running.add(publisher::close);
        meters = new SimpleMeterRegistry();
        push = push(meters);
        ingest(push, meters, settings(nats, "heartbeat.", "it-main"));
        await().atMost(WAIT).until(() -> !rows("heartbeat.warmup").isEmpty() || publishAndFalse("heartbeat.warmup"));
    }

    @AfterAll
    void stop() throws Exception {
        for (AutoCloseable c : running.reversed()) {
            c.close();
        }
        db.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = ?", login);
        db.execute("DROP ROLE " + login);
    }

    private PushIngest push(MeterRegistry registry) {
        var ingest = PushIngest.start(PushSettings.DEFAULTS, asMonitor, "nats-it", registry, Clock.systemUTC());
        running.add(ingest);
        return ingest;
    }

    private NatsIngest ingest(PushIngest to, MeterRegistry registry, NatsIngestSettings settings) {
        var ingest = NatsIngest.start(settings, to, "nats-it", registry, Clock.systemUTC());
        running.add(ingest);
        return ingest;
    }

    private static NatsIngestSettings settings(NatsServer server, String prefix, String queue) {
        return NatsIngestSettings.of(server.url(), prefix, queue, null, true);
    }

    /** A message as the Go agent marshals it: integer nanoseconds, RFC 3339 with nanoseconds. */
    private static String goMessage(String subject, Instant generatedAt, long intervalNs, Long graceNs, String desc) {
        return "{\"subject\":\"" + subject + "\",\"generated_at\":\"" + Rfc3339.format(generatedAt)
                + "\",\"interval\":" + intervalNs + (graceNs == null ? "" : ",\"grace_period\":" + graceNs)
                + ",\"host\":\"api-host-1\"" + (desc == null ? "" : ",\"description\":\"" + desc + "\"") + "}";
    }

    private static void publish(Connection c, String subject, String payload) throws Exception {
        c.publish(subject, payload.getBytes(StandardCharsets.UTF_8));
        c.flush(Duration.ofSeconds(5));
    }

    private void publishGo(String subject) throws Exception {
        publish(publisher, subject, goMessage(subject, Instant.now(), 15_000_000_000L, null, null));
    }

    private record Row(
            Instant scheduledAt,
            int datacenterId,
            String beatKind,
            boolean success,
            String errorType,
            String errorMessage,
            String message,
            JsonNode details) {}

    private List<Row> rows(String subject) {
        return db.jdbi().withHandle(h -> h.createQuery(
                        """
                        SELECT h.scheduled_at, h.datacenter_id, h.beat_kind, h.success, h.error_type, h.error_message,
                               h.message, h.details::text
                        FROM api_heartbeats h JOIN api_monitors m ON m.id = h.monitor_id
                        WHERE m.push_subject = :subject ORDER BY h.scheduled_at
                        """)
                .bind("subject", subject)
                .map((rs, ctx) -> {
                    try {
                        return new Row(
                                rs.getObject(1, java.time.OffsetDateTime.class).toInstant(),
                                rs.getInt(2),
                                rs.getString(3),
                                rs.getBoolean(4),
                                rs.getString(5),
                                rs.getString(6),
                                rs.getString(7),
                                JSON.readTree(rs.getString(8)));
                    } catch (java.io.IOException e) {
                        throw new IllegalStateException(e);
                    }
                })
                .list());
    }

    private long monitors(String subject) {
        return db.count("SELECT count(*) FROM api_monitors WHERE push_subject = ?", subject);
    }

    private static double count(MeterRegistry registry, String outcome) {
        var counter = registry.find(Meters.PUSH_BEATS)
                .tags("source", "nats", "outcome", outcome)
                .counter();
        return counter == null ? 0 : counter.count();
    }

    @Test
    void aGoAgentsMessageRegistersItsSubjectAsAPushMonitorAndWritesABeat() throws Exception {
        Instant generatedAt = Instant.now();
        publish(
                publisher,
                "heartbeat.service.api",
                goMessage("heartbeat.service.api", generatedAt, 15_000_000_000L, 30_000_000_000L, "API service"));

        await().atMost(WAIT).until(() -> rows("heartbeat.service.api").size() == 1);
        Map<String, Object> monitor = db.jdbi().withHandle(h -> h.createQuery(
                        """
                        SELECT m.name, m.type, m.grace_seconds, m.enabled, m.push_token IS NOT NULL AS has_token,
                               s.interval, s.name AS schedule
                        FROM api_monitors m JOIN schedules s ON s.id = m.schedule_id
                        WHERE m.push_subject = 'heartbeat.service.api'
                        """)
                .mapToMap()
                .one());
        assertThat(monitor)
                .containsEntry("name", "API service")
                .containsEntry("type", "push")
                .containsEntry("grace_seconds", 30)
                .containsEntry("enabled", true)
                .containsEntry("has_token", true)
                .containsEntry("interval", 15)
                .containsEntry("schedule", "every 15 s (push)");
        Row row = rows("heartbeat.service.api").getFirst();
        assertThat(row.datacenterId()).isZero();
        assertThat(row.beatKind()).isEqualTo("success");
        assertThat(row.success()).isTrue();
        assertThat(row.scheduledAt()).as("the sender's time").isEqualTo(generatedAt.truncatedTo(ChronoUnit.MICROS));
        assertThat(row.details())
                .isEqualTo(JSON.readTree("{\"source\":\"nats\",\"subject\":\"heartbeat.service.api\",\"host\":"
                        + "\"api-host-1\",\"generated_at\":\"" + Rfc3339.format(generatedAt) + "\"}"));

        // Another sender of the same subject with another interval changes nothing of the row.
        publish(
                publisher,
                "heartbeat.service.api",
                goMessage("heartbeat.service.api", Instant.now(), 60_000_000_000L, null, "renamed"));
        await().atMost(WAIT).until(() -> rows("heartbeat.service.api").size() == 2);
        assertThat(db.count("SELECT count(*) FROM api_monitors WHERE push_subject = 'heartbeat.service.api'"
                        + " AND name = 'API service' AND grace_seconds = 30"))
                .isEqualTo(1);
    }

    @Test
    void aSubjectWithAnExistingIntervalReusesItsScheduleAndALongDescriptionIsCut() throws Exception {
        long schedule = db.count("INSERT INTO schedules (name, interval) VALUES ('every 20 s', 20) RETURNING id");
        String description = "x".repeat(150);
        publish(
                publisher,
                "heartbeat.reuse",
                goMessage("heartbeat.reuse", Instant.now(), 20_000_000_000L, null, description));

        await().atMost(WAIT).until(() -> rows("heartbeat.reuse").size() == 1);
        assertThat(db.count(
                        "SELECT count(*) FROM api_monitors WHERE push_subject = 'heartbeat.reuse' AND schedule_id = ?"
                                + " AND name = ? AND grace_seconds IS NULL",
                        schedule,
                        "x".repeat(100)))
                .isEqualTo(1);
    }

    @Test
    void vantageBeatsNatsSenderLandsWithItsKindsExitStatusAndMessage() {
        var sender = BeatSenders.standard(Clock.systemUTC())
                .open(new Destination(nats.url(), "heartbeat.jobs.backup", null));
        var rid = UUID.randomUUID();
        Duration every = Duration.ofMinutes(5);
        for (Beat beat : List.of(
                new Beat(Beat.Kind.START, null, null, rid, every, null, "job-host", "backup"),
                new Beat(Beat.Kind.FAIL, 3, "disk full", rid, every, null, "job-host", "backup"),
                new Beat(Beat.Kind.LOG, null, "rotated", null, every, null, "job-host", "backup"),
                new Beat(Beat.Kind.SUCCESS, 0, null, null, every, null, "job-host", "backup"))) {
            assertThat(sender.send(beat, Deadline.after(Duration.ofSeconds(10))))
                    .isEqualTo(Outcome.delivered());
        }

        await().atMost(WAIT).until(() -> rows("heartbeat.jobs.backup").size() == 4);
        var rows = rows("heartbeat.jobs.backup");
        assertThat(rows).extracting(Row::beatKind).containsExactly("start", "fail", "log", "success");
        assertThat(rows.get(1).success()).isFalse();
        assertThat(rows.get(1).errorType()).isEqualTo("EXIT_STATUS");
        assertThat(rows.get(1).errorMessage()).isEqualTo("exit status 3");
        assertThat(rows.get(1).message()).isEqualTo("disk full");
        assertThat(rows.get(1).details().get("rid").asText()).isEqualTo(rid.toString());
        assertThat(rows.get(1).details().get("exit_status").asInt()).isEqualTo(3);
        assertThat(rows.get(2).message()).isEqualTo("rotated");
        assertThat(rows.get(3).success()).isTrue();
        assertThat(db.count("SELECT count(*) FROM api_heartbeats h JOIN api_monitors m ON m.id = h.monitor_id"
                        + " WHERE m.push_subject = 'heartbeat.jobs.backup' AND h.beat_kind = 'fail'"
                        + " AND h.response_time_ms IS NOT NULL"))
                .as("the fail ends the run its start began")
                .isEqualTo(1);
    }

    @Test
    void withAutoRegistrationOffAnUnknownSubjectIsDroppedAndCounted() throws Exception {
        var registry = new SimpleMeterRegistry();
        // A missing prime stream is one warning, not a failure.
        ingest(
                push(registry),
                registry,
                settings(nats, "noreg.", "it-noreg").withAutoRegister(false).withPrimeStream("NOPE"));
        await().atMost(WAIT).until(() -> count(registry, "unknown_subject") > 0 || publishAndFalse("noreg.unknown"));

        assertThat(monitors("noreg.unknown")).isZero();
        db.execute("INSERT INTO schedules (name, interval) VALUES ('noreg', 60)");
        db.execute("INSERT INTO api_monitors (name, type, schedule_id, push_subject) VALUES ('known', 'push',"
                + " (SELECT max(id) FROM schedules), 'noreg.known')");
        await().atMost(WAIT).until(() -> !rows("noreg.known").isEmpty() || publishAndFalse("noreg.known"));
    }

    /** Publishes a Go message on {@code subject} and returns false: for awaiting while the subscription starts. */
    private boolean publishAndFalse(String subject) throws Exception {
        publishGo(subject);
        return false;
    }

    @Test
    void aDisabledMonitorsBeatsAreDroppedAndItIsNeverRegisteredAgain() throws Exception {
        db.execute("INSERT INTO schedules (name, interval) VALUES ('retired', 60)");
        db.execute(
                "INSERT INTO api_monitors (name, type, schedule_id, push_subject, enabled) VALUES ('retired', 'push',"
                        + " (SELECT max(id) FROM schedules), 'heartbeat.retired', false)");
        double before = count(meters, "disabled");

        publishGo("heartbeat.retired");
        publishGo("heartbeat.retired");

        await().atMost(WAIT).until(() -> count(meters, "disabled") == before + 2);
        assertThat(rows("heartbeat.retired")).isEmpty();
        assertThat(monitors("heartbeat.retired")).isEqualTo(1);
    }

    @Test
    void malformedMessagesAreCountedAndTheSubscriptionKeepsWorking() throws Exception {
        double malformed = count(meters, "malformed");
        double tooLarge = count(meters, "too_large");

        publish(publisher, "heartbeat.bad", "not json");
        publish(publisher, "heartbeat.bad", "{\"subject\":\"heartbeat.bad\",\"interval\":15}");
        publish(
                publisher,
                "heartbeat.bad",
                "{\"subject\":\"heartbeat.bad\",\"generated_at\":\"" + Instant.now() + "\",\"interval\":0}");
        publish(publisher, "heartbeat.bad", "{\"description\":\"" + "x".repeat((1 << 20) - 100) + "\"}");
        publishGo("heartbeat.after.bad");

        await().atMost(WAIT).until(() -> rows("heartbeat.after.bad").size() == 1);
        await().atMost(WAIT).until(() -> count(meters, "malformed") == malformed + 3);
        assertThat(count(meters, "too_large")).isEqualTo(tooLarge + 1);
        assertThat(monitors("heartbeat.bad")).isZero();
    }

    @Test
    void twoReplicasInOneQueueGroupTakeEachMessageOnce() throws Exception {
        var first = new SimpleMeterRegistry();
        var second = new SimpleMeterRegistry();
        ingest(push(first), first, settings(nats, "shared.", "it-shared"));
        ingest(push(second), second, settings(nats, "shared.", "it-shared"));
        await().atMost(WAIT)
                .until(() -> (count(first, "accepted") > 0 && count(second, "accepted") > 0)
                        || publishAndFalse("shared.warmup"));

        // Sent long ago: keyed by their receive times, so a message taken twice would make two rows.
        Instant old = Instant.now().minus(Duration.ofMinutes(10));
        for (int i = 0; i < 40; i++) {
            String subject = "shared.s" + (i % 8);
            publish(publisher, subject, goMessage(subject, old.plusMillis(i), 15_000_000_000L, null, null));
        }

        await().atMost(WAIT)
                .during(Duration.ofSeconds(1))
                .until(() -> db.count("SELECT count(*) FROM api_heartbeats h JOIN api_monitors m"
                                + " ON m.id = h.monitor_id WHERE m.push_subject LIKE 'shared.s%'")
                        == 40);
        assertThat(db.count("SELECT count(*) FROM api_monitors WHERE push_subject LIKE 'shared.s%'"))
                .as("one monitor per subject, however many replicas registered it")
                .isEqualTo(8);
    }

    @Test
    void primingTakesTheLastMessagePerSubjectOnceAndAgainWithoutASecondRow() throws Exception {
        var jsm = publisher.jetStreamManagement();
        jsm.addStream(StreamConfiguration.builder()
                .name("HEARTBEATS")
                .subjects("prime.>")
                .storageType(StorageType.Memory)
                .build());
        var js = publisher.jetStream();
        Instant t = Instant.now().minusSeconds(10);
        for (String subject : List.of("prime.a", "prime.b")) {
            for (int i = 0; i < 3; i++) {
                js.publish(
                        subject,
                        goMessage(subject, t.plusSeconds(i), 15_000_000_000L, null, null)
                                .getBytes(StandardCharsets.UTF_8));
            }
        }
        // Older than the bound: the sender has long been silent; taking it would hide that.
        js.publish(
                "prime.stale",
                goMessage("prime.stale", t.minus(Duration.ofMinutes(10)), 15_000_000_000L, null, null)
                        .getBytes(StandardCharsets.UTF_8));

        var registry = new SimpleMeterRegistry();
        var primed = settings(nats, "prime.", "it-prime").withPrimeStream("HEARTBEATS");
        var first = ingest(push(registry), registry, primed);

        await().atMost(WAIT).until(() -> count(registry, "accepted") == 2);
        for (String subject : List.of("prime.a", "prime.b")) {
            var rows = rows(subject);
            assertThat(rows).hasSize(1);
            assertThat(rows.getFirst().scheduledAt()).isEqualTo(t.plusSeconds(2).truncatedTo(ChronoUnit.MICROS));
            assertThat(rows.getFirst().details().get("primed").asBoolean()).isTrue();
        }
        assertThat(monitors("prime.stale")).isZero();

        first.close();
        var again = new SimpleMeterRegistry();
        ingest(push(again), again, primed);
        await().atMost(WAIT).until(() -> count(again, "accepted") == 2);
        assertThat(rows("prime.a")).hasSize(1);
        assertThat(rows("prime.b")).hasSize(1);
    }

    @Test
    void theIngestStartsWithoutTheServerAndOutlivesItsRestarts() throws Exception {
        try (var away = NatsServer.create()) {
            away.stop();
            var registry = new SimpleMeterRegistry();
            long started = System.nanoTime();
            var ingest = ingest(push(registry), registry, settings(away, "away.", "it-away"));
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(2));
            try {

                away.start();
                try (var c = Nats.connect(away.url())) {
                    await().atMost(WAIT).until(() -> !rows("away.first").isEmpty() || publishOn(c, "away.first"));
                }

                away.stop();
                away.start();
                try (var c = Nats.connect(away.url())) {
                    await().atMost(WAIT).until(() -> !rows("away.second").isEmpty() || publishOn(c, "away.second"));
                }
                assertThat(rows("away.first")).isNotEmpty();
            } finally {
                ingest.close();
            }
        }
    }

    private static boolean publishOn(Connection c, String subject) throws Exception {
        publish(c, subject, goMessage(subject, Instant.now(), 15_000_000_000L, null, null));
        return false;
    }
}
