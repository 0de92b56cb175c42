package dev.vantage.evaluate;

import java.time.Duration;

/**
 * How one monitor's heartbeats become states: the {@code api_monitors} policy columns with their defaults applied.
 *
 * @param downAfter failed probes in a row that make a datacenter DOWN (default 3)
 * @param upAfter successful probes in a row that bring a DOWN datacenter back UP (default 2)
 * @param degradedAfter slow successful probes in a row that make a datacenter DEGRADED (default 3)
 * @param grace time without a heartbeat after which a datacenter is UNKNOWN (default 2 intervals + 10 s)
 * @param quorum datacenters DOWN that make the monitor DOWN globally (default half of its datacenters, rounded up;
 *     never more than it has)
 * @param flapChanges more global state changes than this within {@code flapWindow} make the monitor FLAPPING
 * @param flapWindow the window of the flapping rule
 * @param pushPeriod for a push monitor, the period its beats are expected at (its schedule's interval); null for a
 *     probed monitor. A push monitor's silence past {@code pushPeriod + grace} is DOWN, not UNKNOWN.
 */
public record Policy(
        int downAfter,
        int upAfter,
        int degradedAfter,
        Duration grace,
        int quorum,
        int flapChanges,
        Duration flapWindow,
        Duration pushPeriod) {

    public static final int DOWN_AFTER = 3;
    public static final int UP_AFTER = 2;
    public static final int DEGRADED_AFTER = 3;
    public static final int FLAP_CHANGES = 10;
    public static final Duration FLAP_WINDOW = Duration.ofMinutes(30);

    public Policy {
        if (downAfter < 1 || upAfter < 1 || degradedAfter < 1 || quorum < 1 || flapChanges < 2) {
            throw new IllegalArgumentException("counts must be positive (flapChanges at least 2): " + downAfter + ", "
                    + upAfter + ", " + degradedAfter + ", " + quorum + ", " + flapChanges);
        }
        if (grace.isNegative() || grace.isZero() || flapWindow.isNegative() || flapWindow.isZero()) {
            throw new IllegalArgumentException("grace and flapWindow must be positive");
        }
        if (pushPeriod != null && (pushPeriod.isNegative() || pushPeriod.isZero())) {
            throw new IllegalArgumentException("pushPeriod must be positive, was " + pushPeriod);
        }
    }

    /**
     * The policy of a monitor row: each argument is the column value, or null for the default.
     *
     * @param intervalSeconds the monitor's schedule interval
     * @param datacenters how many datacenters run the monitor
     */
    public static Policy of(
            int intervalSeconds,
            int datacenters,
            Integer downAfter,
            Integer upAfter,
            Integer degradedAfter,
            Integer graceSeconds,
            Integer quorum,
            Integer flapChanges,
            Integer flapWindowMinutes) {
        int n = Math.max(1, datacenters);
        int q = quorum == null ? (n + 1) / 2 : Math.min(quorum, n);
        return new Policy(
                downAfter == null ? DOWN_AFTER : downAfter,
                upAfter == null ? UP_AFTER : upAfter,
                degradedAfter == null ? DEGRADED_AFTER : degradedAfter,
                graceSeconds == null ? Duration.ofSeconds(2L * intervalSeconds + 10) : Duration.ofSeconds(graceSeconds),
                q,
                flapChanges == null ? FLAP_CHANGES : flapChanges,
                flapWindowMinutes == null ? FLAP_WINDOW : Duration.ofMinutes(flapWindowMinutes),
                null);
    }

    /** Push monitors: one explicit failure is DOWN and one beat is UP again, unless the row says otherwise. */
    public static final int PUSH_DOWN_AFTER = 1;

    public static final int PUSH_UP_AFTER = 1;
    /** The default allowed lateness of a push monitor: its period, at most an hour. */
    public static final Duration PUSH_GRACE_MAX = Duration.ofHours(1);

    /**
     * The policy of a push monitor row: no datacenters (its one state is global, quorum 1), never slow, and silence past
     * {@code periodSeconds + grace} is DOWN. Each argument is the column value, or null for the default.
     *
     * @param periodSeconds the monitor's schedule interval: how often beats are expected
     * @param graceSeconds allowed lateness; default the period, at most an hour
     */
    public static Policy push(
            int periodSeconds,
            Integer downAfter,
            Integer upAfter,
            Integer graceSeconds,
            Integer flapChanges,
            Integer flapWindowMinutes) {
        Duration period = Duration.ofSeconds(periodSeconds);
        return new Policy(
                downAfter == null ? PUSH_DOWN_AFTER : downAfter,
                upAfter == null ? PUSH_UP_AFTER : upAfter,
                DEGRADED_AFTER,
                graceSeconds == null
                        ? (period.compareTo(PUSH_GRACE_MAX) < 0 ? period : PUSH_GRACE_MAX)
                        : Duration.ofSeconds(graceSeconds),
                1,
                flapChanges == null ? FLAP_CHANGES : flapChanges,
                flapWindowMinutes == null ? FLAP_WINDOW : Duration.ofMinutes(flapWindowMinutes),
                period);
    }

    public boolean push() {
        return pushPeriod != null;
    }
}
