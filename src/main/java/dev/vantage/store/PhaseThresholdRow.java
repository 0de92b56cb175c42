package dev.vantage.store;

/**
 * A {@code phase_thresholds} row.
 *
 * @param datacenterId null for every datacenter of the monitor
 * @param phase the judged {@code api_heartbeats} column, e.g. {@code dns_lookup_ms}
 */
public record PhaseThresholdRow(int monitorId, Integer datacenterId, String phase, double warningMs) {}
