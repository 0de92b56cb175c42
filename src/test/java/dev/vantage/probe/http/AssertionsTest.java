package dev.vantage.probe.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vantage.probe.InvalidMonitorException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class AssertionsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static Assertions parse(String json) throws Exception {
        return Assertions.parse(JSON.readTree(json));
    }

    static Stream<Arguments> invalid() {
        return Stream.of(
                Arguments.of("{}", "settings.assertions", "must be an array of assertions, was an object"),
                Arguments.of("[7]", "settings.assertions[0]", "must be an object, was an integer"),
                Arguments.of(
                        "[{\"subject\":\"status\",\"op\":\"==\",\"value\":200},{\"op\":\"==\"}]",
                        "settings.assertions[1].subject",
                        "is missing (one of status, response_time_ms, header, body, json, cert_days_left)"),
                Arguments.of(
                        "[{\"subject\":\"STATUS\",\"op\":\"==\",\"value\":200}]",
                        "settings.assertions[0].subject",
                        "must be one of status, response_time_ms, header, body, json, cert_days_left, was 'STATUS'"),
                Arguments.of(
                        "[{\"subject\":\"status\",\"value\":200}]",
                        "settings.assertions[0].op",
                        "is missing (one of !=, <, <=, ==, >, >=)"),
                Arguments.of(
                        "[{\"subject\":\"body\",\"op\":\"==\",\"value\":\"x\"}]",
                        "settings.assertions[0].op",
                        "'==' is not an operator of body (one of contains, matches, not_contains)"),
                Arguments.of(
                        "[{\"subject\":\"status\",\"op\":\"==\",\"value\":\"200\"}]",
                        "settings.assertions[0].value",
                        "must be a number with '==', was a string"),
                Arguments.of(
                        "[{\"subject\":\"status\",\"op\":\"==\",\"value\":2000}]",
                        "settings.assertions[0].value",
                        "must be a status code from 100 to 599, was 2000"),
                Arguments.of(
                        "[{\"subject\":\"response_time_ms\",\"op\":\"<\"}]",
                        "settings.assertions[0].value",
                        "is missing"),
                Arguments.of(
                        "[{\"subject\":\"header\",\"op\":\"contains\",\"value\":\"json\"}]",
                        "settings.assertions[0].name",
                        "is missing: the header to test"),
                Arguments.of(
                        "[{\"subject\":\"header\",\"name\":\"X-A\",\"op\":\"absent\",\"value\":\"x\"}]",
                        "settings.assertions[0].value",
                        "must be left out with 'absent'"),
                Arguments.of(
                        "[{\"subject\":\"body\",\"op\":\"matches\",\"value\":\"(\"}]",
                        "settings.assertions[0].value",
                        "is not a regular expression: Unclosed group near index 1"),
                Arguments.of(
                        "[{\"subject\":\"json\",\"op\":\"exists\"}]",
                        "settings.assertions[0].path",
                        "is missing: a JSON path such as $.status"),
                Arguments.of(
                        "[{\"subject\":\"json\",\"path\":\"status\",\"op\":\"exists\"}]",
                        "settings.assertions[0].path",
                        "must start with $ (the document), e.g. $.status"),
                Arguments.of(
                        "[{\"subject\":\"json\",\"path\":\"$..\",\"op\":\"exists\"}]",
                        "settings.assertions[0].path",
                        "is not a JSON path: Path must not end with a '.' or '..'"),
                Arguments.of(
                        "[{\"subject\":\"json\",\"path\":\"$.items[*].id\",\"op\":\"==\",\"value\":1}]",
                        "settings.assertions[0].path",
                        "selects several values (a wildcard, filter or scan): only 'exists' can test it"),
                Arguments.of(
                        "[{\"subject\":\"json\",\"path\":\"$.a\",\"op\":\"==\",\"value\":[1]}]",
                        "settings.assertions[0].value",
                        "must be a string, number, boolean or null to compare with, was an array"),
                Arguments.of(
                        "[{\"subject\":\"status\",\"path\":\"$.a\",\"op\":\"==\",\"value\":200}]",
                        "settings.assertions[0].path",
                        "does not apply to status"),
                Arguments.of(
                        "[{\"subject\":\"status\",\"op\":\"==\",\"value\":200,\"expected\":1}]",
                        "settings.assertions[0].expected",
                        "unknown key (known: name, op, path, subject, value)"));
    }

    @ParameterizedTest
    @MethodSource("invalid")
    void anInvalidAssertionIsNamedByIndexWithTheReason(String json, String field, String reason) {
        assertThatThrownBy(() -> parse(json)).isInstanceOfSatisfying(InvalidMonitorException.class, e -> {
            assertThat(e.field()).isEqualTo(field);
            assertThat(e.reason()).isEqualTo(reason);
        });
    }

    @Test
    void eachAssertionPrintsLikeAGatusCondition() throws Exception {
        Assertions a = parse(
                """
                [{"subject":"status","op":"==","value":200},
                 {"subject":"response_time_ms","op":"<","value":500},
                 {"subject":"header","name":"Content-Type","op":"contains","value":"json"},
                 {"subject":"header","name":"X-Debug","op":"absent"},
                 {"subject":"body","op":"not_contains","value":"error"},
                 {"subject":"json","path":"$.status","op":"==","value":"ok"},
                 {"subject":"json","path":"$.items[?(@.id > 1)]","op":"exists"},
                 {"subject":"cert_days_left","op":">=","value":14}]""");

        assertThat(a.list())
                .extracting(Assertion::text)
                .containsExactly(
                        "[STATUS] == 200",
                        "[RESPONSE_TIME] < 500",
                        "[HEADER Content-Type] contains \"json\"",
                        "[HEADER X-Debug] absent",
                        "[BODY] not_contains \"error\"",
                        "[JSON $.status] == \"ok\"",
                        "[JSON $.items[?(@.id > 1)]] exists",
                        "[CERT_DAYS_LEFT] >= 14");
    }

    @Test
    void everyFailedAssertionIsNamedWithTheValueSeen() throws Exception {
        Assertions a = parse(
                """
                [{"subject":"status","op":"==","value":200},
                 {"subject":"json","path":"$.status","op":"==","value":"ok"},
                 {"subject":"json","path":"$.count","op":">","value":2},
                 {"subject":"json","path":"$.missing","op":"exists"},
                 {"subject":"header","name":"Content-Type","op":"matches","value":"^application/json"},
                 {"subject":"body","op":"contains","value":"\\"status\\""},
                 {"subject":"cert_days_left","op":">","value":14}]""");
        var run = a.start(-1);
        byte[] body = "{\"status\":\"down\",\"count\":3}".getBytes(StandardCharsets.UTF_8);
        run.feed(body, 0, body.length);

        String failures = run.failures(
                new Assertions.Seen(200, 12.3, Map.of("Content-Type", "text/plain")::get, null),
                () -> StandardCharsets.UTF_8);

        assertThat(failures)
                .isEqualTo("assertions[1] [JSON $.status] == \"ok\" failed: saw \"down\"; "
                        + "assertions[3] [JSON $.missing] exists failed: saw no such path; "
                        + "assertions[4] [HEADER Content-Type] matches \"^application/json\" failed: saw \"text/plain\"; "
                        + "assertions[6] [CERT_DAYS_LEFT] > 14 failed: saw no certificate (the final response did"
                        + " not come over TLS)");
    }

    @Test
    void aJsonAssertionOnABodyThatIsNotJsonSaysSo() throws Exception {
        var run = parse("[{\"subject\":\"json\",\"path\":\"$.status\",\"op\":\"==\",\"value\":\"ok\"}]")
                .start(-1);
        byte[] body = "<html>".getBytes(StandardCharsets.UTF_8);
        run.feed(body, 0, body.length);

        assertThat(run.failures(new Assertions.Seen(200, 1, h -> null, null), () -> StandardCharsets.UTF_8))
                .startsWith("assertions[0] [JSON $.status] == \"ok\" failed: saw a body that is not JSON (");
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource(
            delimiter = '|',
            value = {
                "$.status | /status",
                "$.checks.db.latency_ms | /checks/db/latency_ms",
                "$.items[1].id | /items/1/id",
                "$['a b']['c/d'] | /a b/c~1d",
                "$ | ''",
            })
    void aPathOfMembersAndIndexesIsWalkedAsAJsonPointer(String path, String pointer) {
        assertThat(Assertion.pointer(path)).hasToString(pointer);
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(
            strings = {"$.items[*].id", "$..id", "$.items[?(@.id > 1)]", "$.items[-1]", "$.a.length()"})
    void anyOtherPathIsLeftToJsonPath(String path) {
        assertThat(Assertion.pointer(path)).isNull();
    }

    @Test
    void aPointerAndJsonPathAgreeOnWhatTheySee() throws Exception {
        var run = parse(
                        """
                [{"subject":"json","path":"$.items[1].id","op":"==","value":2},
                 {"subject":"json","path":"$.items[?(@.id == 2)]","op":"exists"},
                 {"subject":"json","path":"$.items[?(@.id == 3)]","op":"exists"},
                 {"subject":"json","path":"$.items[5]","op":"exists"}]""")
                .start(-1);
        byte[] body = "{\"items\":[{\"id\":1},{\"id\":2}]}".getBytes(StandardCharsets.UTF_8);
        run.feed(body, 0, body.length);

        assertThat(run.failures(new Assertions.Seen(200, 1, h -> null, null), () -> StandardCharsets.UTF_8))
                .isEqualTo("assertions[2] [JSON $.items[?(@.id == 3)]] exists failed: saw no match; "
                        + "assertions[3] [JSON $.items[5]] exists failed: saw no such path");
    }

    @Test
    void numbersCompareByValueWhateverTheirJsonSpelling() throws Exception {
        var run = parse(
                        """
                [{"subject":"json","path":"$.ratio","op":"==","value":1},
                 {"subject":"json","path":"$.ratio","op":"<=","value":1.0},
                 {"subject":"response_time_ms","op":"<","value":300}]""")
                .start(-1);
        byte[] body = "{\"ratio\":1.00}".getBytes(StandardCharsets.UTF_8);
        run.feed(body, 0, body.length);

        assertThat(run.failures(new Assertions.Seen(200, 299.9, h -> null, null), () -> StandardCharsets.UTF_8))
                .isNull();
    }
}
