package dev.vantage.beat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Go durations, as INTERVAL and GRACE are written for the Go NATS heartbeat agent, and plain seconds. */
class BeatDurationTest {
    @Test
    void goDurationsAndPlainSecondsParse() {
        Map<String, Duration> cases = Map.ofEntries(
                Map.entry("15s", Duration.ofSeconds(15)),
                Map.entry("1m30s", Duration.ofSeconds(90)),
                Map.entry("1h", Duration.ofHours(1)),
                Map.entry("500ms", Duration.ofMillis(500)),
                Map.entry("15", Duration.ofSeconds(15)),
                Map.entry("0", Duration.ZERO),
                Map.entry("1.5h", Duration.ofMinutes(90)),
                Map.entry("2h45m", Duration.ofMinutes(165)),
                Map.entry("1.5", Duration.ofMillis(1500)),
                Map.entry(".5s", Duration.ofMillis(500)),
                Map.entry("300us", Duration.ofNanos(300_000)),
                Map.entry("300µs", Duration.ofNanos(300_000)),
                Map.entry("10ns", Duration.ofNanos(10)),
                Map.entry(" 20s ", Duration.ofSeconds(20)));
        cases.forEach(
                (text, expected) -> assertThat(GoDuration.parse(text)).as(text).isEqualTo(expected));
    }

    @Test
    void anythingElseIsAOneLineErrorQuotingIt() {
        for (String bad : new String[] {"", "s", "15x", "-5s", "1m-30s", "15 s", "1h 30m", "abc", "1e3", "5sec"}) {
            assertThatThrownBy(() -> GoDuration.parse(bad))
                    .as("'%s'", bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("'" + bad + "' is not a duration: use e.g. 15s, 1m30s, 500ms, 1h or 15 (seconds)");
        }
        assertThatThrownBy(() -> GoDuration.parse("3000000h")).hasMessage("'3000000h' is too long a duration");
    }

    @Test
    void durationsPrintAsGoPrintsThem() {
        Map<Duration, String> cases = Map.of(
                Duration.ZERO,
                "0s",
                Duration.ofSeconds(15),
                "15s",
                Duration.ofSeconds(90),
                "1m30s",
                Duration.ofHours(1),
                "1h0m0s",
                Duration.ofMillis(500),
                "500ms",
                Duration.ofMillis(1500),
                "1.5s",
                Duration.ofNanos(1500),
                "1.5µs");
        cases.forEach(
                (d, expected) -> assertThat(GoDuration.format(d)).as("%s", d).isEqualTo(expected));
    }
}
