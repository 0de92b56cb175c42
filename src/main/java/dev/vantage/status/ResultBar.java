package dev.vantage.status;

import static dev.vantage.status.Html.text;

import dev.vantage.status.StatusReport.DatacenterState;
import dev.vantage.status.StatusReport.Monitor;
import dev.vantage.status.StatusReport.Result;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the status page shows at a glance: per monitor and datacenter a bar of its last {@value Result#BAR} results,
 * oldest left, newest right, one tick each coloured by outcome (grey where there is no result yet), with a tooltip
 * ({@code title}) giving time, outcome, latency and error. The ticks are flex items that shrink with the bar, so a bar
 * fits a phone's card without scrolling. Also the per-minute latency series the sparkline falls back on while fewer
 * than {@value #HOURS_FOR_HOURLY} hours have data.
 */
final class ResultBar {
    /** Below this many hours with a median, the sparkline draws per-minute medians of the recent results instead. */
    static final int HOURS_FOR_HOURLY = 3;

    private static final DateTimeFormatter DAY =
            DateTimeFormatter.ofPattern("yyyy-MM-dd ", Locale.ROOT).withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("HH:mm:ss 'UTC'", Locale.ROOT).withZone(ZoneOffset.UTC);

    static final String CSS =
            """
            .dc{margin:2px 0 6px}
            .bar{display:flex;gap:1px;height:14px;width:300px;max-width:100%;margin-top:2px}
            .bar i{flex:1 1 0;min-width:0;border-radius:1px;background:#d1d9e0}
            .bar .up{background:#2da44e}.bar .slow{background:#d4a72c}.bar .down{background:#cf222e}
            .bar .timeout{background:#8c2d00}.bar .maintenance{background:#54aeff}
            """;

    private ResultBar() {}

    /** A datacenter's state badge with its bar under it. */
    static String datacenter(DatacenterState d) {
        return "<div class=\"dc\">" + StatusPage.badge(d.state(), d.code()) + bar(d) + "</div>";
    }

    static String bar(DatacenterState d) {
        return bar(
                "data-dc=\"" + text(d.code()) + "\"",
                d.code() + ": last " + d.recent().size() + " results",
                d.recent());
    }

    /** A push monitor's bar: its last success and fail beats, under its last beat and message. */
    static String push(Monitor m) {
        return bar("data-push", "last " + m.recent().size() + " beats", m.recent());
    }

    /** A bar with {@code attribute} (already escaped) and an accessible label: {@code title}, then the counts. */
    private static String bar(String attribute, String title, List<Result> results) {
        var counts = new TreeMap<String, Integer>();
        results.forEach(r -> counts.merge(r.outcome(), 1, Integer::sum));
        var label = new StringBuilder(title);
        Result.OUTCOMES.stream()
                .filter(counts::containsKey)
                .forEach(o ->
                        label.append(", ").append(counts.get(o)).append(' ').append(o));
        var out = new StringBuilder(64 * Result.BAR);
        out.append("<div class=\"bar\" role=\"img\" ")
                .append(attribute)
                .append(" aria-label=\"")
                .append(text(label.toString()))
                .append("\">");
        // Grey, untitled: a page of a thousand monitors has 180,000 ticks, so each is kept to a few bytes.
        out.append("<i></i>".repeat(Math.max(0, Result.BAR - results.size())));
        String day = null;
        for (Result r : results) {
            // The date on the first tick and where it changes; the time alone on the others.
            String today = DAY.format(r.at());
            out.append("<i class=\"")
                    .append(r.outcome())
                    .append("\" title=\"")
                    .append(text(tooltip(today.equals(day) ? "" : today, r)))
                    .append("\"></i>");
            day = today;
        }
        return out.append("</div>").toString();
    }

    /** {@code 2026-12-06 14:20:03 UTC: down, TIMEOUT: waiting for the first byte}; {@code day} may be empty. */
    static String tooltip(String day, Result r) {
        var t = new StringBuilder(day).append(TIME.format(r.at())).append(": ").append(r.outcome());
        if (r.ms() != null) {
            t.append(", ").append(StatusTable.ms(r.ms()));
        }
        if (r.error() != null) {
            t.append(", ").append(r.error());
        }
        return t.toString();
    }

    /**
     * The median latency of the successful recent results per UTC minute, over all the monitor's datacenters, oldest
     * first; empty when the hourly series already has {@value #HOURS_FOR_HOURLY} hours with a median, or when fewer than
     * two minutes have one.
     */
    static List<Double> minuteMedians(Monitor m) {
        long hours = m.latency24h().stream().filter(b -> b.p50Ms() != null).count();
        if (hours >= HOURS_FOR_HOURLY) {
            return List.of();
        }
        Map<Instant, List<Double>> byMinute = new TreeMap<>();
        for (DatacenterState d : m.datacenters()) {
            for (Result r : d.recent()) {
                if (r.ms() != null && (r.outcome().equals("up") || r.outcome().equals("slow"))) {
                    byMinute.computeIfAbsent(r.at().truncatedTo(ChronoUnit.MINUTES), k -> new ArrayList<>())
                            .add(r.ms());
                }
            }
        }
        if (byMinute.size() < 2) {
            return List.of();
        }
        return byMinute.values().stream().map(ResultBar::median).toList();
    }

    private static double median(List<Double> values) {
        var sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }
}
