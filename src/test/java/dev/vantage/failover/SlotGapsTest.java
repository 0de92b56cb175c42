package dev.vantage.failover;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SlotGapsTest {
    private static final Duration SECOND = Duration.ofSeconds(1);
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    private static List<Instant> slots(long offsetMillis, int... seconds) {
        return java.util.Arrays.stream(seconds)
                .mapToObj(s -> T0.plusSeconds(s).plusMillis(offsetMillis))
                .toList();
    }

    @Test
    void anUnbrokenGridPerMonitorHasNoGapWhateverItsOffset() {
        var rows = Map.of(1L, slots(120, 0, 1, 2, 3, 4, 5), 2L, slots(999, -1, 0, 1, 2, 3, 4));

        assertThat(SlotGaps.find(rows, List.of(1L, 2L), T0, T0.plusSeconds(5), SECOND))
                .isEmpty();
    }

    @Test
    void missingSlotsInsideAtTheEdgesAndWholeMonitorsAreEachReported() {
        var rows = Map.of(1L, slots(0, 0, 1, 4, 5), 2L, slots(500, 2, 3, 4, 5), 3L, slots(0, 0, 1, 2, 3));

        assertThat(SlotGaps.find(rows, List.of(1L, 2L, 3L, 4L), T0, T0.plusSeconds(5), SECOND))
                .containsExactly(
                        "monitor 1: 2026-01-01T00:00:01Z -> 2026-01-01T00:00:04Z (2 slots missing)",
                        "monitor 2: first slot 2026-01-01T00:00:02.500Z is 2500 ms (2 slots) after the window start"
                                + " 2026-01-01T00:00:00Z",
                        "monitor 3: last slot 2026-01-01T00:00:03Z is 2000 ms (2 slots) before the window end"
                                + " 2026-01-01T00:00:05Z",
                        "monitor 4: no slot at all in [2026-01-01T00:00:00Z, 2026-01-01T00:00:05Z]");
    }

    @Test
    void slotsCloserThanTheIntervalAreReported() {
        var rows = Map.of(1L, List.of(T0, T0.plusMillis(400), T0.plusSeconds(1)));

        assertThat(SlotGaps.find(rows, List.of(1L), T0, T0.plusSeconds(1), SECOND))
                .containsExactly(
                        "monitor 1: 2026-01-01T00:00:00Z -> 2026-01-01T00:00:00.400Z (400 ms apart: off the grid or twice)",
                        "monitor 1: 2026-01-01T00:00:00.400Z -> 2026-01-01T00:00:01Z (600 ms apart: off the grid or twice)");
    }

    @Test
    void theLargestHoleIsTheLongestStretchWithoutASlotMinusOneInterval() {
        var slots = slots(250, 0, 1, 2, 5, 6, 8);

        assertThat(SlotGaps.largestHole(slots, T0, T0.plusSeconds(9), SECOND)).isEqualTo(Duration.ofSeconds(2));
        assertThat(SlotGaps.largestHole(slots(0, 0, 1, 2), T0, T0.plusSeconds(2), SECOND))
                .isZero();
        assertThat(SlotGaps.largestHole(slots(0, 3), T0, T0.plusSeconds(9), SECOND))
                .isEqualTo(Duration.ofSeconds(9));
    }
}
