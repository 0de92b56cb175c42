package dev.vantage.probe;

/**
 * Durations of one probe in fractional milliseconds, rounded to the microsecond. A phase that did not happen is
 * {@code null}, never 0 (a request to an IP literal has no DNS phase; plain HTTP has no TLS phase; a refused connection
 * has no first byte).
 *
 * <p>The phases are consecutive: {@code dns + connect + tls + (request write) + serverProcessing + transfer} adds up to
 * {@code total} up to the request write time and rounding. {@code timeToFirstByte} is cumulative from the start of the
 * probe, as curl's {@code time_starttransfer}; {@code redirect} is the time spent on redirect hops before the final
 * request started (curl's {@code time_redirect}); the phases describe the final request.
 *
 * @param dns name resolution
 * @param connect TCP connect
 * @param tls TLS handshake
 * @param serverProcessing request fully written until the first response byte
 * @param transfer first response byte until the last body byte read
 * @param timeToFirstByte probe start until the first response byte (cumulative)
 * @param total probe start until the end of the probe
 * @param redirect redirect hops before the final request
 */
public record PhaseTimings(
        Double dns,
        Double connect,
        Double tls,
        Double serverProcessing,
        Double transfer,
        Double timeToFirstByte,
        Double total,
        Double redirect) {

    public static final PhaseTimings NONE = new PhaseTimings(null, null, null, null, null, null, null, null);

    /** Nanoseconds to milliseconds with microsecond resolution. */
    public static double millis(long nanos) {
        return Math.round(nanos / 1_000.0) / 1_000.0;
    }

    /** Milliseconds between two {@link System#nanoTime()} stamps, or null if either was never stamped (0). */
    public static Double between(long startNanos, long endNanos) {
        if (startNanos == 0 || endNanos == 0) {
            return null;
        }
        return millis(endNanos - startNanos);
    }
}
