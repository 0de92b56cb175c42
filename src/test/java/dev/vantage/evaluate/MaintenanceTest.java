package dev.vantage.evaluate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Whether a pair is in maintenance at an instant, and when its maintenance starts and ends. */
class MaintenanceTest {
    private static final ZoneId PARIS = ZoneId.of("Europe/Paris");

    /** Sundays 23:00 Paris time for 2 h: crosses midnight into Monday. */
    private static final MaintenanceWindow SUNDAY_NIGHT = MaintenanceWindow.weekly(
            1, "backups", null, null, Set.of(DayOfWeek.SUNDAY), LocalTime.of(23, 0), Duration.ofHours(2), PARIS);

    /** Sundays 02:30 Paris time for 1 h: on 2026-03-29 clocks jump from 02:00 to 03:00, on 2026-10-25 back. */
    private static final MaintenanceWindow SUNDAY_0230 = MaintenanceWindow.weekly(
            2, "dst", null, null, Set.of(DayOfWeek.SUNDAY), LocalTime.of(2, 30), Duration.ofHours(1), PARIS);

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource({
        // 2026-11-22 is a Sunday; Paris is UTC+1 in November.
        "2026-11-22T21:59:59Z, false",
        "2026-11-22T22:00:00Z, true",
        "2026-11-22T23:30:00Z, true", // past local midnight: Monday 00:30
        "2026-11-22T23:59:59Z, true",
        "2026-11-23T00:00:00Z, false", // Monday 01:00 local: ended
        "2026-11-23T22:00:00Z, false", // Monday 23:00 local: not a weekday of it
    })
    void aWeeklyWindowCrossingMidnightCoversUntilItsEndOnTheNextDay(Instant t, boolean covered) {
        var m = new Maintenance(List.of(SUNDAY_NIGHT));
        assertThat(m.covers(1, 1, t)).isEqualTo(covered);
    }

    @Test
    void aStartInTheSpringDstGapMovesForwardByTheGapAndLastsItsElapsedDuration() {
        // 02:30 does not exist on 2026-03-29 in Paris: it starts at 03:30 CEST (01:30Z) and lasts 1 h.
        var o = SUNDAY_0230.occurrence(Instant.parse("2026-03-29T00:00:00Z")).orElseThrow();
        assertThat(o.start()).isEqualTo(Instant.parse("2026-03-29T01:30:00Z"));
        assertThat(o.end()).isEqualTo(Instant.parse("2026-03-29T02:30:00Z"));
        // The Sunday before, in winter time, 02:30 CET is 01:30Z; the Sunday after, in summer time, 00:30Z.
        assertThat(SUNDAY_0230
                        .occurrence(Instant.parse("2026-03-22T00:00:00Z"))
                        .orElseThrow()
                        .start())
                .isEqualTo(Instant.parse("2026-03-22T01:30:00Z"));
        assertThat(SUNDAY_0230
                        .occurrence(Instant.parse("2026-04-05T00:00:00Z"))
                        .orElseThrow()
                        .start())
                .isEqualTo(Instant.parse("2026-04-05T00:30:00Z"));
    }

    @Test
    void aStartInTheAutumnOverlapIsTheEarlierInstant() {
        // 02:30 happens twice on 2026-10-25 in Paris (CEST then CET): the first, 00:30Z.
        var o = SUNDAY_0230.occurrence(Instant.parse("2026-10-24T12:00:00Z")).orElseThrow();
        assertThat(o.start()).isEqualTo(Instant.parse("2026-10-25T00:30:00Z"));
        assertThat(o.end()).isEqualTo(Instant.parse("2026-10-25T01:30:00Z"));
    }

    @Test
    void aWindowCrossingMidnightOnTheNightClocksGoBackStillLastsItsElapsedDuration() {
        var night = MaintenanceWindow.weekly(
                3, "night", null, null, Set.of(DayOfWeek.SATURDAY), LocalTime.of(23, 0), Duration.ofHours(5), PARIS);
        // Saturday 2026-10-24 23:00 CEST is 21:00Z; 5 h later is 02:00Z, which reads 03:00 CET on Sunday.
        var o = night.occurrence(Instant.parse("2026-10-24T20:00:00Z")).orElseThrow();
        assertThat(o.start()).isEqualTo(Instant.parse("2026-10-24T21:00:00Z"));
        assertThat(o.end()).isEqualTo(Instant.parse("2026-10-25T02:00:00Z"));
        var m = new Maintenance(List.of(night));
        assertThat(m.covers(1, 1, Instant.parse("2026-10-25T01:59:59Z"))).isTrue();
        assertThat(m.covers(1, 1, Instant.parse("2026-10-25T02:00:00Z"))).isFalse();
    }

    @Test
    void aWindowAppliesToAPairWhenBothItsMonitorAndItsDatacenterMatch() {
        var now = Instant.parse("2026-11-23T10:00:00Z");
        var w = MaintenanceWindow.oneOff(4, "deploy", Set.of(1, 2), Set.of(3), now, now.plusSeconds(600));
        var m = new Maintenance(List.of(w));
        assertThat(m.covers(1, 3, now)).isTrue();
        assertThat(m.covers(2, 3, now.plusSeconds(599))).isTrue();
        assertThat(m.covers(1, 4, now)).isFalse();
        assertThat(m.covers(5, 3, now)).isFalse();
        assertThat(m.covers(1, 3, now.plusSeconds(600))).isFalse();
        assertThat(m.covers(1, 3, now.minusNanos(1000))).isFalse();
    }

    @Test
    void nextStartAndEndJoinOverlappingWindowsAndSkipTheOneInProgress() {
        var t = Instant.parse("2026-11-22T22:30:00Z"); // inside SUNDAY_NIGHT (22:00Z to 00:00Z)
        var overlapping = MaintenanceWindow.oneOff(
                5,
                "longer",
                Set.of(1),
                null,
                Instant.parse("2026-11-22T23:00:00Z"),
                Instant.parse("2026-11-23T01:00:00Z"));
        var m = new Maintenance(List.of(SUNDAY_NIGHT, overlapping));
        assertThat(m.end(1, 1, t)).contains(Instant.parse("2026-11-23T01:00:00Z"));
        assertThat(m.end(2, 1, t)).contains(Instant.parse("2026-11-23T00:00:00Z"));
        assertThat(m.nextStart(2, 1, t)).contains(Instant.parse("2026-11-29T22:00:00Z"));
        assertThat(m.nextStart(1, 1, t)).contains(Instant.parse("2026-11-22T23:00:00Z"));
        assertThat(m.end(1, 1, Instant.parse("2026-11-23T02:00:00Z"))).isEmpty();
        assertThat(new Maintenance(List.of(overlapping)).nextStart(1, 1, Instant.parse("2026-11-23T02:00:00Z")))
                .isEmpty();
    }

    @Test
    void listedGivesTheActiveAndUpcomingOccurrencesByStart() {
        var t = Instant.parse("2026-11-22T22:30:00Z");
        var later = MaintenanceWindow.oneOff(
                6, "later", null, null, Instant.parse("2026-11-24T00:00:00Z"), Instant.parse("2026-11-24T01:00:00Z"));
        var past = MaintenanceWindow.oneOff(
                7, "past", null, null, Instant.parse("2026-11-20T00:00:00Z"), Instant.parse("2026-11-20T01:00:00Z"));
        var listed = new Maintenance(List.of(later, past, SUNDAY_NIGHT)).listed(t, t.plus(Duration.ofDays(7)));
        assertThat(listed)
                .extracting(l -> l.window().id(), Maintenance.Listed::active)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(1, true), org.assertj.core.groups.Tuple.tuple(6, false));
    }

    @Test
    void nonsenseIsRejectedNamingTheWindow() {
        var t = Instant.parse("2026-11-22T22:30:00Z");
        assertThatThrownBy(() -> MaintenanceWindow.oneOff(9, "x", null, null, t, t))
                .hasMessageContaining("maintenance window 9 needs starts_at before ends_at");
        assertThatThrownBy(() -> MaintenanceWindow.weekly(
                        9, "x", null, null, Set.of(DayOfWeek.MONDAY), LocalTime.NOON, Duration.ofDays(8), PARIS))
                .hasMessageContaining("maintenance window 9 needs a duration in (0, 7 days]");
    }
}
