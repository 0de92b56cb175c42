package dev.vantage.status;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vantage.status.StatusReport.DatacenterState;
import dev.vantage.status.StatusReport.LatencyBucket;
import dev.vantage.status.StatusReport.Monitor;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The three renderings of hand-built reports: the edge cases a seeded database does not reach. */
class StatusRenderingTest {
    private static final Instant NOW = Instant.parse("2026-12-05T12:00:00Z");
    private static final String HOSTILE = "<img src=x onerror=alert(1)>\u001b[31m\"'&";

    private static StatusReport report(List<Monitor> monitors) {
        return new StatusReport(
                NOW,
                List.of("VA"),
                monitors,
                List.of(),
                List.of(),
                List.of(),
                List.of(),
                StatusReport.Evaluation.UNKNOWN);
    }

    private static List<LatencyBucket> series(Double... values) {
        var out = new ArrayList<LatencyBucket>();
        for (int i = 0; i < values.length; i++) {
            out.add(new LatencyBucket(NOW.minus(Duration.ofHours(values.length - i)), values[i]));
        }
        return out;
    }

    private static Monitor monitor(String name, String state, String details, List<LatencyBucket> latency) {
        return new Monitor(
                1,
                name,
                "http",
                true,
                state,
                NOW,
                false,
                details,
                null,
                null,
                null,
                null,
                null,
                0,
                List.of(new DatacenterState("VA", state, NOW, details, null)),
                latency,
                null,
                null,
                null,
                null,
                List.of());
    }

    /** A push monitor expected every 15 s with 30 s of grace, whose last beat was {@code age} seconds ago. */
    private static Monitor push(String state, String details, Long age, String message) {
        Instant last = age == null ? null : NOW.minusSeconds(age);
        return new Monitor(
                9,
                "Nightly export",
                "push",
                !state.equals("DISABLED"),
                state,
                NOW,
                false,
                details,
                last,
                age,
                1500.0,
                2450.0,
                100.0,
                10,
                List.of(),
                series(1500.0),
                last,
                15,
                30,
                message,
                List.of());
    }

    record PushRow(String state, String details, Long age, String message, String shown) {}

    @Test
    void aPushMonitorShowsItsLastBeatAndMessageInItsDetails() {
        var cases = List.of(
                new PushRow(
                        "UP",
                        "UP",
                        12L,
                        "half way:\n  1200 rows ",
                        "last beat 12 s ago, expected every 15 s;" + " message: half way: 1200 rows"),
                new PushRow("UNKNOWN", "no beat yet", null, null, "no beat yet (expected every 15 s)"),
                new PushRow(
                        "DOWN",
                        "DOWN: MISSED no heartbeat for 3 min (expected every 15 s, grace 30 s)",
                        180L,
                        null,
                        "DOWN: MISSED no heartbeat for 3 min (expected every 15 s, grace 30 s); last beat 3 min ago,"
                                + " expected every 15 s"),
                new PushRow(
                        "DOWN",
                        "DOWN: FAIL the job reported a failure",
                        10L,
                        "disk full",
                        "DOWN: FAIL the job reported a failure; last beat 10 s ago, expected every 15 s; message: disk"
                                + " full"),
                new PushRow(
                        "PENDING",
                        "not evaluated yet",
                        null,
                        null,
                        "not evaluated yet; no beat yet (expected every 15 s)"),
                new PushRow(
                        "DISABLED", "disabled", 172_800L, null, "disabled; last beat 2 d ago, expected every 15 s"));
        for (PushRow c : cases) {
            assertThat(StatusTable.pushDetails(push(c.state(), c.details(), c.age(), c.message())))
                    .as(c.state() + " " + c.details())
                    .isEqualTo(c.shown());
        }
    }

    @Test
    void aPushRowSitsInTheTableWithoutDatacenterCells() {
        var r = report(List.of(
                monitor("API", "UP", "UP", series(55.0)), push("UP", "UP", 12L, "half way: 1200 of 2400 rows")));

        assertThat(StatusTable.render(r))
                .startsWith(
                        """
                        MONITOR          STATE   VA   LAST   P50      P95      UPTIME    DETAILS
                        API              UP      UP   -      -        -        -         UP
                        Nightly export   UP      -    12s    1500ms   2450ms   100.00%   last beat 12 s ago, expected \
                        every 15 s; message: half way: 1200 of 2400 rows
                        """);
    }

    @Test
    void aPushRowOnThePageShowsItsLastBeatAndEscapedMessageInsteadOfDatacenters() {
        var r = report(List.of(push("DOWN", "DOWN: FAIL the job reported a failure", 10L, HOSTILE)));

        String page = StatusPage.render(r);
        assertThat(page)
                .contains("<td class=\"push\" data-label=\"Push\">last beat 10 s ago, expected every 15 s"
                        + "<div class=\"msg\">last message: &lt;img src=x onerror=alert(1)&gt;")
                .contains("DOWN: FAIL the job reported a failure")
                .doesNotContain("<img", "none assigned", "VA DOWN");
        assertThat(StatusTable.render(r)).doesNotContain("\u001b");
    }

    record Cut(String head, String shown) {}

    @Test
    void aMessageIsCutToTwoHundredCharactersAfterItsPingTokensAreMasked() {
        String token = "AbC_-0123456789abcdefghijklmnopqrstuvwxyzA";
        var cases = List.of(
                new Cut("ok", "ok"),
                new Cut("x".repeat(200), "x".repeat(200)),
                new Cut("x".repeat(201), "x".repeat(200) + "…"),
                new Cut(
                        "curl: 503 for http://h:8080/ping/" + token + "/fail",
                        "curl: 503 for http://h:8080/ping/<token>/fail"),
                // A token cut by the read: masked all the same.
                new Cut("y".repeat(380) + "/ping/" + token.substring(0, 15), "y".repeat(200) + "…"),
                new Cut("/ping/" + token.substring(0, 15), "/ping/<token>"),
                // The database sent 401 characters: the message is longer than what is shown, however short the masks
                // made it.
                new Cut("/ping/" + "t".repeat(300) + " " + "x".repeat(94), "/ping/<token> " + "x".repeat(94) + "…"),
                new Cut("\uD83D\uDE00".repeat(201), "\uD83D\uDE00".repeat(200) + "…"));
        for (Cut c : cases) {
            assertThat(PushBeats.message(c.head())).as(c.head()).isEqualTo(c.shown());
        }
        assertThat(PushBeats.message(null)).isNull();
    }

    @Test
    void anEmptyReportRendersEverywhereAndIsHealthy() {
        var empty = report(List.of());

        assertThat(empty.healthy()).isTrue();
        assertThat(StatusPage.render(empty)).contains("All monitors operational", "No monitors configured.");
        assertThat(StatusTable.render(empty)).startsWith("No monitors (add rows to api_monitors).\n");
        assertThat(StatusJson.render(empty)).contains("\"healthy\" : true");
    }

    @Test
    void aTargetsHugeTextFromOldRowsIsCutOnThePageAndInTheTable() {
        // A 200 KB status line, as states and incidents written before texts were cut may hold it.
        String details = "DOWN: PROTOCOL malformed status line \"" + "A".repeat(200 * 1024) + "\"";
        var incident = new StatusReport.Incident(
                3, "monitor", "global", 1, "checkout", List.of("VA"), NOW, null, 60, "PROTOCOL", details);
        var r = new StatusReport(
                NOW,
                List.of("VA"),
                List.of(monitor("checkout", "DOWN", details, series(1.0))),
                List.of(),
                List.of(),
                List.of(incident),
                List.of(),
                StatusReport.Evaluation.UNKNOWN);

        assertThat(StatusPage.render(r)).hasSizeLessThan(32 * 1024).contains("[cut, 204839 bytes]");
        assertThat(StatusTable.render(r)).hasSizeLessThan(16 * 1024).contains("[cut, 204839 bytes]");
    }

    @Test
    void hostileTextIsEscapedOnThePageAndDefusedInTheTable() {
        var r = report(List.of(monitor(HOSTILE, "BOGUS\"><b>", HOSTILE, series(1.0))));

        String page = StatusPage.render(r);
        assertThat(page)
                .doesNotContain("<img", "\u001b", "<b>")
                .contains("&lt;img src=x onerror=alert(1)&gt;")
                .contains("&quot;&#39;&amp;")
                // An unknown state gets a known colour class but keeps its own (escaped) text.
                .contains("class=\"st st-UNKNOWN\"")
                .contains("BOGUS&quot;&gt;&lt;b&gt;");
        assertThat(StatusTable.render(r)).doesNotContain("\u001b").contains("<img src=x onerror=alert(1)>?[31m");
    }

    @Test
    void theSparklineBreaksAtHoursWithoutDataAndDrawsALonePointAsADot() {
        String svg = StatusPage.sparkline(series(10.0, 20.0, null, 30.0, null, 40.0, 50.0));

        assertThat(svg)
                .startsWith("<svg class=\"spark\"")
                .contains("aria-label=\"p50 latency per hour over 24 h, 10ms to 50ms\"");
        assertThat(svg.split("<polyline", -1)).hasSize(3);
        assertThat(svg.split("<circle", -1)).hasSize(2);
        assertThat(StatusPage.sparkline(series(null, null))).contains("no data");
        assertThat(StatusPage.sparkline(series(5.0, 5.0))).contains("<polyline");
    }

    @Test
    void percentagesRoundDownSoOneFailureNeverReadsAsAHundred() {
        assertThat(StatusTable.percent(99.999)).isEqualTo("99.99%");
        assertThat(StatusTable.percent(100.0)).isEqualTo("100.00%");
        assertThat(StatusTable.percent(null)).isEqualTo("-");
        assertThat(StatusTable.ms(3.8291)).isEqualTo("3.8ms");
        assertThat(StatusTable.ms(187.6)).isEqualTo("188ms");
        // A push monitor's runs may take minutes or hours.
        assertThat(StatusTable.ms(9999.4)).isEqualTo("9999ms");
        assertThat(StatusTable.ms(12_340.0)).isEqualTo("12.3s");
        assertThat(StatusTable.ms(2_700_000.0)).isEqualTo("45m");
        assertThat(StatusTable.ms(7_200_000.0)).isEqualTo("2h");
    }

    @Test
    void aStalledEvaluationComesFirstInEveryRenderingAndTheReportIsNotHealthy() {
        var progress = new dev.vantage.monitor.EvaluationProgress(
                NOW.minusSeconds(90),
                90.4,
                "pid 42, role mallory, application '" + HOSTILE + "'",
                "monitor-a (epoch 3)");
        String details = progress.describe(Duration.ofSeconds(60));
        var stalled =
                new StatusReport.Evaluation(progress.lastRoundAt(), 90L, 60, true, progress.lockHolder(), details);
        var up = monitor("api", StatusReport.State.UP, null, series());
        var r = new StatusReport(NOW, List.of("VA"), List.of(up), List.of(), List.of(), List.of(), List.of(), stalled);

        assertThat(details)
                .startsWith("evaluation stalled since 2026-12-05T11:58:30Z (lease held by pid 42, role mallory,")
                .endsWith("; monitor_leases names monitor-a (epoch 3))");
        assertThat(r.healthy()).isFalse();
        assertThat(StatusTable.render(r))
                .startsWith("EVALUATION STALLED: evaluation stalled since 2026-12-05T11:58:30Z")
                .doesNotContain("\u001b");
        String page = StatusPage.render(r);
        assertThat(page)
                .contains("<p class=\"summary bad\" id=\"evaluation\">Evaluation stalled since 2026-12-05T11:58:30Z")
                .doesNotContain("All monitors operational")
                .doesNotContain("<img");
        assertThat(StatusJson.render(r)).contains("\"stalled\" : true").contains("\"stall_after_seconds\" : 60");
    }

    @Test
    void anEvaluationWithinTheBoundIsNotStalledAndOneThatNeverRanIsNot() {
        var recent = new dev.vantage.monitor.EvaluationProgress(NOW, 0.2, null, null);
        assertThat(recent.stalled(Duration.ofSeconds(60))).isFalse();
        assertThat(recent.describe(Duration.ofSeconds(60))).isEqualTo("last evaluation round 0 s ago");
        assertThat(recent.olderBy(61).stalled(Duration.ofSeconds(60))).isTrue();
        var never = new dev.vantage.monitor.EvaluationProgress(null, null, null, null);
        assertThat(never.stalled(Duration.ofSeconds(5))).isFalse();
        assertThat(never.olderBy(1_000).stalled(Duration.ofSeconds(5))).isFalse();
        assertThat(never.describe(Duration.ofSeconds(5)))
                .isEqualTo("no evaluation round has committed yet (lease held by nobody)");
    }

    @Test
    void aMonitorDegradedByAPhaseSaysWhichWhereAndByHowMuch() {
        String reason = "DNS slow in VA: dns_lookup_ms 182.4 > 100 (3 in a row)";
        var r = report(List.of(monitor("Checkout API", "DEGRADED", reason, series(210.0))));

        assertThat(StatusTable.render(r))
                .contains("Checkout API   DEGRADED   DEGRADED")
                .contains(reason);
        assertThat(StatusPage.render(r)).contains("DNS slow in VA: dns_lookup_ms 182.4 &gt; 100 (3 in a row)");
    }
}
