package dev.vantage.store;

import java.util.List;

/**
 * An enabled monitor as {@code vantage monitor} evaluates it: its schedule interval, its policy columns (null for the
 * default), the datacenters that run it and the channels linked to it.
 *
 * @param push whether its type is {@code push}: beats come to it, no datacenter probes it
 * @param notifyDegradedAfter {@code notify_degraded_after}: null when slowness is only shown
 * @param dependsOn the monitors it depends on ({@code monitor_dependencies})
 */
public record MonitorPolicyRow(
        int id,
        String name,
        String url,
        boolean push,
        int intervalSeconds,
        Integer downAfter,
        Integer upAfter,
        Integer degradedAfter,
        Integer graceSeconds,
        Integer quorum,
        Integer flapChanges,
        Integer flapWindowMinutes,
        List<Integer> datacenters,
        List<Integer> channels,
        Integer notifyDegradedAfter,
        List<Integer> dependsOn) {
    public MonitorPolicyRow {
        datacenters = List.copyOf(datacenters);
        channels = List.copyOf(channels);
        dependsOn = List.copyOf(dependsOn);
    }
}
