package dev.vantage.probe;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Renders one {@link ProbeResult} for people, like httpstat: the phases one by one, then the cumulative times as curl
 * names them ({@code -w '%{time_namelookup}'} etc.), then what came back. A pure function, so the text is tested
 * exactly.
 *
 * <p>The cumulative times start at the probe's start and include the redirect hops; a phase that did not happen adds
 * nothing, and a time whose moment never came prints as {@code -}. What only the type knows ({@link
 * ProbeResult#details()}) follows, one key a line. With redirects, curl sums each hop's own
 * namelookup/connect/pretransfer times instead, so only starttransfer and total compare with curl then.
 */
public final class PhaseReport {
    private PhaseReport() {}

    public static String render(String target, ProbeResult r) {
        PhaseTimings t = r.timings();
        double base = orZero(t.redirect());
        Double namelookup = t.dns() == null ? null : base + t.dns();
        Double connect = t.connect() == null ? null : base + orZero(t.dns()) + t.connect();
        Double pretransfer = connect == null ? null : connect + orZero(t.tls());

        StringBuilder out = new StringBuilder();
        out.append("Probe of ").append(target).append("\n\n");
        line(out, "DNS lookup", t.dns());
        line(out, "TCP connection", t.connect());
        line(out, "TLS handshake", t.tls());
        line(out, "Server processing", t.serverProcessing());
        line(out, "Content transfer", t.transfer());
        out.append('\n');
        line(out, "namelookup", namelookup);
        line(out, "connect", connect);
        line(out, "pretransfer", pretransfer);
        line(out, "starttransfer", t.timeToFirstByte());
        line(out, "total", t.total());
        if (t.redirect() != null) {
            line(out, "redirect", t.redirect());
        }
        out.append('\n');
        field(out, "status", r.statusCode() == null ? "-" : r.statusCode().toString());
        field(out, "remote address", r.remoteAddress() == null ? "-" : r.remoteAddress());
        field(out, "size", r.responseSizeBytes() == null ? "-" : r.responseSizeBytes() + " bytes");
        field(out, "redirects", Integer.toString(r.redirects()));
        field(out, "result", r.success() ? "OK" : r.errorType() + ": " + r.errorMessage());
        if (!r.details().isEmpty()) {
            out.append('\n');
            for (var e : r.details().entrySet()) {
                field(out, e.getKey(), text(e.getValue()));
            }
        }
        return out.toString();
    }

    /** A details value for people: text as it is, a list one item after another, a map as JSON. */
    private static String text(Object value) {
        return switch (value) {
            case String s -> s;
            case List<?> list ->
                list.isEmpty()
                        ? "-"
                        : String.join(", ", list.stream().map(PhaseReport::text).toList());
            case Map<?, ?> map -> map.isEmpty() ? "{}" : ProbeDetails.json(map);
            default -> String.valueOf(value);
        };
    }

    private static double orZero(Double d) {
        return d == null ? 0 : d;
    }

    private static void line(StringBuilder out, String label, Double millis) {
        String value = millis == null ? "-" : String.format(Locale.ROOT, "%.3f ms", millis);
        out.append(String.format(Locale.ROOT, "  %-18s %14s%n", label, value));
    }

    private static void field(StringBuilder out, String label, String value) {
        out.append(String.format(Locale.ROOT, "  %-18s %s%n", label, value));
    }
}
