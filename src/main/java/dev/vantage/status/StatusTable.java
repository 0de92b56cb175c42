package dev.vantage.status;

import dev.vantage.status.StatusReport.Agent;
import dev.vantage.status.StatusReport.Incident;
import dev.vantage.status.StatusReport.InvalidRow;
import dev.vantage.status.StatusReport.Monitor;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The text form of a {@link StatusReport}, as {@code vantage status} prints it: aligned columns like {@code kubectl
 * get}, one section after another. Control characters in values (a monitor name is user input) are shown as {@code
 * ?}, so a row cannot move the cursor or change the terminal's colours.
 */
public final class StatusTable {
    private static final String GAP = "   ";

    private StatusTable() {}

    public static String render(StatusReport r) {
        var out = new StringBuilder();
        if (r.evaluation().stalled()) {
            // First, above states it makes stale.
            out.append("EVALUATION STALLED: ")
                    .append(clean(r.evaluation().details()))
                    .append("; the states below are not being updated\n\n");
        }
        monitors(r, out);
        out.append('\n');
        agents(r.agents(), out);
        if (!r.invalidConfig().isEmpty()) {
            out.append('\n');
            invalid(r.invalidConfig(), out);
        }
        if (!r.maintenance().isEmpty()) {
            out.append('\n');
            maintenance(r.maintenance(), out);
        }
        out.append('\n');
        incidents("OPEN INCIDENTS", r.openIncidents(), r, out);
        if (!r.recentIncidents().isEmpty()) {
            out.append('\n');
            incidents("RESOLVED IN THE LAST 24 H", r.recentIncidents(), r, out);
        }
        return out.toString();
    }

    private static void monitors(StatusReport r, StringBuilder out) {
        var header = new ArrayList<>(List.of("MONITOR", "STATE"));
        header.addAll(r.datacenters());
        header.addAll(List.of("LAST", "P50", "P95", "UPTIME", "DETAILS"));
        var rows = new ArrayList<List<String>>();
        rows.add(header);
        for (Monitor m : r.monitors()) {
            var row = new ArrayList<String>();
            row.add(m.name());
            row.add(m.state() + (m.flapping() ? "~" : ""));
            for (String dc : r.datacenters()) {
                row.add(m.in(dc).map(StatusReport.DatacenterState::state).orElse("-"));
            }
            row.add(m.lastHeartbeatAgeSeconds() == null ? "-" : Ages.compact(m.lastHeartbeatAgeSeconds()));
            row.add(ms(m.p50Ms()));
            row.add(ms(m.p95Ms()));
            row.add(percent(m.uptime24hPercent()));
            row.add((m.flapping() ? "flapping; " : "") + (m.isPush() ? pushDetails(m) : nonNull(m.details())));
            rows.add(row);
        }
        if (r.monitors().isEmpty()) {
            out.append("No monitors (add rows to api_monitors).\n");
            return;
        }
        align(rows, out);
    }

    /**
     * What a push monitor shows in its DETAILS, since it has no datacenter cells: why it is not UP when that says more
     * than its state, its last beat, and its last message on one line: {@code DOWN: FAIL the job reported a failure;
     * last beat 10 s ago, expected every 15 s; message: disk full}.
     */
    static String pushDetails(Monitor m) {
        var out = new StringBuilder();
        // UP says no more than the STATE column; UNKNOWN ("no beat yet") no more than the last beat.
        if (!StatusReport.State.UP.equals(m.state()) && !StatusReport.State.UNKNOWN.equals(m.state())) {
            out.append(nonNull(m.details())).append("; ");
        }
        out.append(lastBeat(m));
        if (m.lastMessage() != null) {
            out.append("; message: ").append(m.lastMessage().strip().replaceAll("\\s+", " "));
        }
        return out.toString();
    }

    /** {@code last beat 12 s ago, expected every 15 s}, or {@code no beat yet (expected every 15 s)}. */
    static String lastBeat(Monitor m) {
        String every = m.expectedEverySeconds() == null ? "?" : Ages.words(m.expectedEverySeconds());
        return m.lastHeartbeatAgeSeconds() == null
                ? "no beat yet (expected every " + every + ")"
                : "last beat " + Ages.words(m.lastHeartbeatAgeSeconds()) + " ago, expected every " + every;
    }

    private static String nonNull(String s) {
        return s == null ? "" : s;
    }

    private static void agents(List<Agent> agents, StringBuilder out) {
        out.append("AGENTS\n");
        if (agents.isEmpty()) {
            out.append("none seen in the last hour\n");
            return;
        }
        var rows = new ArrayList<List<String>>();
        rows.add(List.of("DATACENTER", "NAME", "ROLE", "EPOCH/SHARDS", "LAST SEEN", "HOST", "VERSION"));
        for (Agent a : agents) {
            rows.add(List.of(
                    a.datacenter(),
                    a.name(),
                    a.role(),
                    leases(a),
                    Ages.compact(a.lastSeenAgeSeconds()) + " ago",
                    a.hostname() == null ? "-" : a.hostname(),
                    a.version() == null ? "-" : a.version()));
        }
        align(rows, out);
    }

    /** The epoch of a datacenter's one lease, or the shards the agent leads ("shards 0-3"), or "-". */
    static String leases(Agent a) {
        if (a.shards() != null) {
            return "shards " + a.shards();
        }
        return a.epoch() == null ? "-" : Long.toString(a.epoch());
    }

    /** Active and upcoming windows: a short section, only when there is one. */
    private static void maintenance(List<StatusReport.Window> windows, StringBuilder out) {
        out.append("MAINTENANCE\n");
        var rows = new ArrayList<List<String>>();
        rows.add(List.of("ID", "STATE", "FROM", "UNTIL", "SCOPE", "REASON"));
        for (var w : windows) {
            rows.add(List.of(
                    String.valueOf(w.id()),
                    w.active() ? "active" : "upcoming",
                    minutes(w.from()),
                    minutes(w.until()),
                    w.scope(),
                    w.reason() + (w.weekly() ? " (weekly)" : "")));
        }
        align(rows, out);
    }

    private static String minutes(java.time.Instant t) {
        return java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm'Z'")
                .withZone(java.time.ZoneOffset.UTC)
                .format(t);
    }

    private static void invalid(List<InvalidRow> invalid, StringBuilder out) {
        out.append("INVALID CONFIG\n");
        var rows = new ArrayList<List<String>>();
        rows.add(List.of("KIND", "ID", "NAME", "REASON"));
        for (InvalidRow i : invalid) {
            rows.add(List.of(i.kind(), Integer.toString(i.id()), i.name(), i.reason()));
        }
        align(rows, out);
    }

    private static void incidents(String title, List<Incident> incidents, StatusReport r, StringBuilder out) {
        out.append(title).append('\n');
        if (incidents.isEmpty()) {
            out.append("none\n");
            return;
        }
        var rows = new ArrayList<List<String>>();
        rows.add(List.of("ID", "MONITOR", "SCOPE", "DATACENTERS", "OPENED", "DURATION", "ERROR"));
        for (Incident i : incidents) {
            rows.add(List.of(
                    Long.toString(i.id()),
                    i.monitor() == null ? "(datacenter lost)" : i.monitor(),
                    i.scope(),
                    i.datacenters().isEmpty() ? "-" : String.join(",", i.datacenters()),
                    Ages.compact(StatusQuery.ageSeconds(i.openedAt(), r.generatedAt())) + " ago",
                    Ages.compact(i.durationSeconds()),
                    error(i)));
        }
        align(rows, out);
    }

    private static String error(Incident i) {
        if (i.errorType() == null) {
            return i.errorMessage() == null ? "" : i.errorMessage();
        }
        return i.errorMessage() == null ? i.errorType() : i.errorType() + ": " + i.errorMessage();
    }

    /** A duration in ms: {@code 3.8ms}, {@code 188ms}; from 10 s (a push monitor's runs) {@code 12.5s}, {@code 45m}. */
    static String ms(Double v) {
        if (v == null) {
            return "-";
        }
        if (v < 10) {
            return String.format(Locale.ROOT, "%.1fms", v);
        }
        if (v < 10_000) {
            return Math.round(v) + "ms";
        }
        return v < 600_000 ? String.format(Locale.ROOT, "%.1fs", v / 1000) : Ages.compact(Math.round(v / 1000));
    }

    static String percent(Double v) {
        if (v == null) {
            return "-";
        }
        // Floor, not round: 99.996 % is not 100 %, a monitor that failed once must not read as never failing.
        return String.format(Locale.ROOT, "%.2f%%", Math.floor(v * 100) / 100);
    }

    /** Pads every column but the last to its widest cell. */
    private static void align(List<List<String>> rows, StringBuilder out) {
        int columns = rows.get(0).size();
        int[] width = new int[columns];
        for (var row : rows) {
            for (int c = 0; c < columns; c++) {
                width[c] = Math.max(width[c], clean(row.get(c)).length());
            }
        }
        for (var row : rows) {
            var line = new StringBuilder();
            for (int c = 0; c < columns; c++) {
                String cell = clean(row.get(c));
                line.append(cell);
                if (c < columns - 1) {
                    line.append(" ".repeat(width[c] - cell.length())).append(GAP);
                }
            }
            out.append(line.toString().stripTrailing()).append('\n');
        }
    }

    private static String clean(String s) {
        if (s == null) {
            return "";
        }
        return s.codePoints()
                .map(c -> Character.isISOControl(c) ? '?' : c)
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append)
                .toString();
    }
}
