package dev.vantage.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SlotGridTest {

    @ParameterizedTest(name = "offset {2} interval {1}: slot at or after {0} is {3}")
    @CsvSource({
        // t (epoch ms),  interval ms, offset ms, expected slot
        "0,               60000,       0,         0",
        "1,               60000,       0,         60000",
        "59999,           60000,       0,         60000",
        "60000,           60000,       0,         60000",
        "0,               60000,       1500,      1500",
        "1500,            60000,       1500,      1500",
        "1501,            60000,       1500,      61500",
        "-1,              60000,       1500,      1500",
        "-58501,          60000,       1500,      -58500",
    })
    void slotAtOrAfterIsTheFirstGridPointNotBeforeTheInstant(long t, long interval, long offset, long expected) {
        var grid = new SlotGrid(1, interval, offset);

        Instant slot = grid.slotAtOrAfter(Instant.ofEpochMilli(t));

        assertThat(slot.toEpochMilli()).isEqualTo(expected);
        assertThat(grid.isOnGrid(slot)).isTrue();
    }

    @Test
    void anInstantBetweenMillisecondsRoundsUpToTheNextSlot() {
        var grid = new SlotGrid(1, 1000, 0);

        assertThat(grid.slotAtOrAfter(Instant.ofEpochMilli(1000).plusNanos(1)).toEpochMilli())
                .isEqualTo(2000);
    }

    @Test
    void theOffsetDependsOnlyOnTheMonitorIdSoEveryReplicaComputesTheSameSlots() {
        var interval = Duration.ofSeconds(60);
        for (long id = 1; id <= 100; id++) {
            assertThat(SlotGrid.of(id, interval)).isEqualTo(SlotGrid.of(id, interval));
        }
        // Pinned: changing the hash would move every monitor's slots and break the slot key across an upgrade.
        assertThat(SlotGrid.of(1, interval).offsetMillis()).isEqualTo(Math.floorMod(SlotGrid.mix(1), 60_000L));
        assertThat(SlotGrid.mix(1)).isEqualTo(0x910A2DEC89025CC1L);
    }

    @Test
    void aThousandMonitorsOnOneIntervalAreSpreadOverTheWholeInterval() {
        var interval = Duration.ofSeconds(60);
        int[] perSecond = new int[60];
        LongStream.rangeClosed(1, 1000)
                .forEach(id -> perSecond[(int) (SlotGrid.of(id, interval).offsetMillis() / 1000)]++);

        // 1000 over 60 one-second buckets is 16.7 on average; a thundering herd would put them all in one.
        assertThat(java.util.Arrays.stream(perSecond).boxed().toList())
                .allSatisfy(n -> assertThat(n).isBetween(4, 34));
        long distinctMillis = LongStream.rangeClosed(1, 1000)
                .map(id -> SlotGrid.of(id, interval).offsetMillis())
                .distinct()
                .count();
        // Random offsets collide like birthdays: about 8 pairs share a millisecond among 1000 in 60,000.
        assertThat(distinctMillis).isGreaterThanOrEqualTo(980);
    }

    @Test
    void consecutiveSlotsAreOneIntervalApart() {
        var grid = SlotGrid.of(42, Duration.ofSeconds(30));
        Instant first = grid.slotAtOrAfter(Instant.parse("2026-11-23T10:00:00Z"));

        assertThat(grid.next(first)).isEqualTo(first.plusSeconds(30));
        assertThat(grid.isOnGrid(grid.next(first))).isTrue();
        assertThat(grid.isOnGrid(first.plusMillis(1))).isFalse();
    }
}
