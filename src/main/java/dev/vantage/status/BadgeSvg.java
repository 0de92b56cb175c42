package dev.vantage.status;

import dev.vantage.probe.TargetText;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Locale;

/**
 * A badge as a flat shields.io-style SVG: a grey label on the left, a coloured value on the right, both in 11 px
 * Verdana. A pure function of its three inputs, so that a README's image is exactly what a test asserts. The label is
 * user input (a monitor's name): escaped, and cut to {@link #LABEL_CHARS} characters. No font metrics are at hand on a
 * server, so each side's width comes from a per-character estimate of Verdana's advance widths, a little generous so
 * that text never overflows its box.
 */
public final class BadgeSvg {
    static final int LABEL_CHARS = 48;
    private static final int HEIGHT = 20;
    private static final int PADDING = 6;

    /** Colours of shields.io's palette, by meaning. */
    public static final String GREEN = "#4c1";

    public static final String YELLOWGREEN = "#97ca00";
    public static final String YELLOW = "#dfb317";
    public static final String ORANGE = "#fe7d37";
    public static final String RED = "#e05d44";
    public static final String BLUE = "#007ec6";
    public static final String GREY = "#9f9f9f";
    private static final String LABEL_GREY = "#555";

    private BadgeSvg() {}

    /** The value and colour of a state badge for a {@code monitor_states.state} (null: no state yet). */
    public record Value(String text, String colour) {}

    static Value state(String state, boolean enabled) {
        if (!enabled) {
            return new Value("disabled", GREY);
        }
        if (state == null) {
            return new Value("unknown", GREY);
        }
        return switch (state) {
            case StatusReport.State.UP -> new Value("up", GREEN);
            case StatusReport.State.DEGRADED -> new Value("degraded", YELLOW);
            case StatusReport.State.PARTIAL -> new Value("partial", ORANGE);
            case StatusReport.State.DOWN -> new Value("down", RED);
            case StatusReport.State.MAINTENANCE -> new Value("maintenance", BLUE);
            default -> new Value("unknown", GREY);
        };
    }

    /**
     * The value of an uptime badge: the percentage rounded down to two decimals ({@code 99.999} reads {@code 99.99%},
     * never a flattering {@code 100%}), coloured by threshold; {@code no data} without a probe.
     */
    static Value uptime(Double percent) {
        if (percent == null) {
            return new Value("no data", GREY);
        }
        String text = percent >= 100.0
                ? "100%"
                : BigDecimal.valueOf(percent).setScale(2, RoundingMode.DOWN).toPlainString() + "%";
        String colour = percent >= 99.9
                ? GREEN
                : percent >= 99.0 ? YELLOWGREEN : percent >= 95.0 ? YELLOW : percent >= 90.0 ? ORANGE : RED;
        return new Value(text, colour);
    }

    /** The SVG document of a badge {@code label | value} with the value on {@code colour}. */
    public static String render(String label, Value value) {
        String l = TargetText.cut(label == null || label.isBlank() ? "monitor" : label.strip(), LABEL_CHARS);
        String v = value.text();
        int lw = width(l) + 2 * PADDING;
        int vw = width(v) + 2 * PADDING;
        int w = lw + vw;
        String title = Html.text(l + ": " + v);
        String le = Html.text(l);
        String ve = Html.text(v);
        String lx = tenths(lw / 2.0);
        String vx = tenths(lw + vw / 2.0);
        return """
                <svg xmlns="http://www.w3.org/2000/svg" width="%1$d" height="%2$d" role="img" aria-label="%3$s">\
                <title>%3$s</title>\
                <linearGradient id="s" x2="0" y2="100%%"><stop offset="0" stop-color="#bbb" stop-opacity=".1"/>\
                <stop offset="1" stop-opacity=".1"/></linearGradient>\
                <clipPath id="r"><rect width="%1$d" height="%2$d" rx="3" fill="#fff"/></clipPath>\
                <g clip-path="url(#r)"><rect width="%4$d" height="%2$d" fill="%5$s"/>\
                <rect x="%4$d" width="%6$d" height="%2$d" fill="%7$s"/>\
                <rect width="%1$d" height="%2$d" fill="url(#s)"/></g>\
                <g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" \
                text-rendering="geometricPrecision" font-size="11">\
                <text x="%8$s" y="15" fill="#010101" fill-opacity=".3">%9$s</text>\
                <text x="%8$s" y="14">%9$s</text>\
                <text x="%10$s" y="15" fill="#010101" fill-opacity=".3">%11$s</text>\
                <text x="%10$s" y="14">%11$s</text></g></svg>
                """
                .formatted(w, HEIGHT, title, lw, LABEL_GREY, vw, value.colour(), lx, le, vx, ve);
    }

    /** Estimated width in pixels of {@code s} in 11 px Verdana, rounded up. */
    static int width(String s) {
        double px = 0;
        for (int i = 0; i < s.length(); ) {
            int c = s.codePointAt(i);
            i += Character.charCount(c);
            px += advance(c);
        }
        return (int) Math.ceil(px);
    }

    /**
     * Verdana 11 px advance widths, grouped. Outside ASCII: a combining mark is 0, an ideograph or a symbol (emoji) a
     * full 11, anything else (accented Latin, Greek, Cyrillic, dashes) a wide letter's 8.
     */
    private static double advance(int c) {
        if (c > 0x7e) {
            int type = Character.getType(c);
            if (type == Character.NON_SPACING_MARK) {
                return 0;
            }
            return Character.isIdeographic(c) || type == Character.OTHER_SYMBOL ? 11 : 8;
        }
        if ("il.,:;'|!".indexOf(c) >= 0) {
            return 3.5;
        }
        if (" fjrt()[]{}/\\-\"`".indexOf(c) >= 0) {
            return 4.8;
        }
        if ("mw%MW@".indexOf(c) >= 0) {
            return 11;
        }
        if (Character.isUpperCase(c)) {
            return 7.8;
        }
        return 7.0; // digits, other lower case letters, other signs
    }

    private static String tenths(double x) {
        return String.format(Locale.ROOT, "%.1f", x);
    }
}
