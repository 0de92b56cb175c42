package dev.vantage.push.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vantage.beat.Beat;
import dev.vantage.beat.RedisBeatSender;
import dev.vantage.monitor.MonitorModule;
import dev.vantage.monitor.MonitorSettings;
import dev.vantage.push.PushIngest;
import dev.vantage.push.PushSettings;
import dev.vantage.testing.PostgresExtension;
import dev.vantage.testing.PostgresExtension.Fresh;
import dev.vantage.testing.RedisServer;
import dev.vantage.testing.RedisSubscriber;
import dev.vantage.testing.TestDatabase;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.params.XAddParams;

/**
 * redis-pulse-monitor's setup, watched by Vantage: named agents {@code agent1} and {@code agent2} beat every second
 * into a stream, each a push monitor whose push_subject is its name (interval 1 s, grace 2 s), and the events the Go
 * monitor raised arrive as notices PUBLISHed on a Redis channel: LostEvent as {@code firing} (MISSED), FoundEvent as
 * {@code resolved}, ErrorEvent (an error sent as a fail beat) as {@code firing} with the error, and InfoEvent (a log
 * beat) as a row and no notice.
 */
@ExtendWith(PostgresExtension.class)
@Timeout(60)
class ComingFromRedisPulseMonitorIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CHANNEL = "pulse:events";
    private static final Duration NOTICE_WITHIN = Duration.ofSeconds(10);

    /** What an agent sends: {@code vantage beat --subject agent1 --interval 1s --grace 2s redis://…}. */
    private static Beat pulse(String agent) {
        return Beat.success(Duration.ofSeconds(1), Duration.ofSeconds(2), agent + ".example", null);
    }

    @Test
    void lostFoundErrorAndInfoEventsBecomeNoticesOnARedisChannel(@Fresh TestDatabase db) throws Exception {
        var running = new ArrayList<AutoCloseable>();
        try (var redis = RedisServer.create();
                var subscriber = RedisSubscriber.on(redis, CHANNEL);
                var ticks = Executors.newSingleThreadScheduledExecutor()) {
            try {
                db.execute("INSERT INTO schedules (id, name, interval) VALUES (1, 'every second', 1)");
                db.execute("INSERT INTO api_monitors (name, type, schedule_id, push_subject, grace_seconds) VALUES"
                        + " ('agent1', 'push', 1, 'agent1', 2), ('agent2', 'push', 1, 'agent2', 2)");
                db.execute(
                        "INSERT INTO notification_channels (name, type, settings, is_default, group_seconds) VALUES"
                                + " ('pulse events', 'redis', jsonb_build_object('url', ?::text, 'channel', ?::text),"
                                + " true, 0)",
                        redis.url(),
                        CHANNEL);
                var clock = Clock.systemUTC();
                var meters = new SimpleMeterRegistry();
                running.add(MonitorModule.start(MonitorSettings.defaults(db.connection(), "pulse"), meters, clock));
                var push = PushIngest.start(PushSettings.DEFAULTS, db.connection(), "pulse", meters, clock);
                running.add(push);
                var ingest = RedisIngest.start(
                        RedisIngestSettings.of(redis.url(), null, null, "false", "pulse")
                                .withTimings(Duration.ofMillis(200), Duration.ofSeconds(30), Duration.ofSeconds(10)),
                        push,
                        clock);
                running.add(ingest);
                await().atMost(Duration.ofSeconds(10)).until(ingest::connected);

                var agents = new Agents(redis, ticks);
                running.add(agents);
                agents.start("agent1");
                agents.start("agent2");
                await().atMost(Duration.ofSeconds(15))
                        .until(() -> "UP".equals(state(db, "agent1")) && "UP".equals(state(db, "agent2")));

                // LostEvent: agent1 stops.
                agents.stop("agent1");
                JsonNode lost = notice(subscriber);
                assertThat(lost.get("type").asText()).isEqualTo("incident.firing");
                assertThat(lost.at("/data/monitor_name").asText()).isEqualTo("agent1");
                assertThat(lost.at("/data/error_type").asText()).isEqualTo("MISSED");

                // FoundEvent: agent1 is back.
                agents.start("agent1");
                JsonNode found = notice(subscriber);
                assertThat(found.get("type").asText()).isEqualTo("incident.resolved");
                assertThat(found.at("/data/monitor_name").asText()).isEqualTo("agent1");
                assertThat(found.at("/data/dedup_key").asText())
                        .isEqualTo(lost.at("/data/dedup_key").asText());

                // ErrorEvent: agent.SendError(errors.New("Sample went wrong")), then it goes on beating.
                agents.send("agent2", pulse("agent2").withKind(Beat.Kind.FAIL).withMessage("Sample went wrong"));
                JsonNode error = notice(subscriber);
                assertThat(error.get("type").asText()).isEqualTo("incident.firing");
                assertThat(error.at("/data/monitor_name").asText()).isEqualTo("agent2");
                assertThat(error.at("/data/error_type").asText()).isEqualTo("FAIL");
                assertThat(error.at("/data/error_message").asText()).isEqualTo("Sample went wrong");
                assertThat(notice(subscriber).get("type").asText())
                        .as("its next beat")
                        .isEqualTo("incident.resolved");

                // InfoEvent: agent.SendInfo("Info message") is stored and changes nothing.
                agents.send("agent1", pulse("agent1").withKind(Beat.Kind.LOG).withMessage("Info message"));
                await().atMost(Duration.ofSeconds(5))
                        .until(() -> db.count("SELECT count(*) FROM api_heartbeats WHERE beat_kind = 'log'"
                                        + " AND message = 'Info message'")
                                == 1);
                assertThat(subscriber.next(Duration.ofSeconds(2)))
                        .as("no notice for an info")
                        .isNull();
                assertThat(state(db, "agent1")).isEqualTo("UP");
                assertThat(state(db, "agent2")).isEqualTo("UP");
            } finally {
                for (AutoCloseable c : running.reversed()) {
                    c.close();
                }
            }
        }
    }

    private static JsonNode notice(RedisSubscriber subscriber) throws Exception {
        String message = subscriber.next(NOTICE_WITHIN);
        assertThat(message).as("a notice within %s", NOTICE_WITHIN).isNotNull();
        return JSON.readTree(message);
    }

    private static String state(TestDatabase db, String agent) {
        return db.jdbi().withHandle(h -> h.createQuery(
                        """
                        SELECT s.state FROM monitor_states s JOIN api_monitors m ON m.id = s.monitor_id
                        WHERE m.push_subject = :subject AND s.datacenter_id IS NULL
                        """)
                .bind("subject", agent)
                .mapTo(String.class)
                .findOne()
                .orElse(null));
    }

    /** The named agents: each XADDs a pulse to vantage:beats every second while it runs, on one thread. */
    private static final class Agents implements AutoCloseable {
        private final ScheduledExecutorService ticks;
        private final Jedis jedis;
        private final Map<String, ScheduledFuture<?>> running = new ConcurrentHashMap<>();

        Agents(RedisServer redis, ScheduledExecutorService ticks) {
            this.ticks = ticks;
            this.jedis = new Jedis(
                    new HostAndPort("127.0.0.1", redis.port()),
                    DefaultJedisClientConfig.builder()
                            .timeoutMillis(5_000)
                            .autoNegotiateProtocol(false)
                            .build());
        }

        void start(String agent) {
            running.put(agent, ticks.scheduleAtFixedRate(() -> add(agent, pulse(agent)), 0, 1, TimeUnit.SECONDS));
        }

        void stop(String agent) {
            running.remove(agent).cancel(false);
        }

        /** One beat, on the agents' thread (the connection is not shared between threads). */
        void send(String agent, Beat beat) throws Exception {
            ticks.submit(() -> add(agent, beat)).get(5, TimeUnit.SECONDS);
        }

        private void add(String agent, Beat beat) {
            jedis.xadd(
                    RedisBeatSender.DEFAULT_STREAM,
                    XAddParams.xAddParams(),
                    RedisBeatSender.fields(agent, beat, Instant.now()));
        }

        @Override
        public void close() throws Exception {
            running.values().forEach(f -> f.cancel(false));
            ticks.submit(jedis::close).get(5, TimeUnit.SECONDS);
        }
    }
}
