package dev.vantage.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vantage.probe.MonitorRegistry;
import dev.vantage.store.MonitorRow;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ConfigSnapshotTest {
    private final MonitorRegistry registry = MonitorRegistry.of(List.of(new SchedulerTest.FixedTimeMonitor()));

    private static MonitorRow row(long id, String type, String headers, String settings, boolean enabled) {
        return new MonitorRow(
                id, "m" + id, type, "GET", null, headers, null, settings, enabled, null, 1, 60, false, null, null);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "headers not an object | fixed | [\"a\"] | {\"takes_ms\": 1}"
                        + "| headers: must be a JSON object of strings, e.g. {\"Accept\": \"application/json\"}",
                "header value a number | fixed | {\"X-Retries\": 3} | {\"takes_ms\": 1}"
                        + "| headers: the value of 'X-Retries' must be a string",
                "settings not an object | fixed | | [1, 2] "
                        + "| settings: must be a JSON object, e.g. {\"expected_status\": [200]}",
                "unknown type | ftp | | {} | type: unknown monitor type 'ftp' (known types: fixed)",
                "empty type | ' ' | | {} | type: is empty (known types: fixed)",
                "type's own validation | fixed | | {} | settings.takes_ms: must be a whole number of milliseconds",
            })
    void aRowThatFailsValidationIsScheduledWithTheFieldAndReason(
            String caseName, String type, String headers, String settings, String reason) {
        var snapshot = ConfigSnapshot.build(
                List.of(row(1, "fixed", null, "{\"takes_ms\": 1}", true), row(2, type, headers, settings, true)),
                registry);

        assertThat(snapshot.monitors()).containsOnlyKeys(1L, 2L);
        assertThat(snapshot.monitors().get(1L).valid())
                .as("the valid row is unaffected")
                .isTrue();
        assertThat(snapshot.invalid()).singleElement().satisfies(m -> {
            assertThat(m.id()).isEqualTo(2);
            assertThat(m.invalidReason()).isEqualTo(reason);
        });
    }

    @org.junit.jupiter.api.Test
    void aDisabledRowIsNotScheduledAndTypesMatchCaseInsensitively() {
        var snapshot = ConfigSnapshot.build(
                List.of(row(1, "FIXED", null, "{\"takes_ms\": 1}", true), row(2, "fixed", null, "{}", false)),
                registry);

        assertThat(snapshot.monitors()).containsOnlyKeys(1L);
        assertThat(snapshot.monitors().get(1L).valid()).isTrue();
    }

    @org.junit.jupiter.api.Test
    void headerValuesNeverAppearInTheSpecsTextForm() {
        var snapshot = ConfigSnapshot.build(
                List.of(row(1, "fixed", "{\"Authorization\": \"Bearer hunter2\"}", "{\"takes_ms\": 1}", true)),
                registry);

        assertThat(snapshot.monitors().get(1L).spec().headers()).containsEntry("Authorization", "Bearer hunter2");
        assertThat(snapshot.monitors().get(1L).toString())
                .contains("Authorization")
                .doesNotContain("hunter2");
    }
}
