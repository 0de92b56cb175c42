package dev.vantage.schedule;

import dev.vantage.probe.MonitorSpec;
import dev.vantage.probe.PreparedProbe;
import java.util.Objects;

/**
 * A monitor of this datacenter as the scheduler runs it. A row that failed validation is still scheduled, with
 * {@code probe == null} and the reason in {@code invalidReason}: at each of its slots it writes a heartbeat with
 * error_type INVALID_CONFIG, so that a broken row shows up as down, never as silence.
 */
public record ScheduledMonitor(
        MonitorSpec spec,
        SlotGrid grid,
        PreparedProbe<?> probe,
        String invalidReason,
        Integer warningThresholdMs,
        Integer criticalThresholdMs) {

    public ScheduledMonitor {
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(grid, "grid");
        if ((probe == null) == (invalidReason == null)) {
            throw new IllegalArgumentException("exactly one of probe and invalidReason must be set");
        }
    }

    public long id() {
        return spec.id();
    }

    public boolean valid() {
        return probe != null;
    }

    /** Same row content as {@code other}: reloading it changes nothing. */
    public boolean sameDefinitionAs(ScheduledMonitor other) {
        return other != null
                && spec.equals(other.spec)
                && Objects.equals(invalidReason, other.invalidReason)
                && Objects.equals(warningThresholdMs, other.warningThresholdMs)
                && Objects.equals(criticalThresholdMs, other.criticalThresholdMs);
    }
}
