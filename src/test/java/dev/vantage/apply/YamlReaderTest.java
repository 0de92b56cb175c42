package dev.vantage.apply;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class YamlReaderTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static YamlReader.Parsed read(Map<String, String> env, String... fileAndText) {
        var texts = new LinkedHashMap<String, String>();
        for (int i = 0; i < fileAndText.length; i += 2) {
            texts.put(fileAndText[i], fileAndText[i + 1]);
        }
        return YamlReader.read(texts, env::get);
    }

    @Test
    void aCompleteMonitorIsReadWithItsDefaultsFilledIn() throws Exception {
        var parsed = read(
                Map.of("TOKEN", "s3cret"),
                "monitors.yml",
                """
                schedules:
                  - name: every-minute
                    interval: 1m
                monitors:
                  - name: shop
                    url: https://shop.example.com/health
                    schedule: every-minute
                    datacenters: [VA, NY]
                    headers: {Authorization: "Bearer ${env:TOKEN}"}
                    settings: {expected_status: [200, 204]}
                    timeout_ms: 5000
                """);

        assertThat(parsed.problems()).isEmpty();
        Item schedule = parsed.items().get(0);
        assertThat(schedule.values()).containsEntry("interval", 60).containsEntry("include_response_body", false);
        Item shop = parsed.items().get(1);
        assertThat(shop.values())
                .containsEntry("type", "http")
                .containsEntry("method", "GET")
                .containsEntry("schedule", "every-minute")
                .containsEntry("datacenters", List.of("NY", "VA"))
                .containsEntry("timeout_ms", 5000)
                .containsEntry("enabled", true)
                .containsEntry("headers", JSON.readTree("{\"Authorization\": \"Bearer s3cret\"}"))
                .containsEntry("settings", JSON.readTree("{\"expected_status\": [200, 204]}"))
                .doesNotContainKey("push_token");
        assertThat(shop.source().lines()).containsEntry("timeout_ms", 11);
    }

    @Test
    void everyProblemOfEveryFileIsReportedWithItsFileLineAndField() {
        var parsed = read(
                Map.of(),
                "a.yml",
                """
                monitors:
                  - name: shop
                    schedule: s
                    timeout_ms: soon
                    enabled: maybe
                    enabled: true
                    colour: blue
                  - url: http://127.0.0.1/
                    schedule: s
                """,
                "b.yml",
                """
                schedules:
                  - name: s
                    interval: often
                  - name: t
                """);

        assertThat(parsed.problems())
                .extracting(Problem::toString)
                .containsExactly(
                        "a.yml:4: monitors[0].timeout_ms: expected an integer, was 'soon'",
                        "a.yml:5: monitors[0].enabled: expected true or false, was 'maybe'",
                        "a.yml:6: monitors[0].enabled: given twice (also at line 5)",
                        "a.yml:7: monitors[0].colour: unknown field of a monitor (known: name, type, method, url,"
                                + " schedule, datacenters, channels, depends_on, headers, body, settings, enabled,"
                                + " timeout_ms, down_after, up_after, degraded_after, grace_seconds, quorum,"
                                + " flap_changes, flap_window_minutes, notify_degraded_after, public, slug,"
                                + " push_subject, push_token)",
                        "a.yml:8: monitors[1]: no name: every monitor needs a name: (unique)",
                        "b.yml:3: schedules[0].interval: expected a duration such as 30s, 5m or 1h30m (or a number"
                                + " of seconds), was 'often'",
                        "b.yml:4: schedules[1].interval: missing (required)");
    }

    @Test
    void aKeyGivenTwiceInsideSettingsIsAProblemNotALastOneWins() {
        var parsed = read(
                Map.of(),
                "a.yml",
                """
                monitors:
                  - name: shop
                    schedule: s
                    url: http://127.0.0.1/
                    settings:
                      max_redirects: 1
                      max_redirects: 5
                """);

        assertThat(parsed.problems())
                .extracting(Problem::toString)
                .contains("a.yml:7: monitors[0].settings.max_redirects: given twice (also at line 6)");
    }

    @Test
    void aNameDefinedTwiceNamesBothFilesAndLines() {
        var parsed = read(
                Map.of(),
                "a.yml",
                "schedules:\n  - name: s\n    interval: 30\n",
                "b.yml",
                "\nschedules:\n  - name: s\n    interval: 60\n");

        assertThat(parsed.problems())
                .extracting(Problem::toString)
                .containsExactly("b.yml:3: schedules[0].name: 's' is defined twice: at a.yml:2 and here, b.yml:3");
    }

    @Test
    void anUnsetEnvironmentVariableIsAnErrorAndAnEscapedReferenceIsLiteral() {
        var parsed = read(
                Map.of(),
                "c.yml",
                """
                channels:
                  - name: hook
                    type: webhook
                    settings:
                      url: ${env:HOOK_URL}
                  - name: literal
                    type: log
                    settings: {prefix: "$${env:NOT_A_REF}"}
                """);

        assertThat(parsed.problems())
                .extracting(Problem::toString)
                .containsExactly("c.yml:5: channels[0].settings.url: environment variable HOOK_URL is not set (named"
                        + " by ${env:HOOK_URL})");
        assertThat(parsed.items().getFirst().values().get("settings").toString())
                .isEqualTo("{\"prefix\":\"${env:NOT_A_REF}\"}");
    }

    @Test
    void brokenYamlIsReportedAtItsLine() {
        var parsed = read(Map.of(), "x.yml", "monitors:\n  - name: a\n    url: [unclosed\n");

        assertThat(parsed.problems()).hasSize(1);
        assertThat(parsed.problems().getFirst().toString()).startsWith("x.yml:4: not valid YAML: ");
    }

    @Test
    void durationsAreWrittenAsTheReaderParsesThem() {
        for (int seconds : new int[] {0, 1, 45, 60, 90, 3600, 3661, 14400, 86400}) {
            var parsed = read(
                    Map.of(), "d.yml", "schedules:\n  - name: s\n    interval: " + YamlWriter.duration(seconds) + "\n");
            assertThat(parsed.items().getFirst().values()).containsEntry("interval", seconds);
        }
        assertThat(YamlWriter.duration(5400)).isEqualTo("1h30m");
    }
}
