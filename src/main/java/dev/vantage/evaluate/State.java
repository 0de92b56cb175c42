package dev.vantage.evaluate;

/**
 * A state as stored in {@code monitor_states.state}. A datacenter state is UP, DEGRADED, DOWN or UNKNOWN; a monitor's
 * global state may also be PARTIAL (some datacenters DOWN, fewer than the quorum). MAINTENANCE is shown while a
 * maintenance window covers a datacenter (or every datacenter of a monitor, for its global state); the evaluator keeps
 * the datacenter's own state underneath ({@link DatacenterStatus#state()}).
 */
public enum State {
    UP,
    DEGRADED,
    PARTIAL,
    DOWN,
    UNKNOWN,
    MAINTENANCE
}
