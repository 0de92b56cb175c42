package dev.vantage.evaluate;

import java.time.Duration;
import java.time.Instant;

/**
 * The mutable state of one monitor in one datacenter. Mutable on purpose: {@link #apply} runs once per heartbeat and
 * allocates nothing; a {@link DatacenterStatus} snapshot is made only when the row is persisted.
 */
final class DatacenterTracker {
    final int monitorId;
    final int datacenterId;
    State state;
    Instant since;
    int failures;
    int successes;
    int slow;
    /** The warning of the last success (a certificate about to expire), or null: DEGRADED while it lasts. */
    String warning;
    /**
     * The certificate the last success warned about ({@link Observation#certNotAfter()}), or null. Not persisted: after
     * a restart it is null until the datacenter reports again. A failure leaves it: it says nothing of the certificate.
     */
    Instant warnedNotAfter;
    /**
     * The warning thresholds of the {@link Phase phases} here, by ordinal, NaN where none applies; empty without any.
     * Set at every configure, so a heartbeat compares doubles and looks nothing up.
     */
    double[] phaseWarningMs = MonitorConfig.NO_PHASES;
    /** What made the newest slow success slow: a {@link Phase} ordinal, or -1 for the response time. */
    int slowPhase = -1;
    /** The slow value (the phase's or the response time) and the threshold it passed, for texts. */
    double slowMs;

    double slowLimitMs;

    Instant lastScheduledAt;
    Boolean lastSuccess;
    Double lastResponseTimeMs;
    String lastErrorType;
    String lastErrorMessage;
    Instant failingSince;
    String firstErrorType;
    String firstErrorMessage;
    String details;

    /** A maintenance window covers it: shown as MAINTENANCE, {@link #state} goes on underneath. */
    boolean maintenance;

    /** Listed in the change log since the last drain. */
    boolean dirty;
    /** No longer configured: its row is deleted, never upserted again. */
    boolean removed;

    DatacenterTracker(DatacenterStatus s) {
        monitorId = s.monitorId();
        datacenterId = s.datacenterId();
        state = s.state();
        since = s.since();
        failures = s.consecutiveFailures();
        successes = s.consecutiveSuccesses();
        slow = s.consecutiveSlow();
        lastScheduledAt = s.lastScheduledAt();
        lastSuccess = s.lastSuccess();
        lastResponseTimeMs = s.lastResponseTimeMs();
        lastErrorType = s.lastErrorType();
        lastErrorMessage = s.lastErrorMessage();
        failingSince = s.failingSince();
        firstErrorType = s.firstErrorType();
        firstErrorMessage = s.firstErrorMessage();
        details = s.details();
        maintenance = s.maintenance();
    }

    DatacenterStatus snapshot() {
        return new DatacenterStatus(
                monitorId,
                datacenterId,
                state,
                since,
                failures,
                successes,
                slow,
                lastScheduledAt,
                lastSuccess,
                lastResponseTimeMs,
                lastErrorType,
                lastErrorMessage,
                failingSince,
                firstErrorType,
                firstErrorMessage,
                details,
                maintenance);
    }

    DatacenterKey key() {
        return new DatacenterKey(monitorId, datacenterId);
    }

    /** Whether the heartbeat's slot is not after the newest applied one (a journal replay delivering it late). */
    boolean isLate(Observation o) {
        return lastScheduledAt != null && !o.scheduledAt().isAfter(lastScheduledAt);
    }

    /** Applies a heartbeat that is not {@linkplain #isLate late}; returns whether the state changed. */
    boolean apply(Observation o, Policy policy, Texts texts) {
        Instant at = o.scheduledAt();
        if (o.success()) {
            successes++;
            failures = 0;
            failingSince = null;
            firstErrorType = null;
            firstErrorMessage = null;
            slow = judgeSlow(o) ? slow + 1 : 0;
            warning = o.warning();
            warnedNotAfter = warning != null ? o.certNotAfter() : null;
        } else {
            warning = null;
            failures++;
            successes = 0;
            slow = 0;
            if (failures == 1) {
                failingSince = at;
                firstErrorType = o.errorType();
                firstErrorMessage = o.errorMessage();
            }
        }
        lastScheduledAt = at;
        lastSuccess = o.success();
        lastResponseTimeMs = o.responseTimeMs();
        lastErrorType = o.errorType();
        lastErrorMessage = o.errorMessage();

        State next = next(o.success(), policy);
        if (next == state) {
            return false;
        }
        state = next;
        since = at;
        details = texts.datacenterDetails(this, o);
        return true;
    }

    private State next(boolean success, Policy policy) {
        if (!success) {
            // Below downAfter a failing probe leaves UP, DEGRADED and UNKNOWN as they are.
            return failures >= policy.downAfter() ? State.DOWN : state;
        }
        State up = slow >= policy.degradedAfter() || warning != null ? State.DEGRADED : State.UP;
        return switch (state) {
            case DOWN -> successes >= policy.upAfter() ? up : State.DOWN;
            case UP, UNKNOWN -> up;
            case DEGRADED -> slow == 0 && warning == null ? State.UP : State.DEGRADED;
            case PARTIAL, MAINTENANCE -> throw new IllegalStateException(state + " is never a datacenter's own state");
        };
    }

    /**
     * Whether a success is slow: a phase above its threshold here (the first in {@link Phase} order is named), or the
     * response time above the {@linkplain #isSlow warning threshold}. Records why in {@link #slowPhase}; allocates
     * nothing.
     */
    private boolean judgeSlow(Observation o) {
        double[] limits = phaseWarningMs;
        for (int i = 0; i < limits.length; i++) {
            double limit = limits[i];
            if (Double.isNaN(limit)) {
                continue; // no threshold for this phase here
            }
            Double value = o.phaseMs(i);
            if (value != null && value > limit) {
                slowPhase = i;
                slowMs = value;
                slowLimitMs = limit;
                return true;
            }
        }
        if (isSlow(o)) {
            slowPhase = -1;
            slowMs = o.responseTimeMs();
            slowLimitMs = o.warningMs() != null ? o.warningMs() : o.criticalMs();
            return true;
        }
        return false;
    }

    /** Slow for the degraded incident: DEGRADED by {@code degradedAfter} slow successes, not by a warning alone. */
    boolean isSlowDegraded(Policy policy) {
        return state == State.DEGRADED && slow >= policy.degradedAfter();
    }

    /**
     * A successful probe slower than the warning threshold, or the critical one when no warning is set; never slow
     * without either.
     */
    static boolean isSlow(Observation o) {
        Integer threshold = o.warningMs() != null ? o.warningMs() : o.criticalMs();
        return o.success() && threshold != null && o.responseTimeMs() != null && o.responseTimeMs() > threshold;
    }

    /**
     * Judges silence at {@code now}; returns whether the state changed. A probed monitor's silence says nothing about
     * its target ({@link #expire(Instant, Duration) UNKNOWN}); a push monitor's silence is its failure
     * ({@link #miss DOWN}).
     */
    boolean expire(Instant now, Policy policy) {
        return policy.push() ? miss(now, policy) : expire(now, policy.grace());
    }

    /**
     * Turns DOWN when no beat came within period + grace of the last one (or of {@code since}, when the monitor was
     * added, without any), with error MISSED; {@code since} and {@code failingSince} are then that deadline. Beats
     * resuming bring it UP as for any DOWN state. A monitor already DOWN (explicit failures) stays as it is.
     */
    private boolean miss(Instant now, Policy policy) {
        if (state == State.DOWN) {
            return false;
        }
        Instant reference = lastScheduledAt != null ? lastScheduledAt : since;
        Instant deadline = reference.plus(policy.pushPeriod()).plus(policy.grace());
        if (!now.isAfter(deadline)) {
            return false;
        }
        String message = Texts.missed(Duration.between(reference, now), policy.pushPeriod(), policy.grace());
        state = State.DOWN;
        since = deadline;
        failures = Math.max(failures, policy.downAfter());
        successes = 0;
        slow = 0;
        failingSince = deadline;
        firstErrorType = Texts.MISSED;
        firstErrorMessage = message;
        details = Texts.MISSED + ": " + message;
        return true;
    }

    /**
     * Turns UNKNOWN when no heartbeat came within the grace window; returns whether the state changed. The counters
     * survive, so a target failing before and after the gap is DOWN again at once.
     */
    boolean expire(Instant now, Duration grace) {
        if (state == State.UNKNOWN) {
            return false;
        }
        Instant reference = lastScheduledAt != null ? lastScheduledAt : since;
        Instant deadline = reference.plus(grace);
        if (!now.isAfter(deadline)) {
            return false;
        }
        state = State.UNKNOWN;
        since = lastScheduledAt != null ? deadline : now;
        details = Texts.unknownDetails(lastScheduledAt);
        return true;
    }
}
