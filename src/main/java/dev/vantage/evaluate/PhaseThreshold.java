package dev.vantage.evaluate;

import java.util.Objects;

/**
 * One {@code phase_thresholds} row: a success whose {@code phase} took longer than {@code warningMs} is slow.
 *
 * @param datacenterId the datacenter it applies to, or null for every datacenter of the monitor (a datacenter's own
 *     threshold of the same phase overrides it)
 */
public record PhaseThreshold(Phase phase, Integer datacenterId, double warningMs) {
    public PhaseThreshold {
        Objects.requireNonNull(phase, "phase");
        if (!(warningMs > 0) || Double.isInfinite(warningMs)) {
            throw new IllegalArgumentException(
                    "warning_ms of the " + phase.column() + " threshold must be positive and finite, was " + warningMs);
        }
    }
}
