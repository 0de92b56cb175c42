package dev.vantage.status;

import static dev.vantage.status.Html.text;

import dev.vantage.status.StatusReport.DatacenterState;
import dev.vantage.status.StatusReport.Incident;
import dev.vantage.status.StatusReport.InvalidRow;
import dev.vantage.status.StatusReport.LatencyBucket;
import dev.vantage.status.StatusReport.Monitor;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The status page: one self-contained HTML5 document (CSS inline, no script, no external asset), refreshed by the
 * browser every 30 s. Every value from the database goes through {@link Html#text}. A state is always written out in
 * words next to its colour, so the page reads the same without colour. Below 640 px the monitors table turns into
 * one card per monitor, so a phone needs no horizontal scrolling. Under each datacenter's state, a {@link ResultBar} of its
 * last results. A push monitor shows its last beat and last message
 * where other monitors show their datacenters.
 */
public final class StatusPage {
    static final int REFRESH_SECONDS = 30;
    private static final Set<String> STATES = Set.of(
            StatusReport.State.UP,
            StatusReport.State.DEGRADED,
            StatusReport.State.PARTIAL,
            StatusReport.State.DOWN,
            StatusReport.State.UNKNOWN,
            StatusReport.State.PENDING,
            StatusReport.State.DISABLED,
            StatusReport.State.MAINTENANCE);
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'", Locale.ROOT)
            .withZone(ZoneOffset.UTC);

    private static final String CSS =
            """
            :root{color-scheme:light;font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;}
            body{margin:0;padding:12px;background:#f6f8fa;color:#1f2328;line-height:1.4;}
            h1{font-size:1.4rem;margin:0 0 4px}h2{font-size:1.1rem;margin:20px 0 8px}
            .meta{color:#59636e;font-size:.85rem;margin:0 0 8px}
            .summary{font-weight:600;padding:8px 12px;border-radius:6px;margin:8px 0;color:#fff}
            .summary.ok{background:#1a7f37}.summary.bad{background:#cf222e}
            .scroll{overflow-x:auto;-webkit-overflow-scrolling:touch}
            table{border-collapse:collapse;width:100%;background:#fff;font-size:.9rem}
            th,td{text-align:left;padding:6px 8px;border-bottom:1px solid #d1d9e0;vertical-align:top}
            th{background:#eef1f4;font-weight:600;white-space:nowrap}
            .num{text-align:right;white-space:nowrap}
            .st{display:inline-block;padding:1px 6px;border-radius:10px;font-size:.8rem;font-weight:600;
                white-space:nowrap;border:1px solid transparent;margin:1px 2px 1px 0}
            .st-UP{background:#dafbe1;color:#116329;border-color:#4ac26b}
            .st-DEGRADED{background:#fff8c5;color:#7d4e00;border-color:#d4a72c}
            .st-PARTIAL{background:#fff1e5;color:#953800;border-color:#fb8f44}
            .st-DOWN{background:#ffebe9;color:#a40e26;border-color:#ff8182}
            .st-UNKNOWN{background:#eae6f5;color:#512a97;border-color:#a894da}
            .st-MAINTENANCE{background:#ddf4ff;color:#0550ae;border-color:#80ccff}
            .st-PENDING,.st-DISABLED{background:#eef1f4;color:#59636e;border-color:#d1d9e0}
            .spark{display:inline-block;vertical-align:middle;background:#f6f8fa;border-radius:3px}
            .spark polyline{fill:none;stroke:#0969da;stroke-width:1.5}
            .details{color:#59636e;word-break:break-word}
            .msg{color:#59636e;font-size:.85rem;overflow-wrap:anywhere;margin-top:2px}
            .empty{color:#59636e;font-style:italic}
            @media (max-width:640px){
              body{padding:8px}
              table.cards,table.cards tbody,table.cards tr,table.cards td{display:block;width:auto}
              table.cards thead{display:none}
              table.cards tr{border:1px solid #d1d9e0;border-radius:6px;margin:0 0 8px;background:#fff}
              table.cards td{border:0;padding:3px 8px;text-align:left}
              table.cards td[data-label]::before{content:attr(data-label) ": ";font-weight:600;color:#59636e}
              table.cards td.name{font-weight:700;font-size:1rem;padding-top:8px}
            }
            """;

    private StatusPage() {}

    public static String render(StatusReport r) {
        var out = new StringBuilder(16_384);
        out.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                .append("<meta http-equiv=\"refresh\" content=\"")
                .append(REFRESH_SECONDS)
                .append("\">\n<title>Vantage status</title>\n<style>")
                .append(CSS)
                .append(ResultBar.CSS)
                .append("</style>\n</head>\n<body>\n<h1>Vantage status</h1>\n")
                .append("<p class=\"meta\">As of <time datetime=\"")
                .append(r.generatedAt())
                .append("\">")
                .append(TIME.format(r.generatedAt()))
                .append("</time>; refreshes every ")
                .append(REFRESH_SECONDS)
                .append(" s.</p>\n");
        summary(r, out);
        monitors(r, out);
        maintenance(r.maintenance(), out);
        incidents("Open incidents", "open-incidents", r.openIncidents(), "No open incidents.", out);
        incidents(
                "Resolved in the last 24 h",
                "recent-incidents",
                r.recentIncidents(),
                "No incident resolved in the last 24 h.",
                out);
        invalid(r.invalidConfig(), out);
        agents(r, out);
        out.append("</body>\n</html>\n");
        return out.toString();
    }

    private static void summary(StatusReport r, StringBuilder out) {
        long failing = r.monitors().stream().filter(Monitor::failing).count();
        if (r.evaluation().stalled()) {
            // Stale states under an "All operational" line would be the silence this banner exists to prevent.
            out.append("<p class=\"summary bad\" id=\"evaluation\">")
                    .append(Html.text(capitalized(r.evaluation().details())))
                    .append(": the states below are not being updated</p>\n");
        }
        if (failing == 0 && r.evaluation().stalled()) {
            return;
        }
        if (failing == 0) {
            out.append("<p class=\"summary ok\" id=\"summary\">All monitors operational</p>\n");
        } else {
            out.append("<p class=\"summary bad\" id=\"summary\">")
                    .append(failing)
                    .append(failing == 1 ? " monitor" : " monitors")
                    .append(" down or without data</p>\n");
        }
    }

    private static String capitalized(String s) {
        return s == null || s.isEmpty() ? "" : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }

    private static void monitors(StatusReport r, StringBuilder out) {
        out.append("<h2>Monitors</h2>\n");
        if (r.monitors().isEmpty()) {
            out.append("<p class=\"empty\">No monitors configured.</p>\n");
            return;
        }
        out.append("<div class=\"scroll\"><table class=\"cards\" id=\"monitors\">\n<thead><tr>")
                .append("<th>Monitor</th><th>State</th><th>Datacenters</th><th class=\"num\">Uptime 24 h</th>")
                .append("<th>Latency 24 h (p50)</th><th class=\"num\">p50 / p95 1 h</th>")
                .append("<th class=\"num\">Last heartbeat</th><th>Details</th></tr></thead>\n<tbody>\n");
        for (Monitor m : r.monitors()) {
            out.append("<tr data-monitor-id=\"")
                    .append(m.id())
                    .append("\">")
                    .append("<td class=\"name\">")
                    .append(text(m.name()))
                    .append("</td><td data-label=\"State\">")
                    .append(badge(m.state(), null));
            if (m.flapping()) {
                out.append(" <span class=\"st st-PARTIAL\">flapping</span>");
            }
            if (m.isPush()) {
                pushCell(m, out);
            } else {
                out.append("</td><td data-label=\"Datacenters\">");
                if (m.datacenters().isEmpty()) {
                    out.append("<span class=\"empty\">none assigned</span>");
                }
                for (DatacenterState d : m.datacenters()) {
                    out.append(ResultBar.datacenter(d));
                }
            }
            out.append("</td><td class=\"num\" data-label=\"Uptime 24 h\">")
                    .append(text(StatusTable.percent(m.uptime24hPercent())))
                    .append("</td><td data-label=\"Latency 24 h\">")
                    .append(sparkline(m))
                    .append("</td><td class=\"num\" data-label=\"p50 / p95\">")
                    .append(text(StatusTable.ms(m.p50Ms())))
                    .append(" / ")
                    .append(text(StatusTable.ms(m.p95Ms())))
                    .append("</td><td class=\"num\" data-label=\"Last heartbeat\">")
                    .append(
                            m.lastHeartbeatAgeSeconds() == null
                                    ? "never"
                                    : Ages.words(m.lastHeartbeatAgeSeconds()) + " ago")
                    .append("</td><td class=\"details\" data-label=\"Details\">")
                    .append(text(m.details()))
                    .append("</td></tr>\n");
        }
        out.append("</tbody></table></div>\n");
    }

    /**
     * A push monitor in place of its datacenter cells: its last beat and its last message (already cut and masked by
     * the report, escaped here). Appended after the state cell's content, it closes that cell.
     */
    private static void pushCell(Monitor m, StringBuilder out) {
        out.append("</td><td class=\"push\" data-label=\"Push\">").append(text(StatusTable.lastBeat(m)));
        if (m.lastMessage() != null) {
            out.append("<div class=\"msg\">last message: ")
                    .append(text(m.lastMessage()))
                    .append("</div>");
        }
        out.append(ResultBar.push(m));
    }

    /** A state as a coloured badge whose text says it: {@code VA DOWN}. */
    static String badge(String state, String code) {
        String cls = STATES.contains(state) ? state : StatusReport.State.UNKNOWN;
        String label = code == null ? state : code + " " + state;
        return "<span class=\"st st-" + cls + "\" title=\"" + text(label) + "\">" + text(label) + "</span>";
    }

    /**
     * The monitor's hourly p50 series; while fewer than {@link ResultBar#HOURS_FOR_HOURLY} hours have data (a monitor
     * added minutes ago), the per-minute medians of its recent results instead, so that the line shows something from
     * the second minute on.
     */
    static String sparkline(Monitor m) {
        List<Double> minutes = ResultBar.minuteMedians(m);
        if (!minutes.isEmpty()) {
            return sparkline(minutes, "p50 latency per minute over the last " + minutes.size() + " minutes with data");
        }
        return sparkline(m.latency24h());
    }

    /**
     * The hourly p50 series as an inline SVG polyline, scaled to its own range; an hour without data breaks the line.
     */
    static String sparkline(List<LatencyBucket> buckets) {
        return sparkline(buckets.stream().map(LatencyBucket::p50Ms).toList(), "p50 latency per hour over 24 h");
    }

    /** {@code values} (null: a gap) as an inline SVG polyline scaled to its own range, labelled {@code what}. */
    private static String sparkline(List<Double> values, String what) {
        double min = Double.MAX_VALUE;
        double max = -Double.MAX_VALUE;
        for (Double v : values) {
            if (v != null) {
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
        }
        if (min == Double.MAX_VALUE) {
            return "<span class=\"empty\">no data</span>";
        }
        final int w = 120;
        final int h = 28;
        double range = max - min;
        var svg = new StringBuilder();
        String label = what + ", " + StatusTable.ms(min) + " to " + StatusTable.ms(max);
        svg.append("<svg class=\"spark\" width=\"")
                .append(w)
                .append("\" height=\"")
                .append(h)
                .append("\" viewBox=\"0 0 ")
                .append(w)
                .append(' ')
                .append(h)
                .append("\" role=\"img\" aria-label=\"")
                .append(text(label))
                .append("\"><title>")
                .append(text(label))
                .append("</title>");
        var points = new StringBuilder();
        int n = values.size();
        for (int i = 0; i < n; i++) {
            Double v = values.get(i);
            if (v == null) {
                flush(points, svg);
                continue;
            }
            double x = n == 1 ? w / 2.0 : 1 + i * (w - 2.0) / (n - 1);
            double y = range == 0 ? h / 2.0 : (h - 2) - (v - min) / range * (h - 4);
            points.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
        }
        flush(points, svg);
        return svg.append("</svg>").toString();
    }

    private static void flush(StringBuilder points, StringBuilder svg) {
        if (points.isEmpty()) {
            return;
        }
        String p = points.toString().strip();
        if (!p.contains(" ")) {
            // A single point: draw it as a dot, a polyline of one point is invisible.
            String[] xy = p.split(",");
            svg.append("<circle cx=\"")
                    .append(xy[0])
                    .append("\" cy=\"")
                    .append(xy[1])
                    .append("\" r=\"1.5\" fill=\"#0969da\"/>");
        } else {
            svg.append("<polyline points=\"").append(p).append("\"/>");
        }
        points.setLength(0);
    }

    private static void incidents(String title, String id, List<Incident> incidents, String none, StringBuilder out) {
        out.append("<h2>").append(title).append("</h2>\n");
        if (incidents.isEmpty()) {
            out.append("<p class=\"empty\" id=\"")
                    .append(id)
                    .append("\">")
                    .append(none)
                    .append("</p>\n");
            return;
        }
        out.append("<div class=\"scroll\"><table class=\"cards\" id=\"")
                .append(id)
                .append("\">\n<thead><tr><th>Monitor</th><th>Scope</th><th>Datacenters</th><th>Opened</th>")
                .append("<th>Duration</th><th>Error</th></tr></thead>\n<tbody>\n");
        for (Incident i : incidents) {
            out.append("<tr><td class=\"name\">")
                    .append(i.monitor() == null ? "Datacenter lost" : text(i.monitor()))
                    .append("</td><td data-label=\"Scope\">")
                    .append(text(i.scope()))
                    .append("</td><td data-label=\"Datacenters\">")
                    .append(i.datacenters().isEmpty() ? "-" : text(String.join(", ", i.datacenters())))
                    .append("</td><td data-label=\"Opened\">")
                    .append(time(i.openedAt()))
                    .append("</td><td data-label=\"Duration\">")
                    .append(Ages.words(i.durationSeconds()))
                    .append(i.resolvedAt() == null ? " so far" : "")
                    .append("</td><td class=\"details\" data-label=\"Error\">")
                    .append(text(i.errorType()))
                    .append(i.errorType() != null && i.errorMessage() != null ? ": " : "")
                    .append(text(i.errorMessage()))
                    .append("</td></tr>\n");
        }
        out.append("</tbody></table></div>\n");
    }

    /** Active and upcoming maintenance windows: a short section, only when there is one. */
    private static void maintenance(List<StatusReport.Window> windows, StringBuilder out) {
        if (windows.isEmpty()) {
            return;
        }
        out.append("<h2>Maintenance</h2>\n<div class=\"scroll\"><table class=\"cards\" id=\"maintenance\">\n")
                .append("<thead><tr><th>Reason</th><th>State</th><th>From</th><th>Until</th><th>Scope</th></tr>")
                .append("</thead>\n<tbody>\n");
        for (var w : windows) {
            out.append("<tr><td class=\"name\">")
                    .append(text(w.reason() + (w.weekly() ? " (weekly)" : "")))
                    .append("</td><td data-label=\"State\">")
                    .append(w.active() ? "active" : "upcoming")
                    .append("</td><td data-label=\"From\">")
                    .append(TIME.format(w.from()))
                    .append("</td><td data-label=\"Until\">")
                    .append(TIME.format(w.until()))
                    .append("</td><td class=\"details\" data-label=\"Scope\">")
                    .append(text(w.scope()))
                    .append("</td></tr>\n");
        }
        out.append("</tbody></table></div>\n");
    }

    private static void invalid(List<InvalidRow> invalid, StringBuilder out) {
        if (invalid.isEmpty()) {
            return;
        }
        out.append("<h2>Invalid configuration</h2>\n<div class=\"scroll\"><table class=\"cards\" id=\"invalid\">\n")
                .append("<thead><tr><th>Row</th><th>Kind</th><th>Reason</th></tr></thead>\n<tbody>\n");
        for (InvalidRow i : invalid) {
            out.append("<tr><td class=\"name\">")
                    .append(text(i.name()))
                    .append(" (#")
                    .append(i.id())
                    .append(")</td><td data-label=\"Kind\">")
                    .append(text(i.kind()))
                    .append("</td><td class=\"details\" data-label=\"Reason\">")
                    .append(text(i.reason()))
                    .append("</td></tr>\n");
        }
        out.append("</tbody></table></div>\n");
    }

    private static void agents(StatusReport r, StringBuilder out) {
        out.append("<h2>Agents</h2>\n");
        if (r.agents().isEmpty()) {
            out.append("<p class=\"empty\">No agent seen in the last hour.</p>\n");
            return;
        }
        out.append("<div class=\"scroll\"><table class=\"cards\" id=\"agents\">\n<thead><tr><th>Agent</th>")
                .append(
                        "<th>Datacenter</th><th>Role</th><th>Epoch / shards</th><th>Last seen</th></tr></thead>\n<tbody>\n");
        for (var a : r.agents()) {
            out.append("<tr><td class=\"name\">")
                    .append(text(a.name()))
                    .append("</td><td data-label=\"Datacenter\">")
                    .append(text(a.datacenter()))
                    .append("</td><td data-label=\"Role\">")
                    .append(text(a.role()))
                    .append("</td><td data-label=\"Epoch / shards\">")
                    .append(text(StatusTable.leases(a)))
                    .append("</td><td data-label=\"Last seen\">")
                    .append(Ages.words(a.lastSeenAgeSeconds()))
                    .append(" ago</td></tr>\n");
        }
        out.append("</tbody></table></div>\n");
    }

    private static String time(Instant t) {
        return "<time datetime=\"" + t + "\">" + TIME.format(t) + "</time>";
    }
}
