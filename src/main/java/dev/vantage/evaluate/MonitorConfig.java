package dev.vantage.evaluate;

import java.util.List;
import java.util.Set;

/**
 * A monitor as the evaluator sees it: enabled, with its policy and the datacenters that run it.
 *
 * @param datacenters ids of the datacenters that run it ({@code datacenter_monitors})
 * @param channels ids of the enabled, valid channels it notifies (its own, or the default channels)
 * @param dependsOn ids of the monitors it depends on ({@code monitor_dependencies}); while one of them fails, this
 *     monitor going DOWN is suppressed. Ids of monitors not configured (disabled, removed) are ignored.
 */
public record MonitorConfig(
        int monitorId,
        String name,
        Policy policy,
        Set<Integer> datacenters,
        List<Integer> channels,
        Set<Integer> dependsOn) {
    public MonitorConfig {
        datacenters = Set.copyOf(datacenters);
        channels = List.copyOf(channels);
        dependsOn = Set.copyOf(dependsOn);
    }

    /** A monitor that depends on no other. */
    public MonitorConfig(int monitorId, String name, Policy policy, Set<Integer> datacenters, List<Integer> channels) {
        this(monitorId, name, policy, datacenters, channels, Set.of());
    }
}
