package dev.vantage.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RollupWindowTest {
    private static final Instant NOW = Instant.parse("2026-03-10T12:34:56Z");

    @Test
    void aRunRecomputesTheRerollWindowBeforeTheLastCompleteHour() {
        var window = RollupWindow.of(Optional.of(Instant.parse("2026-03-10T11:00:00Z")), Optional.empty(), NOW);

        assertThat(window)
                .isEqualTo(
                        new RollupWindow(Instant.parse("2026-03-10T06:00:00Z"), Instant.parse("2026-03-10T12:00:00Z")));
    }

    @Test
    void afterDaysAwayTheWindowStartsBeforeTheLastHourRolledUp() {
        var window = RollupWindow.of(Optional.of(Instant.parse("2026-03-07T03:00:00Z")), Optional.empty(), NOW);

        assertThat(window.from()).isEqualTo(Instant.parse("2026-03-06T22:00:00Z"));
        assertThat(window.to()).isEqualTo(Instant.parse("2026-03-10T12:00:00Z"));
        assertThat(window.chunks()).hasSize(15).allSatisfy(c -> assertThat(c.from())
                .isBefore(c.to()));
        assertThat(window.chunks().getLast().to()).isEqualTo(window.to());
    }

    @Test
    void aFirstRunStartsAtTheOldestRawPartition() {
        var window = RollupWindow.of(Optional.empty(), Optional.of(Instant.parse("2026-02-08T00:00:00Z")), NOW);

        assertThat(window.from()).isEqualTo(Instant.parse("2026-02-08T00:00:00Z"));
    }

    @Test
    void aLastHourAheadOfTheClockLeavesTheWindowBeforeTheClock() {
        var window = RollupWindow.of(Optional.of(Instant.parse("2026-03-11T05:00:00Z")), Optional.empty(), NOW);

        assertThat(window)
                .isEqualTo(
                        new RollupWindow(Instant.parse("2026-03-10T06:00:00Z"), Instant.parse("2026-03-10T12:00:00Z")));
    }

    @Test
    void aWindowWithNothingToDoIsEmpty() {
        var window = RollupWindow.of(Optional.empty(), Optional.of(Instant.parse("2026-03-11T00:00:00Z")), NOW);

        assertThat(window.isEmpty()).isTrue();
        assertThat(window.chunks()).isEmpty();
    }
}
