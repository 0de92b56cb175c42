package dev.vantage.heartbeat;

import java.time.Instant;
import java.util.Objects;

/**
 * A beat a monitored job sent, as a row of {@code api_heartbeats}: datacenter {@value #DATACENTER_ID}, no agent, no
 * lease epoch, no probe phases.
 *
 * @param monitorId api_monitors.id of the push monitor
 * @param key the row's scheduled_at: the receive time at microsecond precision, made unique per monitor by the
 *     receiver (with monitor and datacenter, the row's unique key, so a replay of the same beat writes nothing)
 * @param receivedAt when the beat was received (executed_at)
 * @param kind what it reports; success is false for {@link BeatKind#FAIL} alone
 * @param durationMs the run's duration in ms when a start was paired with this success or fail (response_time_ms),
 *     else null
 * @param errorType FAIL or EXIT_STATUS for a fail beat, null for any other
 * @param errorMessage a description of the failure for people, e.g. {@code exit status 3}; null without errorType
 * @param message what the sender sent with the beat, already cut to its bound; null for none
 * @param detailsJson how the beat came, a JSON object; null for none
 */
public record PushedBeat(
        int monitorId,
        Instant key,
        Instant receivedAt,
        BeatKind kind,
        Double durationMs,
        String errorType,
        String errorMessage,
        String message,
        String detailsJson) {

    /** api_heartbeats.datacenter_id of every pushed beat: 0 is never a datacenter's id. */
    public static final int DATACENTER_ID = 0;

    public PushedBeat {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(receivedAt, "receivedAt");
        Objects.requireNonNull(kind, "kind");
        if ((kind == BeatKind.FAIL) != (errorType != null)) {
            throw new IllegalArgumentException("a fail beat, and only a fail beat, has an error type: " + kind);
        }
        if (errorType == null && errorMessage != null) {
            throw new IllegalArgumentException("an error message needs an error type");
        }
        if (durationMs != null && (durationMs < 0 || durationMs.isNaN() || durationMs.isInfinite())) {
            throw new IllegalArgumentException("durationMs must be a finite number of 0 or more, was " + durationMs);
        }
    }

    public boolean success() {
        return kind != BeatKind.FAIL;
    }
}
