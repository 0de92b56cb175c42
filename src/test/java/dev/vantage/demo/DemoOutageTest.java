package dev.vantage.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class DemoOutageTest {
    private static final Instant FIRST = Instant.parse("2025-01-01T00:00:00Z");

    static Stream<Arguments> requests() {
        return Stream.of(
                Arguments.of("VA before the outage", "Vantage-Probe/1 (datacenter VA)", 9_999, false),
                Arguments.of("VA when it begins", "Vantage-Probe/1 (datacenter VA)", 10_000, true),
                Arguments.of("NY during it", "Vantage-Probe/1 (datacenter NY)", 25_000, true),
                Arguments.of("LON during it", "Vantage-Probe/1 (datacenter LON)", 25_000, false),
                Arguments.of(
                        "a datacenter whose code only starts like VA",
                        "Vantage-Probe/1 (datacenter VAX)",
                        25_000,
                        false),
                Arguments.of("a probe without a datacenter", "Vantage-Probe/1", 25_000, false),
                Arguments.of("a request without a User-Agent", null, 25_000, false),
                Arguments.of("VA when it ends", "Vantage-Probe/1 (datacenter VA)", 40_000, false),
                Arguments.of("NY long after", "Vantage-Probe/1 (datacenter NY)", 600_000, false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("requests")
    void probesFromTheOutageDatacentersFailOnlyDuringItsWindow(
            String name, String userAgent, long millisAfterFirst, boolean fails) {
        var outage = new DemoOutage(Duration.ofSeconds(10), Duration.ofSeconds(30), Set.of("VA", "NY"));
        assertThat(outage.fails("curl/8", FIRST)).isFalse();

        assertThat(outage.fails(userAgent, FIRST.plusMillis(millisAfterFirst))).isEqualTo(fails);
    }

    @Test
    void theWindowStartsAtTheFirstRequestHoweverLateItComes() {
        var outage = new DemoOutage(Duration.ofSeconds(10), Duration.ofSeconds(30), Set.of("VA"));
        Instant first = FIRST.plus(Duration.ofHours(1));
        String va = "Vantage-Probe/1 (datacenter VA)";

        assertThat(outage.fails(va, first)).isFalse();
        assertThat(outage.fails(va, first.plusSeconds(9))).isFalse();
        assertThat(outage.fails(va, first.plusSeconds(15))).isTrue();
        assertThat(outage.fails(va, first.plusSeconds(41))).isFalse();
    }

    @Test
    void theDependentsFailInsideTheOutageOnItsClockFrom7SAfterItBeginsTo8SBeforeItEnds() {
        var outage = new DemoOutage(Duration.ofSeconds(10), Duration.ofSeconds(30), Set.of("VA", "NY"));
        var dependent = outage.dependent();
        String ny = "Vantage-Probe/1 (datacenter NY)";

        assertThat(outage.fails("curl/8", FIRST)).isFalse(); // the database's first request starts both clocks
        assertThat(dependent.fails(ny, FIRST.plusSeconds(16))).isFalse();
        assertThat(dependent.fails(ny, FIRST.plusSeconds(17))).isTrue();
        assertThat(dependent.fails(ny, FIRST.plusMillis(31_999))).isTrue();
        assertThat(dependent.fails(ny, FIRST.plusSeconds(32))).isFalse();
        assertThat(outage.fails(ny, FIRST.plusSeconds(35)))
                .as("the database still fails")
                .isTrue();
        assertThat(dependent.fails("Vantage-Probe/1 (datacenter LON)", FIRST.plusSeconds(20)))
                .isFalse();
    }
}
