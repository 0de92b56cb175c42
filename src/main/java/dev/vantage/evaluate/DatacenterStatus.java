package dev.vantage.evaluate;

import dev.vantage.probe.TargetText;
import java.time.Instant;
import java.util.Objects;

/**
 * The state of one monitor in one datacenter: a {@code monitor_states} row with a datacenter id. Immutable; the
 * evaluator replaces it.
 *
 * @param since when the state began
 * @param lastScheduledAt the slot of the newest heartbeat applied (null before any); older heartbeats are ignored
 * @param failingSince the slot of the first failure of the current run of failures, null after a success
 * @param maintenance whether a maintenance window covers it: the row then shows MAINTENANCE ({@link #shownState()})
 *     and keeps {@code state}, what the heartbeats say, in {@code underlying_state}
 */
public record DatacenterStatus(
        int monitorId,
        int datacenterId,
        State state,
        Instant since,
        int consecutiveFailures,
        int consecutiveSuccesses,
        int consecutiveSlow,
        Instant lastScheduledAt,
        Boolean lastSuccess,
        Double lastResponseTimeMs,
        String lastErrorType,
        String lastErrorMessage,
        Instant failingSince,
        String firstErrorType,
        String firstErrorMessage,
        String details,
        boolean maintenance) {

    public DatacenterStatus {
        Objects.requireNonNull(state, "state");
        // Rows written by an older version may hold texts of any size; new ones are already short enough.
        lastErrorType = TargetText.cut(lastErrorType, TargetText.TYPE_CHARS);
        lastErrorMessage = TargetText.cut(lastErrorMessage);
        firstErrorType = TargetText.cut(firstErrorType, TargetText.TYPE_CHARS);
        firstErrorMessage = TargetText.cut(firstErrorMessage);
        details = TargetText.cut(details, TargetText.SENTENCE_CHARS);
        Objects.requireNonNull(since, "since");
        if (state == State.PARTIAL || state == State.MAINTENANCE) {
            throw new IllegalArgumentException(state + " is never a datacenter's own state");
        }
    }

    /** Outside maintenance. */
    public DatacenterStatus(
            int monitorId,
            int datacenterId,
            State state,
            Instant since,
            int consecutiveFailures,
            int consecutiveSuccesses,
            int consecutiveSlow,
            Instant lastScheduledAt,
            Boolean lastSuccess,
            Double lastResponseTimeMs,
            String lastErrorType,
            String lastErrorMessage,
            Instant failingSince,
            String firstErrorType,
            String firstErrorMessage,
            String details) {
        this(
                monitorId,
                datacenterId,
                state,
                since,
                consecutiveFailures,
                consecutiveSuccesses,
                consecutiveSlow,
                lastScheduledAt,
                lastSuccess,
                lastResponseTimeMs,
                lastErrorType,
                lastErrorMessage,
                failingSince,
                firstErrorType,
                firstErrorMessage,
                details,
                false);
    }

    /** What {@code monitor_states.state} shows: MAINTENANCE while a window covers it, else {@link #state()}. */
    public State shownState() {
        return maintenance ? State.MAINTENANCE : state;
    }

    /** A datacenter that has sent nothing yet: UNKNOWN from {@code now}. */
    public static DatacenterStatus noData(int monitorId, int datacenterId, Instant now) {
        return new DatacenterStatus(
                monitorId,
                datacenterId,
                State.UNKNOWN,
                now,
                0,
                0,
                0,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                "no data yet");
    }
}
