package dev.vantage.push.redis;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vantage.beat.Beat;
import dev.vantage.beat.RedisBeatSender;
import dev.vantage.heartbeat.BeatKind;
import dev.vantage.push.redis.RedisEntry.Problem;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Stream entries read as beats: both formats, the row key from the entry id, and every way an entry is refused. */
class RedisEntryTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant NOW = Instant.parse("2025-03-01T12:00:00Z");
    /** An id Redis would give an entry added at NOW. */
    private static final String ID = NOW.toEpochMilli() + "-0";

    private static Map<String, String> fields(String... pairs) {
        var fields = new LinkedHashMap<String, String>();
        for (int i = 0; i < pairs.length; i += 2) {
            fields.put(pairs[i], pairs[i + 1]);
        }
        return fields;
    }

    private static RedisEntry.Beat beat(String stream, String id, Map<String, String> fields) {
        var read = RedisEntry.read(stream, id, fields, NOW);
        assertThat(read).isInstanceOf(RedisEntry.Beat.class);
        return (RedisEntry.Beat) read;
    }

    private static RedisEntry.Refused refused(Map<String, String> fields) {
        var read = RedisEntry.read("vantage:beats", ID, fields, NOW);
        assertThat(read).isInstanceOf(RedisEntry.Refused.class);
        return (RedisEntry.Refused) read;
    }

    @Test
    void whatVantageBeatSendsIsReadFieldByField() throws Exception {
        var rid = UUID.fromString("3f2b8c1e-7d4a-4c55-9b1e-2f6a0c9d8e71");
        var sent = new Beat(
                Beat.Kind.FAIL,
                2,
                "exit 2: no space left",
                rid,
                Duration.ofHours(1),
                Duration.ofMillis(500),
                "db-1",
                "Nightly job");
        Map<String, String> fields =
                RedisBeatSender.fields("jobs.nightly", sent, Instant.parse("2025-03-01T11:59:59.5Z"));

        var beat = beat("vantage:beats", "1740830400000-7", fields);

        assertThat(beat.subject()).isEqualTo("jobs.nightly");
        assertThat(beat.kind()).isEqualTo(BeatKind.FAIL);
        assertThat(beat.exitStatus()).isEqualTo(2);
        assertThat(beat.rid()).isEqualTo(rid);
        assertThat(beat.message()).isEqualTo("exit 2: no space left");
        assertThat(beat.messageBytes()).isEqualTo(21);
        assertThat(beat.key()).isEqualTo(Instant.parse("2025-03-01T12:00:00.000007Z"));
        assertThat(beat.registration())
                .isEqualTo(new RedisEntry.Registration(
                        Duration.ofHours(1), Duration.ofMillis(500), "Nightly job", "db-1"));
        assertThat(JSON.readTree(beat.detailsJson()))
                .isEqualTo(
                        JSON.readTree(
                                """
                        {"source": "redis", "stream": "vantage:beats", "entry_id": "1740830400000-7", "host": "db-1",
                         "rid": "3f2b8c1e-7d4a-4c55-9b1e-2f6a0c9d8e71", "exit_status": 2,
                         "timestamp": "2025-03-01T11:59:59.5Z", "message_bytes": 21}
                        """));
    }

    @ParameterizedTest(name = "kind {0}, exit_status {1}: {2}")
    @CsvSource(
            nullValues = "-",
            value = {
                "-,       -,   SUCCESS",
                "success, -,   SUCCESS",
                "fail,    -,   FAIL",
                "start,   -,   START",
                "log,     -,   LOG",
                "FAIL,    -,   FAIL",
                "-,       0,   SUCCESS",
                "-,       3,   FAIL",
                "fail,    255, FAIL",
                "success, 0,   SUCCESS"
            })
    void theKindComesFromKindElseTheExitStatusElseIsASuccess(String kind, String exitStatus, BeatKind expected) {
        var fields = fields("subject", "backup");
        if (kind != null) {
            fields.put("kind", kind);
        }
        if (exitStatus != null) {
            fields.put("exit_status", exitStatus);
        }

        assertThat(beat("vantage:beats", ID, fields).kind()).isEqualTo(expected);
    }

    @ParameterizedTest(name = "type {0} is {1}")
    @CsvSource({
        "success, SUCCESS",
        "fail,    FAIL",
        "start,   START",
        "log,     LOG",
        "error,   FAIL",
        "alert,   FAIL",
        "failure, FAIL",
        "Error,   FAIL",
        "info,    LOG",
        "warning, LOG",
        "WARNING, LOG",
        "test,    SUCCESS",
        "event,   SUCCESS",
        "'',      SUCCESS"
    })
    void aStreamsDemoEntryBelongsToTheStreamAndItsTypeMapsToAKind(String type, BeatKind kind) throws Exception {
        var beat = beat(
                "notifications",
                ID,
                fields("message", "Message content", "type", type, "timestamp", "2025-03-01T12:59:59+01:00"));

        assertThat(beat.subject()).as("the stream's name").isEqualTo("notifications");
        assertThat(beat.kind()).isEqualTo(kind);
        assertThat(beat.message()).isEqualTo("Message content");
        assertThat(beat.registration())
                .as("no interval: nothing to register with")
                .isNull();
        var details = JSON.readTree(beat.detailsJson());
        assertThat(details.get("timestamp").asText()).isEqualTo("2025-03-01T11:59:59Z");
        assertThat(details.has("type")).isEqualTo(!type.isEmpty());
    }

    @Test
    void aSubjectWinsOverTheStreamAndKindOverType() {
        var beat = beat("events", ID, fields("subject", "api", "kind", "log", "type", "error"));

        assertThat(beat.subject()).isEqualTo("api");
        assertThat(beat.kind()).isEqualTo(BeatKind.LOG);
    }

    @ParameterizedTest(name = "{0} is {1}")
    @CsvSource({
        "1740830400000-0,   2025-03-01T12:00:00Z",
        "1740830400000-1,   2025-03-01T12:00:00.000001Z",
        "1740830400000-999, 2025-03-01T12:00:00.000999Z",
        "1740830400001-0,   2025-03-01T12:00:00.001Z",
        "1740830400000-1000, 2025-03-01T12:00:00.001Z",
        "1740830400000-1234, 2025-03-01T12:00:00.001234Z"
    })
    void theKeyIsTheEntryIdInMicrosecondsAndRunsOverPastSequence999(String id, Instant key) {
        assertThat(RedisEntry.key(id)).isEqualTo(key);
    }

    @Test
    void anEntryReadAgainHasTheSameKeyWhenEverItIsRead() {
        var fields = fields("subject", "api");

        var first = beat("vantage:beats", "1740830399000-3", fields);
        var again = RedisEntry.read("vantage:beats", "1740830399000-3", fields, NOW.plus(Duration.ofDays(2)));

        assertThat(again).isInstanceOf(RedisEntry.Beat.class);
        assertThat(((RedisEntry.Beat) again).key()).isEqualTo(first.key());
    }

    @ParameterizedTest(name = "{0} → {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "2025-03-01T12:00:00Z            | 2025-03-01T12:00:00Z",
                "2025-03-01T12:00:00.250+02:00   | 2025-03-01T10:00:00.25Z",
                "1740830400                      | 2025-03-01T12:00:00Z",
                "1740830400.5                    | 2025-03-01T12:00:00.5Z",
                "yesterday at noon               | yesterday at noon",
                "2025-03-01 12:00:00             | 2025-03-01 12:00:00"
            })
    void theSendersTimestampGoesIntoDetailsAsRfc3339WhenItIsATimeElseAsSent(String sent, String stored) {
        assertThat(RedisEntry.timestamp(sent)).isEqualTo(stored);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            nullValues = "-",
            value = {
                "-     | 15s  | PT15S  | -",
                "-     | 15   | PT15S  | -",
                "-     | 1m30s| PT1M30S| -",
                "-     | 0.5  | PT0.5S | -",
                "30s   | 10s  | PT10S  | PT30S",
                "45    | 15s  | PT15S  | PT45S"
            })
    void intervalAndGraceAreSecondsOrGoDurations(String grace, String interval, Duration i, Duration g) {
        var fields = fields("subject", "api", "interval", interval, "host", "api-1");
        if (grace != null) {
            fields.put("grace", grace);
        }

        assertThat(beat("vantage:beats", ID, fields).registration())
                .isEqualTo(new RedisEntry.Registration(i, g, null, "api-1"));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "foo=bar                           | no field Vantage reads: subject, kind, message or type",
                "timestamp=2025-03-01T12:00:00Z    | no field Vantage reads: subject, kind, message or type",
                "subject=a b                       | subject: 1 to 255 characters without blanks",
                "subject=                          | subject: 1 to 255 characters without blanks",
                "subject=a,kind=error              | kind: success, fail, start or log",
                "subject=a,exit_status=256         | exit_status: a whole number from 0 to 255",
                "subject=a,exit_status=-1          | exit_status: a whole number from 0 to 255",
                "subject=a,exit_status=three       | exit_status: a whole number from 0 to 255",
                "subject=a,kind=success,exit_status=3 | exit_status 3 does not go with kind success",
                "subject=a,kind=start,exit_status=0   | exit_status 0 does not go with kind start",
                "subject=a,rid=42                  | rid: a UUID, as 3f2b8c1e-7d4a-4c55-9b1e-2f6a0c9d8e71",
                "subject=a,interval=soon           | interval: seconds (15, 0.5) or a Go duration (15s, 1m30s)",
                "subject=a,interval=0s             | interval: must be more than 0",
                "subject=a,grace=-5s               | grace: seconds (15, 0.5) or a Go duration (15s, 1m30s)"
            })
    void anEntryVantageCannotUseIsRefusedWithTheFieldNamed(String pairs, String reason) {
        var fields = new LinkedHashMap<String, String>();
        for (String pair : pairs.split(",")) {
            String[] kv = pair.split("=", 2);
            fields.put(kv[0], kv[1]);
        }

        var refused = refused(fields);

        assertThat(refused.problem()).isEqualTo(Problem.MALFORMED);
        assertThat(refused.reason()).isEqualTo(reason);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "1-1                 | its id 1-1 is not a time: let Redis choose ids (XADD <stream> * …)",
                "1740830460001-0     | its id 1740830460001-0 is 60 s ahead of this replica's clock: is the Redis"
                        + " server's clock right?",
                "9999999999999999-0  | its id 9999999999999999-0 is past any time Vantage can store",
                "1740830400000       | its id is not <milliseconds>-<sequence>"
            })
    void anIdThatIsNoTimeOrTooFarAheadRefusesTheEntry(String id, String reason) {
        var read = RedisEntry.read("vantage:beats", id, fields("subject", "a"), NOW);

        assertThat(read).isEqualTo(new RedisEntry.Refused(Problem.MALFORMED, reason));
    }

    @Test
    void anIdAMinuteAheadIsStillTaken() {
        String id = NOW.plus(RedisEntry.MAX_AHEAD).toEpochMilli() + "-0";

        assertThat(RedisEntry.read("s", id, fields("subject", "a"), NOW)).isInstanceOf(RedisEntry.Beat.class);
    }

    @Test
    void aMessageOver16MiBIsRefusedAndOneBelowIsKeptWhole() {
        String big = "x".repeat((int) RedisEntry.MAX_MESSAGE_BYTES);

        var kept = beat("s", ID, fields("subject", "a", "message", big));
        var tooLarge = refused(fields("subject", "a", "message", big + "é"));

        assertThat(kept.messageBytes()).isEqualTo(RedisEntry.MAX_MESSAGE_BYTES);
        assertThat(tooLarge.problem()).isEqualTo(Problem.TOO_LARGE);
        assertThat(tooLarge.reason()).isEqualTo("message: 16777218 bytes, more than the 16777216 a beat may carry");
    }

    @Test
    void anEmptyMessageIsNone() {
        var beat = beat("s", ID, fields("subject", "a", "message", ""));

        assertThat(beat.message()).isNull();
        assertThat(beat.messageBytes()).isZero();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"abc, 3", "é, 2", "€, 3", "😀, 4", "a😀é, 7"})
    void theUtf8LengthIsCountedWithoutEncoding(String text, long bytes) {
        assertThat(RedisEntry.utf8Length(text))
                .isEqualTo(bytes)
                .isEqualTo(text.getBytes(java.nio.charset.StandardCharsets.UTF_8).length);
    }

    @Test
    void hostAndTypeAreCutAndLoseControlCharacters() throws Exception {
        var beat = beat("s", ID, fields("type", "warn\u0000ing" + "y".repeat(300), "host", "api-1\n"));

        var details = JSON.readTree(beat.detailsJson());
        assertThat(details.get("host").asText()).isEqualTo("api-1");
        assertThat(details.get("type").asText())
                .hasSize(RedisEntry.MAX_TEXT_CHARS)
                .startsWith("warningy");
    }
}
