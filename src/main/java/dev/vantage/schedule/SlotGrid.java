package dev.vantage.schedule;

import java.time.Duration;
import java.time.Instant;

/**
 * The fixed grid of slots a monitor runs on: every {@code interval}, shifted by a stable hash of the monitor id so
 * that monitors sharing an interval do not fire together. Any replica, in any JVM, computes the same slots, which is
 * what makes {@code (monitor_id, datacenter_id, scheduled_at)} a key that a replay or a second agent cannot duplicate.
 */
public record SlotGrid(long monitorId, long intervalMillis, long offsetMillis) {

    public SlotGrid {
        if (intervalMillis <= 0) {
            throw new IllegalArgumentException("interval must be positive, was " + intervalMillis + " ms");
        }
        if (offsetMillis < 0 || offsetMillis >= intervalMillis) {
            throw new IllegalArgumentException("offset must be in [0, interval), was " + offsetMillis);
        }
    }

    public static SlotGrid of(long monitorId, Duration interval) {
        long intervalMillis = interval.toMillis();
        return new SlotGrid(monitorId, intervalMillis, Math.floorMod(mix(monitorId), intervalMillis));
    }

    /** The first slot at or after {@code t}. */
    public Instant slotAtOrAfter(Instant t) {
        long ms = t.toEpochMilli();
        boolean exact = t.getNano() % 1_000_000 == 0;
        long k = Math.floorDiv(ms - offsetMillis, intervalMillis);
        long slot = k * intervalMillis + offsetMillis;
        if (slot < ms || (slot == ms && !exact)) {
            slot += intervalMillis;
        }
        return Instant.ofEpochMilli(slot);
    }

    /** The slot after {@code slot} (which must be on this grid). */
    public Instant next(Instant slot) {
        return slot.plusMillis(intervalMillis);
    }

    public boolean isOnGrid(Instant t) {
        return t.getNano() % 1_000_000 == 0 && Math.floorMod(t.toEpochMilli() - offsetMillis, intervalMillis) == 0;
    }

    /** SplitMix64's finalizer: a fixed, well-mixed function of the id that never changes across versions. */
    static long mix(long x) {
        long z = x + 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
