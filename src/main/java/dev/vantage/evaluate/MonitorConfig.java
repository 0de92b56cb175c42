package dev.vantage.evaluate;

import java.util.List;
import java.util.Set;

/**
 * A monitor as the evaluator sees it: enabled, with its policy and the datacenters that run it.
 *
 * @param datacenters ids of the datacenters that run it ({@code datacenter_monitors})
 * @param channels ids of the enabled, valid channels it notifies (its own, or the default channels)
 */
public record MonitorConfig(
        int monitorId, String name, Policy policy, Set<Integer> datacenters, List<Integer> channels) {
    public MonitorConfig {
        datacenters = Set.copyOf(datacenters);
        channels = List.copyOf(channels);
    }
}
