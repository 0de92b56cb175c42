package dev.vantage.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vantage.testing.RedisServer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;

/** {@code vantage beat} to a real redis-server ({@link RedisServer}): the stream entry, field by field in order. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(120)
class BeatRedisIT {
    private static final String PASSWORD = "planted-beat-redis-pass-Hq4";

    private RedisServer redis;

    @BeforeAll
    void startRedis() {
        redis = RedisServer.create();
    }

    @AfterAll
    void stopRedis() {
        redis.close();
    }

    @Test
    void aPlainBeatIsOneEntryOfTheDefaultStream() {
        var run = BeatCli.run("--subject", "backup", "--host", "db-1", redis.url());

        assertThat(run.exit()).as(run.err()).isZero();
        List<List<String>> entries = entries(redis.port(), null, 0, "vantage:beats");
        assertThat(entries).hasSize(1);
        List<String> fields = entries.getFirst();
        assertThat(fields)
                .containsExactly(
                        "subject",
                        "backup",
                        "kind",
                        "success",
                        "timestamp",
                        fields.get(5),
                        "interval",
                        "15",
                        "host",
                        "db-1");
        assertThat(Instant.parse(fields.get(5))).isBefore(Instant.now());
        assertThat(fields.get(5)).endsWith("Z");
    }

    @Test
    void everyFieldIsAddedInOrderToTheChosenStreamAndDatabase() {
        String rid = "3f2b8c1e-7d4a-4c55-9b1e-2f6a0c9d8e71";
        var run = BeatCli.run(
                "--subject",
                "jobs.nightly",
                "--stream",
                "beats:test",
                "--exit-status",
                "2",
                "--message",
                "exit 2: no space left",
                "--rid",
                rid,
                "--interval",
                "1h",
                "--grace",
                "500ms",
                "--host",
                "db-1",
                "--description",
                "Nightly job",
                redis.url() + "/3");

        assertThat(run.exit()).as(run.err()).isZero();
        List<String> fields = entries(redis.port(), null, 3, "beats:test").getFirst();
        assertThat(fields)
                .containsExactly(
                        "subject", "jobs.nightly",
                        "kind", "fail",
                        "exit_status", "2",
                        "message", "exit 2: no space left",
                        "rid", rid,
                        "timestamp", fields.get(11),
                        "interval", "3600",
                        "grace", "0.5",
                        "host", "db-1",
                        "description", "Nightly job");
        assertThat(entries(redis.port(), null, 0, "beats:test"))
                .as("database 0 untouched")
                .isEmpty();
    }

    @Test
    void aPasswordInTheUrlIsSentAndAWrongOneIsRefusedWithoutShowingIt() {
        try (var secured = RedisServer.create("--requirepass", PASSWORD)) {
            String at = "127.0.0.1:" + secured.port();

            var right = BeatCli.run(Map.of("SUBJECT", "a"), "--log", "redis://:" + PASSWORD + "@" + at);
            var wrong = BeatCli.run(Map.of("SUBJECT", "a"), "redis://:wrong-" + PASSWORD + "@" + at);
            var none = BeatCli.run(Map.of("SUBJECT", "a"), "redis://" + at);

            assertThat(right.exit()).as(right.err()).isZero();
            assertThat(entries(secured.port(), PASSWORD, 0, "vantage:beats"))
                    .singleElement()
                    .satisfies(
                            fields -> assertThat(fields.subList(0, 4)).containsExactly("subject", "a", "kind", "log"));
            assertThat(wrong.exit()).isEqualTo(BeatCommand.NOT_DELIVERED);
            assertThat(wrong.errLines())
                    .containsExactly(
                            "vantage beat: not delivered: Redis at " + at + " refused the credentials (WRONGPASS)");
            assertThat(none.exit()).isEqualTo(BeatCommand.NOT_DELIVERED);
            assertThat(none.err()).contains("requires a password (NOAUTH)");
        }
    }

    @Test
    void aStoppedServerExits1WithinTheTimeout() {
        try (var stopped = RedisServer.create()) {
            stopped.stop();

            var run = BeatCli.run("--subject", "a", "--timeout", "1s", stopped.url());

            assertThat(run.exit()).isEqualTo(BeatCommand.NOT_DELIVERED);
            assertThat(run.took().toMillis()).isLessThan(2000);
            assertThat(run.errLines())
                    .singleElement()
                    .asString()
                    .startsWith("vantage beat: not delivered: Redis at 127.0.0.1:" + stopped.port()
                            + ": cannot connect (connection refused) (");
        }
    }

    /** XRANGE stream - +, raw: each entry's fields and values in the order the server keeps them. */
    private static List<List<String>> entries(int port, String password, int database, String stream) {
        var config = DefaultJedisClientConfig.builder()
                .password(password)
                .database(database)
                .autoNegotiateProtocol(false)
                .build();
        try (var jedis = new Jedis(new HostAndPort("127.0.0.1", port), config)) {
            var entries = new ArrayList<List<String>>();
            for (Object entry : jedis.xrange(bytes(stream), bytes("-"), bytes("+"))) {
                List<?> idAndFields = (List<?>) entry;
                var fields = new ArrayList<String>();
                for (Object field : (List<?>) idAndFields.get(1)) {
                    fields.add(new String((byte[]) field, StandardCharsets.UTF_8));
                }
                entries.add(fields);
            }
            return entries;
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
