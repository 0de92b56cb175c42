package dev.vantage.heartbeat;

import java.time.Clock;
import java.time.Duration;

/**
 * Lets through at most {@code burst} log lines per window and counts the events it suppressed, so that a flood (a
 * full queue drops thousands per second) makes one line with a count instead of thousands.
 */
public final class LogThrottle {
    private final Clock clock;
    private final long windowMillis;
    private final int burst;
    private long windowStart;
    private int linesInWindow;
    private long suppressed;
    private boolean started;

    public LogThrottle(Clock clock, Duration window, int burst) {
        this.clock = clock;
        this.windowMillis = window.toMillis();
        this.burst = burst;
    }

    /**
     * Counts one event. Returns -1 when its line must be suppressed; otherwise the number of events suppressed since
     * the last line, which that line should mention.
     */
    public synchronized long event() {
        long now = clock.millis();
        if (!started || now - windowStart >= windowMillis) {
            started = true;
            windowStart = now;
            linesInWindow = 0;
        }
        if (linesInWindow < burst) {
            linesInWindow++;
            long n = suppressed;
            suppressed = 0;
            return n;
        }
        suppressed++;
        return -1;
    }

    /**
     * The events suppressed since the last line, once the window has passed (0 otherwise): called periodically so
     * that the last counts of a flood that stopped are still reported.
     */
    synchronized long due() {
        long now = clock.millis();
        if (suppressed == 0 || now - windowStart < windowMillis) {
            return 0;
        }
        windowStart = now;
        linesInWindow = 1;
        long n = suppressed;
        suppressed = 0;
        return n;
    }

    /** The events suppressed and not reported yet, whatever the window; for a last line at shutdown. */
    synchronized long drain() {
        long n = suppressed;
        suppressed = 0;
        return n;
    }
}
