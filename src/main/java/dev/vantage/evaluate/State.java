package dev.vantage.evaluate;

/**
 * A state as stored in {@code monitor_states.state}. A datacenter state is UP, DEGRADED, DOWN or UNKNOWN; a monitor's
 * global state may also be PARTIAL (some datacenters DOWN, fewer than the quorum).
 */
public enum State {
    UP,
    DEGRADED,
    PARTIAL,
    DOWN,
    UNKNOWN
}
