package dev.vantage.push.nats;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vantage.beat.Beat;
import dev.vantage.beat.NatsBeatSender;
import dev.vantage.heartbeat.BeatKind;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Reading NATS heartbeats: the Go agent's messages, vantage beat's, and what is not a heartbeat. */
class NatsHeartbeatMessageTest {
    private static final String GO_AGENT =
            """
            {"subject":"heartbeat.service.api","generated_at":"2024-06-01T12:00:00.123456789Z",\
            "interval":15000000000,"grace_period":30000000000,"host":"api-host-1","description":"API service"}""";

    private static HeartbeatMessage.Parsed parse(String json) {
        return HeartbeatMessage.parse(json.getBytes(StandardCharsets.UTF_8), "heartbeat.on.the.wire");
    }

    private static HeartbeatMessage valid(String json) {
        var parsed = parse(json);
        assertThat(parsed).isInstanceOf(HeartbeatMessage.Valid.class);
        return ((HeartbeatMessage.Valid) parsed).message();
    }

    private static String reason(String json) {
        var parsed = parse(json);
        assertThat(parsed).isInstanceOf(HeartbeatMessage.Malformed.class);
        return ((HeartbeatMessage.Malformed) parsed).reason();
    }

    @Test
    void theGoAgentsMessageIsReadWithItsNanosecondDurations() {
        assertThat(valid(GO_AGENT))
                .isEqualTo(new HeartbeatMessage(
                        "heartbeat.service.api",
                        Instant.parse("2024-06-01T12:00:00.123456789Z"),
                        Duration.ofSeconds(15),
                        Duration.ofSeconds(30),
                        "api-host-1",
                        "API service",
                        BeatKind.SUCCESS,
                        null,
                        null,
                        null));
    }

    @Test
    void vantageBeatsOwnMessagesKeepTheirKindExitStatusMessageAndRunId() {
        var rid = UUID.fromString("3f2b8c1e-7d4a-4c55-9b1e-2f6a0c9d8e71");
        var at = Instant.parse("2025-03-01T12:34:56.5Z");
        var beat = new Beat(
                Beat.Kind.FAIL, 3, "disk full", rid, Duration.ofSeconds(15), null, "job-host", "nightly backup");

        var m = valid(NatsBeatSender.payload("jobs.backup", beat, at));

        assertThat(m)
                .isEqualTo(new HeartbeatMessage(
                        "jobs.backup",
                        at,
                        Duration.ofSeconds(15),
                        null,
                        "job-host",
                        "nightly backup",
                        BeatKind.FAIL,
                        3,
                        "disk full",
                        rid));
        assertThat(valid(NatsBeatSender.payload(
                                "jobs.backup",
                                new Beat(Beat.Kind.START, null, null, rid, Duration.ofSeconds(15), null, "h", null),
                                at))
                        .kind())
                .isEqualTo(BeatKind.START);
        assertThat(valid(NatsBeatSender.payload(
                                "jobs.backup",
                                new Beat(Beat.Kind.LOG, null, "rotated", null, Duration.ofSeconds(15), null, "h", null),
                                at))
                        .kind())
                .isEqualTo(BeatKind.LOG);
    }

    @ParameterizedTest(name = "{0} -> {1} ms")
    @CsvSource(
            delimiter = '|',
            value = {
                "15000000000 | 15000", // Go's encoding: nanoseconds
                "1000000     | 1", // from 1 ms up, nanoseconds
                "999999      | 999999000", // below: seconds
                "15          | 15000",
                "0.5         | 500",
                "'\"15s\"'   | 15000",
                "'\"1m30s\"' | 90000",
                "'\"500ms\"' | 500",
                "'\"15\"'    | 15000"
            })
    void durationsAreNanosecondsFromAMillisecondUpElseSecondsOrGoStrings(String json, long millis) {
        var m = valid("{\"subject\":\"s\",\"generated_at\":\"2024-06-01T12:00:00Z\",\"interval\":" + json + "}");

        assertThat(m.interval()).isEqualTo(Duration.ofMillis(millis));
    }

    @Test
    void theSubjectFallsBackToTheOneItCameOnAndAZeroGraceIsNone() {
        var m = valid("{\"generated_at\":\"2024-06-01T12:00:00Z\",\"interval\":15,\"grace_period\":0}");

        assertThat(m.subject()).isEqualTo("heartbeat.on.the.wire");
        assertThat(m.grace()).isNull();
        assertThat(m.kind()).isEqualTo(BeatKind.SUCCESS);
    }

    @Test
    void anExitStatusAloneIsSuccessForZeroAndFailOtherwise() {
        String base = "{\"subject\":\"s\",\"generated_at\":\"2024-06-01T12:00:00Z\",\"interval\":15,";

        assertThat(valid(base + "\"exit_status\":0}").kind()).isEqualTo(BeatKind.SUCCESS);
        assertThat(valid(base + "\"exit_status\":2}").kind()).isEqualTo(BeatKind.FAIL);
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "not json at all | not JSON",
                "[1,2]           | not a JSON object",
                "{\"subject\":\"s\",\"interval\":15} | generated_at is required",
                "{\"subject\":\"s\",\"generated_at\":\"0001-01-01T00:00:00Z\",\"interval\":15} | generated_at is required",
                "{\"subject\":\"s\",\"generated_at\":\"yesterday\",\"interval\":15} | generated_at must be an RFC 3339 time",
                "{\"subject\":\"s\",\"generated_at\":\"2024-06-01T12:00:00Z\"} | interval must be >0",
                "{\"subject\":\"s\",\"generated_at\":\"2024-06-01T12:00:00Z\",\"interval\":0} | interval must be >0",
                "{\"subject\":\"s\",\"generated_at\":\"2024-06-01T12:00:00Z\",\"interval\":-15} | interval cannot be negative",
                "{\"subject\":\"s\",\"generated_at\":\"2024-06-01T12:00:00Z\",\"interval\":\"soon\"} | interval must be a duration (15s, 1m30s), seconds or nanoseconds",
                "{\"subject\":\"a b\",\"generated_at\":\"2024-06-01T12:00:00Z\",\"interval\":15} | subject: at most 255 characters, no blanks",
                "{\"subject\":\"s\",\"generated_at\":\"2024-06-01T12:00:00Z\",\"interval\":15,\"kind\":\"done\"} | kind must be success, fail, start or log",
                "{\"subject\":\"s\",\"generated_at\":\"2024-06-01T12:00:00Z\",\"interval\":15,\"kind\":\"success\",\"exit_status\":3} | exit_status 3 does not go with kind success",
                "{\"subject\":\"s\",\"generated_at\":\"2024-06-01T12:00:00Z\",\"interval\":15,\"exit_status\":256} | exit_status must be an integer from 0 to 255",
                "{\"subject\":\"s\",\"generated_at\":\"2024-06-01T12:00:00Z\",\"interval\":15,\"rid\":\"run-1\"} | rid must be a UUID",
                "{\"subject\":7,\"generated_at\":\"2024-06-01T12:00:00Z\",\"interval\":15} | subject must be a string",
                "{\"subject\":\"s\",\"subject\":\"t\",\"generated_at\":\"2024-06-01T12:00:00Z\",\"interval\":15} | not JSON"
            })
    void whatIsNotAHeartbeatSaysWhyWithoutQuotingIt(String json, String reason) {
        assertThat(reason(json)).isEqualTo(reason);
    }

    @Test
    void theSendersTimeIsTheKeyOnlyNearTheReceiveTime() {
        Instant received = Instant.parse("2024-06-01T12:00:00.123456Z");

        assertThat(NatsBeatHandler.key(Instant.parse("2024-06-01T11:59:58.123456789Z"), received))
                .isEqualTo(Instant.parse("2024-06-01T11:59:58.123456Z"));
        assertThat(NatsBeatHandler.key(received.minus(Duration.ofMinutes(5)), received))
                .isNotNull();
        assertThat(NatsBeatHandler.key(received.minus(Duration.ofMinutes(5)).minusNanos(1000), received))
                .isNull();
        assertThat(NatsBeatHandler.key(received.plus(Duration.ofMinutes(1)).plusNanos(1000), received))
                .isNull();
    }

    @Test
    void detailsSayHowTheBeatCameWithOnlyTheKeysThatApply() throws Exception {
        var json = new ObjectMapper();
        var go = valid(GO_AGENT);

        assertThat(json.readTree(NatsBeatHandler.details(go, "heartbeat.service.api", false)))
                .isEqualTo(
                        json.readTree(
                                """
                        {"source":"nats","subject":"heartbeat.service.api","host":"api-host-1",\
                        "generated_at":"2024-06-01T12:00:00.123456789Z"}"""));
        var rid = UUID.randomUUID();
        var job = new HeartbeatMessage(
                "jobs.x",
                Instant.parse("2024-06-01T12:00:00Z"),
                Duration.ofSeconds(1),
                null,
                null,
                null,
                BeatKind.FAIL,
                4,
                null,
                rid);
        assertThat(json.readTree(NatsBeatHandler.details(job, "heartbeat.jobs.x", true)))
                .isEqualTo(json.readTree("{\"source\":\"nats\",\"subject\":\"jobs.x\",\"nats_subject\":"
                        + "\"heartbeat.jobs.x\",\"generated_at\":\"2024-06-01T12:00:00Z\",\"rid\":\"" + rid
                        + "\",\"exit_status\":4,\"primed\":true}"));
    }
}
