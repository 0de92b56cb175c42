package dev.vantage.evaluate;

/** Names one per-datacenter {@code monitor_states} row. */
public record DatacenterKey(int monitorId, int datacenterId) {}
