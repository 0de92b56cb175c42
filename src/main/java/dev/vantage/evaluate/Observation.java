package dev.vantage.evaluate;

import dev.vantage.probe.TargetText;
import java.time.Instant;

/**
 * What the evaluator needs of one heartbeat ({@code api_heartbeats} row). The error texts are cut as a probe cuts them
 * ({@link TargetText}): a row may come from an older agent or a hostile login, and whatever is kept here goes into
 * states, incidents and notifications.
 *
 * @param warningMs the warning threshold in force when the probe ran ({@code warning_threshold_ms}), or null
 * @param criticalMs the critical threshold in force when the probe ran ({@code critical_threshold_ms}), or null
 * @param beatKind {@code api_heartbeats.beat_kind}: null for a probe; for a pushed beat {@code success}, {@code fail},
 *     or {@code start} and {@code log}, which change no state
 * @param warning why a successful probe still makes its datacenter DEGRADED, or null: today the certificate expiry
 *     warning a {@code tls} or https probe put in {@code details.cert_expiry_warning}
 * @param certNotAfter with a warning, the notAfter of the certificate it is about ({@code details.cert_not_after}),
 *     which names the certificate for its once-per-certificate notice; null without a warning or when unreadable
 * @param dnsLookupMs the probe's phases ({@code api_heartbeats} columns of the same names), each null when it did not
 *     happen; judged against the {@link PhaseThreshold phase thresholds}
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
        String errorMessage,
        String beatKind,
        String warning,
        Instant certNotAfter,
        Double dnsLookupMs,
        Double tcpConnectMs,
        Double tlsHandshakeMs,
        Double timeToFirstByteMs) {

    public Observation {
        errorType = TargetText.cut(errorType, TargetText.TYPE_CHARS);
        errorMessage = TargetText.cut(errorMessage);
        warning = TargetText.cut(warning);
    }

    /** A heartbeat without phase timings. */
    public Observation(
            long heartbeatId,
            int monitorId,
            int datacenterId,
            Instant scheduledAt,
            boolean success,
            Double responseTimeMs,
            Integer warningMs,
            Integer criticalMs,
            String errorType,
            String errorMessage,
            String beatKind,
            String warning,
            Instant certNotAfter) {
        this(
                heartbeatId,
                monitorId,
                datacenterId,
                scheduledAt,
                success,
                responseTimeMs,
                warningMs,
                criticalMs,
                errorType,
                errorMessage,
                beatKind,
                warning,
                certNotAfter,
                null,
                null,
                null,
                null);
    }

    /** The duration of a {@link Phase} by its ordinal, or null: no allocation, for the hot path. */
    Double phaseMs(int phase) {
        return switch (phase) {
            case 0 -> dnsLookupMs;
            case 1 -> tcpConnectMs;
            case 2 -> tlsHandshakeMs;
            case 3 -> timeToFirstByteMs;
            default -> throw new IllegalArgumentException("no phase " + phase);
        };
    }

    /** A heartbeat without a warning. */
    public Observation(
            long heartbeatId,
            int monitorId,
            int datacenterId,
            Instant scheduledAt,
            boolean success,
            Double responseTimeMs,
            Integer warningMs,
            Integer criticalMs,
            String errorType,
            String errorMessage,
            String beatKind) {
        this(
                heartbeatId,
                monitorId,
                datacenterId,
                scheduledAt,
                success,
                responseTimeMs,
                warningMs,
                criticalMs,
                errorType,
                errorMessage,
                beatKind,
                null,
                null);
    }

    /** A probe's heartbeat. */
    public Observation(
            long heartbeatId,
            int monitorId,
            int datacenterId,
            Instant scheduledAt,
            boolean success,
            Double responseTimeMs,
            Integer warningMs,
            Integer criticalMs,
            String errorType,
            String errorMessage) {
        this(
                heartbeatId,
                monitorId,
                datacenterId,
                scheduledAt,
                success,
                responseTimeMs,
                warningMs,
                criticalMs,
                errorType,
                errorMessage,
                null,
                null,
                null);
    }

    /** Whether it can change a state: every probe, and pushed beats that succeed or fail (not start or log). */
    public boolean changesState() {
        return beatKind == null || beatKind.equals("success") || beatKind.equals("fail");
    }
}
