package dev.vantage.status;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vantage.status.StatusReport.DatacenterState;
import dev.vantage.status.StatusReport.LatencyBucket;
import dev.vantage.status.StatusReport.Monitor;
import dev.vantage.status.StatusReport.Result;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ResultBarTest {
    private static final Instant NOW = Instant.parse("2026-12-06T14:20:00Z");

    @ParameterizedTest(name = "success {0}, {1} ms over {2}, {3}, maintenance {4}: {5}")
    @CsvSource({
        "true, 50, 100, , false, up",
        "true, 150, 100, , false, slow",
        "true, 150, , , false, up",
        "false, , , HTTP_STATUS, false, down",
        "false, , , TIMEOUT, false, timeout",
        "false, , , TIMEOUT, true, maintenance",
        "true, 50, , , true, maintenance",
    })
    void aResultsOutcomeFollowsItsRow(
            boolean success, Double ms, Integer warning, String type, boolean maintenance, String outcome) {
        assertThat(RecentResults.outcome(success, ms, warning, type, maintenance))
                .isEqualTo(outcome);
    }

    @Test
    void aBarHasSixtyTicksOldestLeftWithGreyWhereNoResultIsYet() {
        var results = List.of(
                new Result(NOW.minusSeconds(60), "up", 42.0, null),
                new Result(NOW.minusSeconds(30), "down", null, "HTTP_STATUS: status 503, expected 200-299"),
                new Result(NOW, "slow", 900.0, null));

        String bar = ResultBar.bar(new DatacenterState("VA", "UP", NOW, "up", NOW, results));

        var ticks = Pattern.compile("<i(?: class=\"(\\w+)\" title=\"([^\"]*)\")?></i>")
                .matcher(bar)
                .results()
                .toList();
        assertThat(ticks).hasSize(Result.BAR);
        assertThat(ticks.subList(0, 57)).allMatch(t -> t.group(1) == null);
        assertThat(ticks.subList(57, 60)).extracting(t -> t.group(1)).containsExactly("up", "down", "slow");
        assertThat(ticks.get(57).group(2)).isEqualTo("2026-12-06 14:19:00 UTC: up, 42ms");
        assertThat(ticks.get(58).group(2)).isEqualTo("14:19:30 UTC: down, HTTP_STATUS: status 503, expected 200-299");
        assertThat(bar).contains("aria-label=\"VA: last 3 results, 1 up, 1 slow, 1 down\"");
    }

    @Test
    void anErrorInATooltipIsEscaped() {
        var hostile = new Result(NOW, "down", null, "ASSERTION: body \"<script>alert(1)</script>\" & 'x'");

        String bar = ResultBar.bar(new DatacenterState("VA", "DOWN", NOW, "down", NOW, List.of(hostile)));

        assertThat(bar)
                .contains("ASSERTION: body &quot;&lt;script&gt;alert(1)&lt;/script&gt;&quot; &amp; &#39;x&#39;")
                .doesNotContain("<script");
    }

    @Test
    void theRecentResultsInOneLetterEachAreTheCompactJsonForm() {
        var results = List.of(
                new Result(NOW, "up", 1.0, null),
                new Result(NOW, "slow", 1.0, null),
                new Result(NOW, "down", null, "x"),
                new Result(NOW, "timeout", null, "x"),
                new Result(NOW, "maintenance", null, null));

        var dc = new DatacenterState("VA", "UP", NOW, "up", NOW, results);

        assertThat(dc.recentResults()).isEqualTo("USDTM");
        assertThat(StatusJson.render(report(monitor(List.of(), List.of(dc)))))
                .contains("\"recent_results\" : \"USDTM\"")
                .doesNotContain("\"recent\"");
    }

    @Test
    void aMonitorMinutesOldDrawsItsSparklinePerMinuteFromItsRecentResults() {
        // Four minutes of results every 30 s in two datacenters: no hour has a median in the hourly series yet.
        var va = new ArrayList<Result>();
        var ny = new ArrayList<Result>();
        for (int i = 0; i < 8; i++) {
            Instant at = NOW.minus(Duration.ofSeconds(30L * (8 - i)));
            va.add(new Result(at, "up", 10.0 + i, null));
            ny.add(new Result(at, i == 3 ? "down" : "up", i == 3 ? null : 30.0 + i, null));
        }
        var m = monitor(
                hourly(1),
                List.of(
                        new DatacenterState("VA", "UP", NOW, "up", NOW, va),
                        new DatacenterState("NY", "UP", NOW, "up", NOW, ny)));

        assertThat(ResultBar.minuteMedians(m)).containsExactly(20.5, 13.0, 24.5, 26.5);
        assertThat(StatusPage.sparkline(m))
                .contains("p50 latency per minute over the last 4 minutes with data, ")
                .contains("<polyline");
    }

    @Test
    void withThreeHoursOfDataTheSparklineIsHourly() {
        var va = List.of(new Result(NOW.minusSeconds(90), "up", 10.0, null), new Result(NOW, "up", 20.0, null));
        var m = monitor(hourly(3), List.of(new DatacenterState("VA", "UP", NOW, "up", NOW, va)));

        assertThat(ResultBar.minuteMedians(m)).isEmpty();
        assertThat(StatusPage.sparkline(m)).contains("p50 latency per hour over 24 h");
    }

    /** 24 hourly buckets, the last {@code withData} of them with a median. */
    private static List<LatencyBucket> hourly(int withData) {
        var out = new ArrayList<LatencyBucket>();
        for (int i = 0; i < 24; i++) {
            out.add(new LatencyBucket(NOW.minus(Duration.ofHours(23 - i)), i >= 24 - withData ? 50.0 + i : null));
        }
        return out;
    }

    private static Monitor monitor(List<LatencyBucket> latency, List<DatacenterState> dcs) {
        return new Monitor(
                1, "API", "http", true, "UP", NOW, false, "UP", NOW, 0L, null, null, null, 0, dcs, latency, null, null,
                null, null, List.of());
    }

    private static StatusReport report(Monitor m) {
        return new StatusReport(
                NOW,
                List.of("VA"),
                List.of(m),
                List.of(),
                List.of(),
                List.of(),
                List.of(),
                StatusReport.Evaluation.UNKNOWN);
    }
}
