package dev.vantage.heartbeat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vantage.probe.ErrorType;
import dev.vantage.probe.PhaseTimings;
import dev.vantage.probe.ProbeResult;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HeartbeatCopyFormatTest {
    private static final Instant SLOT = Instant.parse("2025-11-23T09:40:00Z");

    @Test
    void aTupleHasEveryColumnInOrderWithNullsAsMinusOneLength() throws Exception {
        var headers = new LinkedHashMap<String, String>();
        headers.put("content-type", "text/html");
        headers.put("cf-cache-status", "HIT");
        var h = new Heartbeat(
                7,
                3,
                null,
                9L,
                SLOT,
                ProbeResult.at(SLOT.plusNanos(1_500))
                        .timings(new PhaseTimings(null, 1.5, null, null, null, null, 10_000.037, null))
                        .remoteAddress("192.0.2.1:443")
                        .responseHeaders(headers)
                        .outcome(ErrorType.TIMEOUT, "timeout after 10 s in tls"),
                null,
                2_000,
                List.of("Authorization"));

        List<byte[]> f = fields(HeartbeatCopyFormat.line(h));

        assertThat(f).hasSize(HeartbeatCopyFormat.COLUMNS.split(", ").length);
        assertThat(int4(f.get(0))).isEqualTo(7);
        assertThat(int4(f.get(1))).isEqualTo(3);
        assertThat(f.get(2)).isNull();
        assertThat(int8(f.get(3))).isEqualTo(9L);
        assertThat(int8(f.get(4))).isEqualTo(817_206_000_000_000L); // 2025-11-23T09:40Z in µs since 2000
        assertThat(int8(f.get(5))).isEqualTo(817_206_000_000_002L); // 1.5 µs rounds half up
        assertThat(f.get(6)).containsExactly(0);
        assertThat(float8(f.get(7))).isEqualTo(10_000.037);
        assertThat(f.get(8)).isNull();
        assertThat(f.get(9)).isNull();
        assertThat(text(f.get(10))).isEqualTo("text/html");
        assertThat(f.get(11)).isNull();
        assertThat(text(f.get(12))).isEqualTo("HIT");
        assertThat(f.get(13)).isNull();
        assertThat(float8(f.get(14))).isEqualTo(1.5);
        assertThat(f.subList(15, 20)).containsOnlyNulls();
        assertThat(int4(f.get(20))).isZero();
        assertThat(text(f.get(21))).isEqualTo("192.0.2.1:443");
        assertThat(f.get(22)).isNull();
        assertThat(int4(f.get(23))).isEqualTo(2_000);
        assertThat(text(f.get(24))).isEqualTo("TIMEOUT");
        assertThat(text(f.get(25))).isEqualTo("timeout after 10 s in tls");
        assertThat(f.get(26)[0]).isEqualTo((byte) 1); // jsonb version
        assertThat(text(f.get(26), 1)).isEqualTo("{\"Authorization\":\"<redacted>\"}");
        assertThat(new ObjectMapper().readValue(text(f.get(27), 1), new TypeReference<Map<String, String>>() {}))
                .isEqualTo(headers);
        assertThat(f.subList(28, 32))
                .as("no body, and a probe is no pushed beat")
                .containsOnlyNulls();
    }

    @Test
    void headersWrittenInPlaceAreTheBytesOfTheirJsonAndTheColumnsPickTheFirstOfEachNameAsHeaderDoes() {
        List<Map<String, String>> cases = List.of(
                Map.of(),
                Map.of("Content-Type", "text/html", "Server", "nginx"),
                ordered("server", "a", "SERVER", "b", "x-cache", "MISS", "CF-Cache-Status", "HIT"),
                ordered("cf-cache-status", "HIT", "X-Cache", "MISS", "cache-status", "edge; hit"),
                ordered(
                        "X-Odd",
                        "back\\slash \"q\" new\nline tab\t nul\u0000 ünïcødé ✓ \uD83D\uDE00 del\u007f",
                        "Cl\u0001",
                        "x"),
                ordered("Lone", "half \uD83D pair", "Content-Type", "application/json; charset=utf-8"));
        for (Map<String, String> headers : cases) {
            var h = new Heartbeat(
                    7,
                    3,
                    null,
                    null,
                    SLOT,
                    ProbeResult.at(SLOT).responseHeaders(headers).success(),
                    null,
                    null,
                    List.of("Authorization", "X-\"Key\"\u00e9"));
            ProbeResult r = h.result();

            List<byte[]> f = fields(HeartbeatCopyFormat.line(h));

            assertThat(textOrNull(f.get(10))).as("%s", headers).isEqualTo(r.header("Content-Type"));
            assertThat(textOrNull(f.get(11))).as("%s", headers).isEqualTo(r.header("Server"));
            assertThat(textOrNull(f.get(12))).as("%s", headers).isEqualTo(HeartbeatCopyFormat.cacheStatus(r));
            assertThat(f.get(26)).isEqualTo(jsonb(HeartbeatCopyFormat.redactedJson(h.requestHeaderNames())));
            assertThat(f.get(27)).as("%s", headers).isEqualTo(jsonb(HeartbeatCopyFormat.json(headers)));
        }
    }

    private static Map<String, String> ordered(String... namesAndValues) {
        var m = new LinkedHashMap<String, String>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            m.put(namesAndValues[i], namesAndValues[i + 1]);
        }
        return m;
    }

    /** A jsonb field as the server takes it: version 1, then the JSON text; null for NULL. */
    private static byte[] jsonb(String json) {
        if (json == null) {
            return null;
        }
        byte[] utf8 = json.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        var field = new byte[utf8.length + 1];
        field[0] = 1;
        System.arraycopy(utf8, 0, field, 1, utf8.length);
        return field;
    }

    @Test
    void aProbesDetailsAreTheLastColumnAsJsonbAndSurviveTheJournalCodec() {
        var details = new LinkedHashMap<String, Object>();
        details.put("rcode", "NOERROR");
        details.put("answers", List.of("192.0.2.1", "192.0.2.2"));
        details.put("query_ms", 0.25);
        var h = new Heartbeat(
                1, 1, null, null, SLOT, ProbeResult.at(SLOT).details(details).success(), null, null, List.of());
        byte[] line = HeartbeatCopyFormat.line(h);

        List<byte[]> f = fields(line);

        assertThat(f.subList(29, 31)).as("beat_kind, message").containsOnlyNulls();
        assertThat(f.get(31)[0]).isEqualTo((byte) 1);
        assertThat(text(f.get(31), 1))
                .isEqualTo("{\"rcode\":\"NOERROR\",\"answers\":[\"192.0.2.1\",\"192.0.2.2\"],\"query_ms\":0.25}");
        var row = new HeartbeatRow(1, 1, SLOT, null, line);
        assertThat(JournalRecordCodec.decode(JournalRecordCodec.encode(row)).line())
                .as("the column layout did not change, so a record of format 2 carries details as it is")
                .isEqualTo(line);
    }

    @Test
    void aPushedBeatFillsItsKeyTimesOutcomeAndTheThreePushColumnsAndNothingOfAProbe() {
        var beat = new PushedBeat(
                12,
                SLOT.plusNanos(1_000),
                SLOT,
                BeatKind.FAIL,
                1_234.5,
                "EXIT_STATUS",
                "exit status 3",
                "disk full\u0000!",
                "{\"source\":\"http\",\"exit_status\":3}");

        List<byte[]> f = fields(HeartbeatCopyFormat.line(beat));

        assertThat(f).hasSize(HeartbeatCopyFormat.COLUMNS.split(", ").length);
        assertThat(int4(f.get(0))).isEqualTo(12);
        assertThat(int4(f.get(1))).isZero();
        assertThat(f.subList(2, 4)).as("agent, lease epoch").containsOnlyNulls();
        assertThat(int8(f.get(4))).isEqualTo(817_206_000_000_001L);
        assertThat(int8(f.get(5))).isEqualTo(817_206_000_000_000L);
        assertThat(f.get(6)).containsExactly(0);
        assertThat(float8(f.get(7))).isEqualTo(1_234.5);
        assertThat(f.subList(8, 24)).as("response and phases, thresholds").containsOnlyNulls();
        assertThat(text(f.get(24))).isEqualTo("EXIT_STATUS");
        assertThat(text(f.get(25))).isEqualTo("exit status 3");
        assertThat(f.subList(26, 29)).as("raw request and response").containsOnlyNulls();
        assertThat(text(f.get(29))).isEqualTo("fail");
        assertThat(text(f.get(30))).isEqualTo("disk full!");
        assertThat(f.get(31)[0]).isEqualTo((byte) 1);
        assertThat(text(f.get(31), 1)).isEqualTo("{\"source\":\"http\",\"exit_status\":3}");
    }

    @Test
    void aLineOfJournalFormatOneGetsNullPushColumns() {
        var h = heartbeatWithBody("body");
        List<byte[]> today = fields(HeartbeatCopyFormat.line(h));
        // What a Vantage before push monitors encoded: the same first 29 fields.
        var v1 = ByteBuffer.allocate(HeartbeatCopyFormat.line(h).length);
        v1.putShort((short) 29);
        for (byte[] field : today.subList(0, 29)) {
            v1.putInt(field == null ? -1 : field.length);
            if (field != null) {
                v1.put(field);
            }
        }
        byte[] oldLine = Arrays.copyOf(v1.array(), v1.position());

        assertThat(HeartbeatCopyFormat.fromV1(oldLine)).isEqualTo(HeartbeatCopyFormat.line(h));
        assertThat(HeartbeatCopyFormat.COLUMNS).startsWith(HeartbeatCopyFormat.COLUMNS_V1 + ", ");
        assertThatThrownBy(() -> HeartbeatCopyFormat.fromV1(HeartbeatCopyFormat.line(h)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void onlyAFailBeatHasAnErrorType() {
        assertThatThrownBy(() -> new PushedBeat(1, SLOT, SLOT, BeatKind.SUCCESS, null, "FAIL", null, null, null))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new PushedBeat(1, SLOT, SLOT, BeatKind.FAIL, null, null, null, null, null))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new PushedBeat(1, SLOT, SLOT, BeatKind.SUCCESS, -1.0, null, null, null, null))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void textLosesOnlyItsNulCharacters() {
        var h = heartbeatWithBody("tab\there\nnew \\ \"q\" ünï ✓ \uD83D\uDE00 nul\u0000end");

        List<byte[]> f = fields(HeartbeatCopyFormat.line(h));

        assertThat(text(f.get(28))).isEqualTo("tab\there\nnew \\ \"q\" ünï ✓ \uD83D\uDE00 nulend");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            quoteCharacter = '\'',
            value = {
                "plain       | abc               | {\"k\":\"abc\"}",
                "quote       | a\"b              | {\"k\":\"a\\\"b\"}",
                "backslash   | a\\b              | {\"k\":\"a\\\\b\"}",
                "unicode     | é✓                | {\"k\":\"é✓\"}",
            })
    void jsonEscapesQuotesAndBackslashes(String name, String value, String json) {
        assertThat(HeartbeatCopyFormat.json(Map.of("k", value))).isEqualTo(json);
    }

    @Test
    void jsonOfControlCharactersParsesBackToTheSameStringsWithoutNul() throws Exception {
        String nasty = "tab\t nl\n cr\r bell\u0007 nul\u0000 quote\" back\\ é \uD83D\uDE00";

        String json = HeartbeatCopyFormat.json(Map.of("X-Nasty\n", nasty));

        Map<String, String> back = new ObjectMapper().readValue(json, new TypeReference<>() {});
        assertThat(back).containsExactly(Map.entry("X-Nasty\n", nasty.replace("\u0000", "")));
        assertThat(json).doesNotContain("\\u0000");
    }

    @Test
    void requestHeaderValuesAreNeverStored() {
        assertThat(HeartbeatCopyFormat.redactedJson(List.of("Authorization", "X-Api-Key")))
                .isEqualTo("{\"Authorization\":\"<redacted>\",\"X-Api-Key\":\"<redacted>\"}");
        assertThat(HeartbeatCopyFormat.redactedJson(List.of())).isNull();
        assertThat(HeartbeatCopyFormat.json(Map.of())).isNull();
    }

    @Test
    void cacheStatusPrefersTheStandardHeader() {
        assertThat(HeartbeatCopyFormat.cacheStatus(result(Map.of("x-cache", "MISS", "Cache-Status", "edge; hit"))))
                .isEqualTo("edge; hit");
        assertThat(HeartbeatCopyFormat.cacheStatus(result(Map.of("X-Cache", "MISS", "CF-Cache-Status", "HIT"))))
                .isEqualTo("MISS");
        assertThat(HeartbeatCopyFormat.cacheStatus(result(Map.of("cf-cache-status", "HIT"))))
                .isEqualTo("HIT");
        assertThat(HeartbeatCopyFormat.cacheStatus(result(Map.of()))).isNull();
    }

    @Test
    void valuesTheTableCannotHoldAreRefusedNamingTheField() {
        var tooBig = new Heartbeat(3_000_000_000L, 1, null, null, SLOT, result(Map.of()), null, null, List.of());
        var tooLate = new Heartbeat(1, 1, null, null, Instant.MAX, result(Map.of()), null, null, List.of());

        assertThatThrownBy(() -> HeartbeatCopyFormat.line(tooBig))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("monitorId 3000000000");
        assertThatThrownBy(() -> HeartbeatCopyFormat.line(tooLate))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("scheduledAt");
    }

    private static Heartbeat heartbeatWithBody(String body) {
        var r = ProbeResult.at(SLOT)
                .statusCode(200)
                .responseSizeBytes(1L)
                .body(body)
                .success();
        return new Heartbeat(1, 1, null, null, SLOT, r, null, null, List.of());
    }

    private static ProbeResult result(Map<String, String> headers) {
        return ProbeResult.at(SLOT)
                .statusCode(200)
                .responseSizeBytes(1L)
                .responseHeaders(headers)
                .success();
    }

    /** The fields of one binary COPY tuple, null for NULL. */
    private static List<byte[]> fields(byte[] tuple) {
        var in = ByteBuffer.wrap(tuple);
        int count = in.getShort();
        var out = new ArrayList<byte[]>();
        for (int i = 0; i < count; i++) {
            int length = in.getInt();
            if (length < 0) {
                out.add(null);
            } else {
                byte[] b = new byte[length];
                in.get(b);
                out.add(b);
            }
        }
        assertThat(in.hasRemaining()).as("bytes after the last field").isFalse();
        return out;
    }

    private static int int4(byte[] b) {
        assertThat(b).hasSize(4);
        return ByteBuffer.wrap(b).getInt();
    }

    private static long int8(byte[] b) {
        assertThat(b).hasSize(8);
        return ByteBuffer.wrap(b).getLong();
    }

    private static double float8(byte[] b) {
        assertThat(b).hasSize(8);
        return ByteBuffer.wrap(b).getDouble();
    }

    private static String textOrNull(byte[] b) {
        return b == null ? null : text(b);
    }

    private static String text(byte[] b) {
        return text(b, 0);
    }

    private static String text(byte[] b, int offset) {
        return new String(b, offset, b.length - offset, StandardCharsets.UTF_8);
    }
}
