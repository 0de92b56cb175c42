package dev.vantage.beat;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as the Go NATS heartbeat agent reads them ({@code time.ParseDuration}: {@code 15s}, {@code 1m30s},
 * {@code 500ms}, {@code 1.5h}), and also a plain number of seconds ({@code 15}), so that {@code INTERVAL} and
 * {@code GRACE} set for that agent mean the same here. Negative durations are refused: nothing in a beat can be.
 */
public final class GoDuration {
    private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d*)?|\\.\\d+)(ns|us|µs|μs|ms|s|m|h)");
    private static final Pattern SECONDS = Pattern.compile("\\d+(?:\\.\\d+)?");
    private static final Map<String, Long> NANOS_PER_UNIT = Map.of(
            "ns", 1L,
            "us", 1_000L,
            "µs", 1_000L, // U+00B5 micro sign
            "μs", 1_000L, // U+03BC Greek mu
            "ms", 1_000_000L,
            "s", 1_000_000_000L,
            "m", 60_000_000_000L,
            "h", 3_600_000_000_000L);
    /** Go's own limit: a time.Duration is an int64 of nanoseconds (about 292 years). */
    private static final BigDecimal MAX_NANOS = BigDecimal.valueOf(Long.MAX_VALUE);

    private GoDuration() {}

    /**
     * Parses {@code text}.
     *
     * @throws IllegalArgumentException with a one-line message that quotes the text and shows the accepted forms
     */
    public static Duration parse(String text) {
        String s = text == null ? "" : text.strip();
        if (SECONDS.matcher(s).matches()) {
            return nanos(new BigDecimal(s).multiply(BigDecimal.valueOf(1_000_000_000L)), text);
        }
        Matcher m = PART.matcher(s);
        BigDecimal total = BigDecimal.ZERO;
        int at = 0;
        while (at < s.length() && m.find(at) && m.start() == at) {
            total = total.add(new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(NANOS_PER_UNIT.get(m.group(2)))));
            at = m.end();
        }
        if (s.isEmpty() || at != s.length()) {
            throw invalid(text);
        }
        return nanos(total, text);
    }

    /** Go's {@code Duration.String()} form: {@code 15s}, {@code 1m30s}, {@code 1h0m0s}, {@code 500ms}, {@code 0s}. */
    public static String format(Duration d) {
        long nanos = d.toNanos();
        if (nanos == 0) {
            return "0s";
        }
        if (nanos < 1_000_000_000L) {
            if (nanos < 1_000L) {
                return nanos + "ns";
            }
            return nanos < 1_000_000L ? decimal(nanos, 1_000L) + "µs" : decimal(nanos, 1_000_000L) + "ms";
        }
        long hours = nanos / 3_600_000_000_000L;
        long minutes = nanos / 60_000_000_000L % 60;
        String seconds = decimal(nanos % 60_000_000_000L, 1_000_000_000L) + "s";
        if (hours > 0) {
            return hours + "h" + minutes + "m" + seconds;
        }
        return minutes > 0 ? minutes + "m" + seconds : seconds;
    }

    /** {@code amount / unit} without trailing zeros: 1500 / 1000 is {@code 1.5}, 2000 / 1000 is {@code 2}. */
    static String decimal(long amount, long unit) {
        BigDecimal value = BigDecimal.valueOf(amount).divide(BigDecimal.valueOf(unit));
        return value.signum() == 0 ? "0" : value.stripTrailingZeros().toPlainString();
    }

    private static Duration nanos(BigDecimal nanos, String text) {
        if (nanos.compareTo(MAX_NANOS) > 0) {
            throw new IllegalArgumentException("'" + text + "' is too long a duration");
        }
        // Go truncates fractions of a nanosecond.
        return Duration.ofNanos(nanos.setScale(0, RoundingMode.DOWN).longValueExact());
    }

    private static IllegalArgumentException invalid(String text) {
        return new IllegalArgumentException(
                "'" + text + "' is not a duration: use e.g. 15s, 1m30s, 500ms, 1h or 15 (seconds)");
    }
}
