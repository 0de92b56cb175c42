package dev.vantage.heartbeat;

import dev.vantage.probe.ProbeResult;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * One probe as a row of {@code api_heartbeats}: the slot it fills, who ran it, and its result.
 *
 * @param monitorId api_monitors.id
 * @param datacenterId datacenters.id
 * @param agentId agents.id of the process that ran it
 * @param leaseEpoch the datacenter lease epoch held while probing, null before leases
 * @param scheduledAt the slot on the monitor's grid; with monitor and datacenter, the row's unique key
 * @param result what the probe found
 * @param warningThresholdMs schedules.thresholds_warning at probe time
 * @param criticalThresholdMs schedules.thresholds_critical at probe time
 * @param requestHeaderNames names of the request headers sent (values are secrets and are never stored)
 */
public record Heartbeat(
        long monitorId,
        int datacenterId,
        Integer agentId,
        Long leaseEpoch,
        Instant scheduledAt,
        ProbeResult result,
        Integer warningThresholdMs,
        Integer criticalThresholdMs,
        List<String> requestHeaderNames) {

    public Heartbeat {
        Objects.requireNonNull(scheduledAt, "scheduledAt");
        Objects.requireNonNull(result, "result");
        requestHeaderNames = requestHeaderNames == null ? List.of() : List.copyOf(requestHeaderNames);
    }
}
