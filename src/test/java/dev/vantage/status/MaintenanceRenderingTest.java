package dev.vantage.status;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The maintenance section of the text and HTML renderings: shown only when a window is active or upcoming. */
class MaintenanceRenderingTest {
    private static final Instant NOW = Instant.parse("2026-12-05T12:00:00Z");
    private static final String HOSTILE = "<img src=x onerror=alert(1)>\u001b[31m";

    private static StatusReport report(List<StatusReport.Window> windows) {
        return new StatusReport(
                NOW,
                List.of("VA"),
                List.of(),
                List.of(),
                List.of(),
                List.of(),
                List.of(),
                StatusReport.Evaluation.UNKNOWN,
                windows);
    }

    private static final List<StatusReport.Window> WINDOWS = List.of(
            new StatusReport.Window(
                    3, "deploy " + HOSTILE, "checkout in VA", NOW.minusSeconds(60), NOW.plusSeconds(1740), true, false),
            new StatusReport.Window(
                    1,
                    "backups",
                    "every monitor",
                    NOW.plus(Duration.ofHours(14)),
                    NOW.plus(Duration.ofHours(16)),
                    false,
                    true));

    @Test
    void theTableListsActiveThenUpcomingWindowsWithControlCharactersMasked() {
        String text = StatusTable.render(report(WINDOWS));
        assertThat(text)
                .containsPattern("MAINTENANCE\nID +STATE +FROM +UNTIL +SCOPE +REASON\n")
                .containsPattern("3 +active +2026-12-05 11:59Z +2026-12-05 12:29Z +checkout in VA +deploy <img")
                .containsPattern(
                        "1 +upcoming +2026-12-06 02:00Z +2026-12-06 04:00Z +every monitor +backups \\(weekly\\)")
                .doesNotContain("\u001b");
    }

    @Test
    void thePageEscapesTheReasonAndShowsNoSectionWithoutWindows() {
        String html = StatusPage.render(report(WINDOWS));
        assertThat(html)
                .contains("<h2>Maintenance</h2>", "id=\"maintenance\"", "&lt;img src=x", "backups (weekly)", "upcoming")
                .doesNotContain("<img src=x");
        assertThat(StatusPage.render(report(List.of()))).doesNotContain("id=\"maintenance\"");
        assertThat(StatusTable.render(report(List.of()))).doesNotContain("MAINTENANCE");
    }
}
