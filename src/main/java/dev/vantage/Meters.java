package dev.vantage;

/** Meter names, all under one prefix; tags stay low-cardinality (type, outcome, reason), never a monitor id. */
public final class Meters {
    public static final String PREFIX = "vantage.";

    public static final String PROBES = PREFIX + "probes";
    /** Duration of each phase of a probe ({@code dns}, {@code connect}, {@code tls}, {@code server_processing},
     * {@code transfer}, {@code total}), by monitor {@code type} and {@code phase}; a phase that did not happen is not
     * recorded. A histogram with fixed buckets from 1 ms to 30 s. */
    public static final String PROBE_PHASES = PREFIX + "probe.phase";

    public static final String PROBES_IN_FLIGHT = PREFIX + "probes.in.flight";
    public static final String SCHEDULE_LATENESS = PREFIX + "schedule.lateness";
    public static final String SLOTS_SKIPPED = PREFIX + "schedule.slots.skipped";
    public static final String MONITORS_SCHEDULED = PREFIX + "monitors.scheduled";
    public static final String MONITORS_INVALID = PREFIX + "monitors.invalid";
    public static final String CONFIG_RELOADS = PREFIX + "config.reloads";
    /** Notification channels the monitor module cannot use (invalid settings, unknown type, disabled). */
    public static final String CHANNELS_INVALID = PREFIX + "channels.invalid";

    public static final String LOOP_ERRORS = PREFIX + "loop.errors";
    /** Warm-up runs of the agent's probe path, by {@code when} (start, idle) and {@code outcome} (complete, incomplete). */
    public static final String WARMUP_RUNS = PREFIX + "warmup.runs";
    /** Warm-up probes run against in-process loopback targets (never written as heartbeats). */
    public static final String WARMUP_PROBES = PREFIX + "warmup.probes";

    public static final String RESULTS_ABANDONED = PREFIX + "probes.abandoned";
    public static final String LEASE_LEADER = PREFIX + "lease.leader";
    public static final String LEASE_EPOCH = PREFIX + "lease.epoch";
    public static final String LEASE_ACQUISITIONS = PREFIX + "lease.acquisitions";
    public static final String LEASE_LOSSES = PREFIX + "lease.losses";
    /** 1 while a standby finds its lease's advisory lock held by a login that is not Vantage's for it, else 0. */
    public static final String LEASE_FOREIGN_HOLDER = PREFIX + "lease.foreign.holder";
    /** Times a standby found its lock held by a foreign login (once per change of holder). */
    public static final String LEASE_FOREIGN_HOLDS = PREFIX + "lease.foreign.holds";
    /** Delivery attempts, by channel {@code type} and {@code outcome} (delivered, retry, rejected). */
    public static final String NOTIFICATIONS = PREFIX + "notifications";
    /** Notifications given up, by channel {@code type} and {@code reason} (rejected, expired, channel, payload). */
    public static final String NOTIFICATIONS_FAILED = PREFIX + "notifications.failed";
    /** From enqueueing to the receiver's acceptance, by channel {@code type}. */
    public static final String NOTIFICATION_LATENCY = PREFIX + "notifications.latency";
    /** One delivery attempt, by channel {@code type}. */
    public static final String NOTIFICATION_ATTEMPT_DURATION = PREFIX + "notifications.attempt.duration";
    /** Outbox rows still pending (NaN while this process does not deliver). */
    public static final String OUTBOX_PENDING = PREFIX + "outbox.pending";
    /** Age in seconds of the oldest pending outbox row, 0 when none (NaN while this process does not deliver). */
    public static final String OUTBOX_OLDEST_AGE = PREFIX + "outbox.oldest.age";
    /** Seconds between now and inserted_at of the last heartbeat evaluated; 0 when nothing waits below the watermark. */
    public static final String EVALUATE_LAG = PREFIX + "evaluate.lag";
    /** Age in seconds of the oldest running transaction that has an xid: it holds the heartbeat cursor's watermark. */
    public static final String WATERMARK_LAG = PREFIX + "evaluate.watermark.lag";
    /** Transaction ids between the heartbeat cursor's watermark and the next xid. */
    public static final String WATERMARK_LAG_XIDS = PREFIX + "evaluate.watermark.lag.xids";

    /** Heartbeats read by the monitor module, by {@code outcome}: applied, late (an older slot) or ignored. */
    public static final String EVALUATED = PREFIX + "evaluate.heartbeats";
    /**
     * Evaluation rounds that failed and made the monitor module rebuild its evaluator from the database: the safety
     * net, expected only when the database or the lease fails, never in normal operation.
     */
    public static final String EVALUATION_REBUILDS = PREFIX + "evaluate.rebuilds";
    /** One evaluation round (one transaction). */
    public static final String EVALUATION_ROUNDS = PREFIX + "evaluate.rounds";
    /** Outbox rows written by the evaluator (one per notice and channel). */
    public static final String NOTIFICATIONS_ENQUEUED = PREFIX + "notifications.enqueued";

    /** Rows of api_heartbeat_rollups (re)computed by the monitor lease holder. */
    public static final String ROLLUPS_WRITTEN = PREFIX + "rollups.written";

    /**
     * Beats of push monitors, by {@code source} (http, nats, redis) and {@code outcome}: accepted, unknown_token,
     * unknown_subject, disabled, bad_request, malformed, rate_limited, too_large, timeout (the body came too slowly),
     * unavailable (not safe in time), failed.
     */
    public static final String PUSH_BEATS = PREFIX + "push.beats";
    /** Accepted beats whose message was cut to its bound. */
    public static final String PUSH_MESSAGES_CUT = PREFIX + "push.messages.cut";
    /** From a beat's arrival to its answer, by {@code source} and {@code outcome} as above. */
    public static final String PUSH_INGEST = PREFIX + "push.ingest";
    /** Push monitors whose tokens this replica has loaded. */
    public static final String PUSH_TOKENS = PREFIX + "push.tokens";
    /**
     * Database lookups of tokens not loaded (a monitor inserted since the last reload), by {@code outcome}: found,
     * missing, limited (not asked: the bound on lookups was reached), failed.
     */
    public static final String PUSH_TOKEN_LOOKUPS = PREFIX + "push.token.lookups";
    /** NATS messages the client dropped because the subscription fell behind (slow consumer). */
    public static final String PUSH_NATS_DROPPED = PREFIX + "push.nats.dropped";

    /** 1, tagged {@code version} and {@code java}: which build runs where. */
    public static final String BUILD_INFO = PREFIX + "build.info";

    /**
     * 1 per monitor and datacenter ({@code datacenter} is the code, or {@code global} for the monitor's global state),
     * tagged with its current {@code state}; exported by the monitor replica that evaluates, within a bound.
     */
    public static final String MONITOR_STATE = PREFIX + "monitor.state";
    /** 1 while a monitor is UP in a datacenter (or globally), else 0; the same series as {@link #MONITOR_STATE}. */
    public static final String MONITOR_UP = PREFIX + "monitor.up";
    /** Monitor and datacenter pairs left out of {@link #MONITOR_STATE} and {@link #MONITOR_UP} by the bound. */
    public static final String MONITOR_STATE_OMITTED = PREFIX + "monitor.state.omitted";

    private Meters() {}
}
