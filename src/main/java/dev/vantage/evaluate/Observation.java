package dev.vantage.evaluate;

import java.time.Instant;

/**
 * What the evaluator needs of one heartbeat ({@code api_heartbeats} row).
 *
 * @param warningMs the warning threshold in force when the probe ran ({@code warning_threshold_ms}), or null
 * @param criticalMs the critical threshold in force when the probe ran ({@code critical_threshold_ms}), or null
 */
public record Observation(
        long heartbeatId,
        int monitorId,
        int datacenterId,
        Instant scheduledAt,
        boolean success,
        Double responseTimeMs,
        Integer warningMs,
        Integer criticalMs,
        String errorType,
        String errorMessage) {}
