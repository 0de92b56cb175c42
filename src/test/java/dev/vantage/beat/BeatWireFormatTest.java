package dev.vantage.beat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import okhttp3.HttpUrl;
import org.junit.jupiter.api.Test;

/** What each transport puts on the wire for a beat: exact, since the receiving side is built to it. */
class BeatWireFormatTest {
    private static final Instant AT = Instant.parse("2025-03-01T12:34:56.123456789Z");
    private static final UUID RID = UUID.fromString("3f2b8c1e-7d4a-4c55-9b1e-2f6a0c9d8e71");
    private static final Beat PLAIN = Beat.success(Duration.ofSeconds(15), null, "api-1", null);
    private static final Beat FULL = Beat.success(
                    Duration.ofSeconds(15), Duration.ofSeconds(45), "api-1", "API service")
            .withExitStatus(3)
            .withMessage("disk full\n")
            .withRid(RID);

    @Test
    void aPlainNatsBeatHasTheGoAgentsFieldsOnly() {
        assertThat(NatsBeatSender.payload("heartbeat.service.api", PLAIN, AT))
                .isEqualTo("{\"subject\":\"heartbeat.service.api\",\"generated_at\":\"2025-03-01T12:34:56.123456789Z\","
                        + "\"interval\":15000000000,\"host\":\"api-1\"}");
    }

    @Test
    void aFullNatsBeatAddsGraceDescriptionAndVantagesFieldsInOrder() {
        assertThat(NatsBeatSender.payload("heartbeat.service.api", FULL, AT))
                .isEqualTo("{\"subject\":\"heartbeat.service.api\",\"generated_at\":\"2025-03-01T12:34:56.123456789Z\","
                        + "\"interval\":15000000000,\"grace_period\":45000000000,\"host\":\"api-1\","
                        + "\"description\":\"API service\",\"kind\":\"fail\",\"exit_status\":3,"
                        + "\"message\":\"disk full\\n\",\"rid\":\"3f2b8c1e-7d4a-4c55-9b1e-2f6a0c9d8e71\"}");
    }

    @Test
    void aNatsSuccessWithExitStatusZeroHasNoKindButTheStatus() {
        assertThat(NatsBeatSender.payload("a", PLAIN.withExitStatus(0), Instant.parse("2025-03-01T12:00:00Z")))
                .isEqualTo("{\"subject\":\"a\",\"generated_at\":\"2025-03-01T12:00:00Z\",\"interval\":15000000000,"
                        + "\"host\":\"api-1\",\"exit_status\":0}");
    }

    @Test
    void aNatsStartOrLogNamesItsKind() {
        assertThat(NatsBeatSender.payload("a", PLAIN.withKind(Beat.Kind.START).withRid(RID), AT))
                .endsWith(",\"kind\":\"start\",\"rid\":\"3f2b8c1e-7d4a-4c55-9b1e-2f6a0c9d8e71\"}");
        assertThat(NatsBeatSender.payload("a", PLAIN.withKind(Beat.Kind.LOG).withMessage("hello"), AT))
                .endsWith(",\"kind\":\"log\",\"message\":\"hello\"}");
    }

    @Test
    void aPlainRedisEntryHasKindTimestampIntervalAndHost() {
        assertThat(RedisBeatSender.fields("api", PLAIN, AT))
                .containsExactly(
                        entry("subject", "api"),
                        entry("kind", "success"),
                        entry("timestamp", "2025-03-01T12:34:56.123456789Z"),
                        entry("interval", "15"),
                        entry("host", "api-1"));
    }

    @Test
    void aFullRedisEntryHasEveryFieldInOrder() {
        assertThat(RedisBeatSender.fields("api", FULL, AT))
                .containsExactly(
                        entry("subject", "api"),
                        entry("kind", "fail"),
                        entry("exit_status", "3"),
                        entry("message", "disk full\n"),
                        entry("rid", "3f2b8c1e-7d4a-4c55-9b1e-2f6a0c9d8e71"),
                        entry("timestamp", "2025-03-01T12:34:56.123456789Z"),
                        entry("interval", "15"),
                        entry("grace", "45"),
                        entry("host", "api-1"),
                        entry("description", "API service"));
    }

    @Test
    void redisSecondsAreDecimalWithoutTrailingZeros() {
        assertThat(RedisBeatSender.seconds(Duration.ofMillis(500))).isEqualTo("0.5");
        assertThat(RedisBeatSender.seconds(Duration.ofSeconds(90))).isEqualTo("90");
        assertThat(RedisBeatSender.seconds(Duration.ofMillis(1250))).isEqualTo("1.25");
    }

    @Test
    void eachKindIsAPathOfThePingUrlAndAMessageMakesItAPost() {
        HttpUrl base = HttpBeatSender.base("https://vantage.example.com/ping/abcDEF123_-xyz");
        record Case(Beat beat, String method, String url, String body) {}
        String b = "https://vantage.example.com/ping/abcDEF123_-xyz";
        for (Case c : List.of(
                new Case(PLAIN, "GET", b, null),
                new Case(PLAIN.withKind(Beat.Kind.START), "GET", b + "/start", null),
                new Case(PLAIN.withKind(Beat.Kind.FAIL), "GET", b + "/fail", null),
                new Case(PLAIN.withKind(Beat.Kind.LOG).withMessage("note"), "POST", b + "/log", "note"),
                new Case(PLAIN.withExitStatus(0), "GET", b + "/0", null),
                new Case(PLAIN.withExitStatus(255), "GET", b + "/255", null),
                new Case(PLAIN.withMessage("ok"), "POST", b, "ok"),
                new Case(FULL, "POST", b + "/3?rid=3f2b8c1e-7d4a-4c55-9b1e-2f6a0c9d8e71", "disk full\n"))) {
            HttpBeatSender.Wire wire = HttpBeatSender.wire(base, c.beat());
            assertThat(wire.method()).as("%s", c).isEqualTo(c.method());
            assertThat(wire.url()).as("%s", c).hasToString(c.url());
            assertThat(wire.body()).as("%s", c).isEqualTo(c.body());
        }
    }

    @Test
    void timesAreWrittenAsGoWritesThem() {
        assertThat(Rfc3339.format(Instant.parse("2025-03-01T12:00:00Z"))).isEqualTo("2025-03-01T12:00:00Z");
        assertThat(Rfc3339.format(Instant.parse("2025-03-01T12:00:00.500Z"))).isEqualTo("2025-03-01T12:00:00.5Z");
        assertThat(Rfc3339.format(Instant.parse("2025-03-01T12:00:00.000001Z")))
                .isEqualTo("2025-03-01T12:00:00.000001Z");
    }
}
