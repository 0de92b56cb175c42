package dev.vantage.evaluate;

import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * A monitor as the evaluator sees it: enabled, with its policy and the datacenters that run it.
 *
 * @param datacenters ids of the datacenters that run it ({@code datacenter_monitors})
 * @param channels ids of the enabled, valid channels it notifies (its own, or the default channels)
 * @param notifyDegradedAfter slots a datacenter stays DEGRADED (slow) before a degraded incident notifies
 *     ({@code api_monitors.notify_degraded_after}); null: DEGRADED is only shown
 * @param phaseThresholds its {@code phase_thresholds} rows, at most one per phase and datacenter (or all of them)
 * @param dependsOn ids of the monitors it depends on ({@code monitor_dependencies}); while one of them fails, this
 *     monitor going DOWN is suppressed. Ids of monitors not configured (disabled, removed) are ignored.
 */
public record MonitorConfig(
        int monitorId,
        String name,
        Policy policy,
        Set<Integer> datacenters,
        List<Integer> channels,
        Integer notifyDegradedAfter,
        List<PhaseThreshold> phaseThresholds,
        Set<Integer> dependsOn) {
    public MonitorConfig {
        dependsOn = Set.copyOf(dependsOn);
        datacenters = Set.copyOf(datacenters);
        channels = List.copyOf(channels);
        phaseThresholds = List.copyOf(phaseThresholds);
        if (notifyDegradedAfter != null && notifyDegradedAfter < 1) {
            throw new IllegalArgumentException("notify_degraded_after of monitor " + monitorId
                    + " must be at least 1, was " + notifyDegradedAfter);
        }
        for (int i = 0; i < phaseThresholds.size(); i++) {
            for (int j = 0; j < i; j++) {
                PhaseThreshold a = phaseThresholds.get(i);
                PhaseThreshold b = phaseThresholds.get(j);
                if (a.phase() == b.phase() && java.util.Objects.equals(a.datacenterId(), b.datacenterId())) {
                    throw new IllegalArgumentException("monitor " + monitorId + " has two "
                            + a.phase().column()
                            + " thresholds for "
                            + (a.datacenterId() == null ? "every datacenter" : "datacenter " + a.datacenterId()));
                }
            }
        }
    }

    /** Without slow-response notices, phase thresholds nor dependencies. */
    public MonitorConfig(int monitorId, String name, Policy policy, Set<Integer> datacenters, List<Integer> channels) {
        this(monitorId, name, policy, datacenters, channels, null, List.of(), Set.of());
    }

    /** With slow-response notices or phase thresholds, without dependencies. */
    public MonitorConfig(
            int monitorId,
            String name,
            Policy policy,
            Set<Integer> datacenters,
            List<Integer> channels,
            Integer notifyDegradedAfter,
            List<PhaseThreshold> phaseThresholds) {
        this(monitorId, name, policy, datacenters, channels, notifyDegradedAfter, phaseThresholds, Set.of());
    }

    /** With dependencies only. */
    public MonitorConfig(
            int monitorId,
            String name,
            Policy policy,
            Set<Integer> datacenters,
            List<Integer> channels,
            Set<Integer> dependsOn) {
        this(monitorId, name, policy, datacenters, channels, null, List.of(), dependsOn);
    }

    static final double[] NO_PHASES = new double[0];

    /**
     * The warning thresholds that apply in one datacenter, indexed by {@link Phase} ordinal, NaN where none does: the
     * datacenter's own row of a phase, else the row for every datacenter. Empty when none applies at all, so that the
     * hot path skips the phases at no cost.
     */
    double[] phaseWarningMs(int datacenterId) {
        if (phaseThresholds.isEmpty()) {
            return NO_PHASES;
        }
        double[] limits = new double[Phase.values().length];
        Arrays.fill(limits, Double.NaN);
        boolean any = false;
        for (PhaseThreshold t : phaseThresholds) {
            if (t.datacenterId() == null && Double.isNaN(limits[t.phase().ordinal()])) {
                limits[t.phase().ordinal()] = t.warningMs();
                any = true;
            }
        }
        for (PhaseThreshold t : phaseThresholds) {
            if (t.datacenterId() != null && t.datacenterId() == datacenterId) {
                limits[t.phase().ordinal()] = t.warningMs();
                any = true;
            }
        }
        return any ? limits : NO_PHASES;
    }
}
