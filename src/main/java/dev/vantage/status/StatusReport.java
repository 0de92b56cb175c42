package dev.vantage.status;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.vantage.probe.TargetText;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Everything a person reads about the state of a Vantage deployment at one instant, as {@code vantage status}, {@code
 * /api/status} and the status page show it. Built by {@link StatusQuery}; rendered by {@link StatusTable}, {@link
 * StatusJson} and {@link StatusPage}. Holds no secret: no header value, no channel setting, no database password.
 *
 * <p>The JSON form keeps the order of the record components (snake_case); a field is added, never renamed.
 *
 * @param generatedAt the instant the report describes (the clock of the caller)
 * @param datacenters every datacenter code, in id order: the per-datacenter columns
 * @param monitors every monitor row, enabled or not, in id order
 * @param agents agents running, and those stopped or silent within the last hour
 * @param invalidConfig monitor and channel rows that fail validation
 * @param openIncidents incidents not resolved, newest first
 * @param recentIncidents incidents resolved within the last 24 h, newest first
 * @param evaluation whether the monitor module evaluates: when it does not, every state above is stale
 * @param maintenance maintenance windows active now or starting within 7 days, by start
 */
@JsonPropertyOrder({
    "generated_at",
    "healthy",
    "datacenters",
    "monitors",
    "agents",
    "invalid_config",
    "open_incidents",
    "recent_incidents",
    "evaluation",
    "maintenance"
})
public record StatusReport(
        Instant generatedAt,
        List<String> datacenters,
        List<Monitor> monitors,
        List<Agent> agents,
        List<InvalidRow> invalidConfig,
        List<Incident> openIncidents,
        List<Incident> recentIncidents,
        Evaluation evaluation,
        List<Window> maintenance) {

    /** States that make {@code vantage status} exit 1 (see {@link #healthy()}). */
    static final Set<String> FAILING = Set.of(State.DOWN, State.UNKNOWN, State.PARTIAL);

    public StatusReport {
        Objects.requireNonNull(generatedAt, "generatedAt");
        datacenters = List.copyOf(datacenters);
        monitors = List.copyOf(monitors);
        agents = List.copyOf(agents);
        invalidConfig = List.copyOf(invalidConfig);
        openIncidents = List.copyOf(openIncidents);
        recentIncidents = List.copyOf(recentIncidents);
        Objects.requireNonNull(evaluation, "evaluation");
        maintenance = List.copyOf(maintenance);
    }

    /** A report without maintenance windows. */
    public StatusReport(
            Instant generatedAt,
            List<String> datacenters,
            List<Monitor> monitors,
            List<Agent> agents,
            List<InvalidRow> invalidConfig,
            List<Incident> openIncidents,
            List<Incident> recentIncidents,
            Evaluation evaluation) {
        this(
                generatedAt,
                datacenters,
                monitors,
                agents,
                invalidConfig,
                openIncidents,
                recentIncidents,
                evaluation,
                List.of());
    }

    /**
     * A maintenance window's current or next occurrence ({@code maintenance_windows}).
     *
     * @param scope for people: {@code checkout, search in VA}, {@code every monitor}
     * @param weekly whether it recurs every week ({@code from} and {@code until} are then its current or next one)
     */
    public record Window(
            int id, String reason, String scope, Instant from, Instant until, boolean active, boolean weekly) {
        public Window {
            reason = TargetText.cut(reason, TargetText.SENTENCE_CHARS);
        }
    }

    /**
     * True when evaluation has not stalled and no enabled monitor is DOWN, PARTIAL or UNKNOWN, neither globally nor in
     * any of its datacenters. A monitor the monitor module has not evaluated yet (PENDING), a disabled one and a push
     * monitor waiting for its first beat (UNKNOWN, not late yet) do not count. A stall makes every state stale: a
     * report that shows all UP then is not healthy.
     */
    @JsonProperty("healthy")
    public boolean healthy() {
        return !evaluation.stalled() && monitors.stream().noneMatch(Monitor::failing);
    }

    /**
     * Whether the monitor module evaluates (see {@code EvaluationProgress}).
     *
     * @param lastRoundAt when its last evaluation round committed; null when none ever did
     * @param lastRoundAgeSeconds whole seconds since then, on the database's clock; null when none
     * @param stallAfterSeconds the bound (VANTAGE_STALL_AFTER) past which evaluation counts as stalled
     * @param stalled a round committed once, and none within the bound: no state, incident or notification moves
     * @param lockHolder the PostgreSQL session holding the monitor lock: pid, role, application name; null for none
     * @param details one line: {@code evaluation stalled since … (lease held by …)}, or {@code last evaluation round 0
     *     s ago}
     */
    public record Evaluation(
            Instant lastRoundAt,
            Long lastRoundAgeSeconds,
            long stallAfterSeconds,
            boolean stalled,
            String lockHolder,
            String details) {
        /** What a report says when the evaluation's progress was not read (renderings of made-up reports). */
        public static final Evaluation UNKNOWN = new Evaluation(null, null, 60, false, null, "not read");
    }

    /** The state names a report uses: those of {@code monitor_states.state}, plus two of its own. */
    public static final class State {
        public static final String UP = "UP";
        public static final String DEGRADED = "DEGRADED";
        public static final String PARTIAL = "PARTIAL";
        public static final String DOWN = "DOWN";
        public static final String UNKNOWN = "UNKNOWN";
        /** A maintenance window covers it (globally: every datacenter of it); not failing. */
        public static final String MAINTENANCE = "MAINTENANCE";
        /** Enabled, but the monitor module has written no state for it yet. */
        public static final String PENDING = "PENDING";
        /** {@code api_monitors.enabled} is false: not probed, not evaluated. */
        public static final String DISABLED = "DISABLED";

        private State() {}
    }

    /**
     * One monitor.
     *
     * @param type {@code http}, {@code tcp}, {@code push}, …: the canonical name of {@code api_monitors.type} (an alias
     *     such as {@code HTTPS} reads {@code http}); a type no Vantage knows, trimmed and in lower case
     * @param state global state: a {@link State} name
     * @param since when the global state began; null for PENDING and DISABLED
     * @param details one line for people: failing datacenters and error, "no data for 45 s", …
     * @param lastHeartbeatAt slot of the newest heartbeat from any datacenter; null when none is known
     * @param lastHeartbeatAgeSeconds {@code generatedAt - lastHeartbeatAt} in whole seconds; null when none
     * @param p50Ms median {@code response_time_ms} of the successful probes of the last hour; null without any
     * @param p95Ms 95th percentile of the same
     * @param uptime24hPercent successful probes / probes over the last 24 h, all datacenters, in percent; null
     *     without probes
     * @param probes24h probes over the last 24 h, all datacenters
     * @param datacenters one entry per datacenter the monitor is assigned to, in datacenter id order; none for a push
     *     monitor, which no datacenter probes
     * @param latency24h 24 hourly buckets, oldest first, the last one ending at {@code generatedAt}
     * @param lastBeatAt push monitors: slot of the newest success or fail beat (start and log beats change no state);
     *     null when none, and for other types. {@code lastHeartbeatAt} is the same instant for a push monitor.
     * @param expectedEverySeconds push monitors: the period beats are expected at (the schedule's interval); else null
     * @param graceSeconds push monitors: how late a beat may be before the monitor is DOWN ({@code grace_seconds}, by
     *     default the period, at most an hour); else null
     * @param lastMessage push monitors: the newest message of its recent beats, any kind, at most {@link
     *     PushBeats#MESSAGE_CHARS} characters (then ending with {@code …}), ping tokens masked; null when none
     * @param recent push monitors: its last success and fail beats (at most {@link Result#BAR} within 24 h), oldest
     *     first, for the bar in place of the datacenters' bars; in JSON only as the letters of {@link
     *     #recentResults()}; empty for other types, whose results are per datacenter
     */
    public record Monitor(
            int id,
            String name,
            String type,
            boolean enabled,
            String state,
            Instant since,
            boolean flapping,
            String details,
            Instant lastHeartbeatAt,
            Long lastHeartbeatAgeSeconds,
            Double p50Ms,
            Double p95Ms,
            @JsonProperty("uptime_24h_percent") Double uptime24hPercent,
            @JsonProperty("probes_24h") long probes24h,
            List<DatacenterState> datacenters,
            @JsonProperty("latency_24h") List<LatencyBucket> latency24h,
            Instant lastBeatAt,
            Integer expectedEverySeconds,
            Integer graceSeconds,
            String lastMessage,
            @JsonIgnore List<Result> recent) {
        public static final String PUSH = "push";

        public Monitor {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(state, "state");
            details = TargetText.cut(details, TargetText.SENTENCE_CHARS);
            datacenters = List.copyOf(datacenters);
            latency24h = List.copyOf(latency24h);
            recent = recent == null ? List.of() : List.copyOf(recent);
        }

        /**
         * Push monitors: their recent success (U) and fail (D) beats in one letter each, oldest first; null for other
         * types, whose letters are per datacenter.
         */
        @JsonProperty("recent_results")
        public String recentResults() {
            if (!isPush()) {
                return null;
            }
            var out = new StringBuilder(recent.size());
            recent.forEach(r -> out.append(r.letter()));
            return out.toString();
        }

        /**
         * DOWN, PARTIAL or UNKNOWN globally or in one of its datacenters, and enabled. A push monitor is UNKNOWN only
         * until its first beat or its first deadline (then it is DOWN, as MISSED): not late yet, so not failing.
         */
        public boolean failing() {
            if (!enabled || isPush() && State.UNKNOWN.equals(state)) {
                return false;
            }
            return FAILING.contains(state) || datacenters.stream().anyMatch(d -> FAILING.contains(d.state()));
        }

        /** Whether beats come to it rather than probes going out: type {@code push}. */
        @JsonIgnore
        public boolean isPush() {
            return PUSH.equals(type);
        }

        /** This monitor's state in datacenter {@code code}; empty when it does not run there. */
        public java.util.Optional<DatacenterState> in(String code) {
            return datacenters.stream().filter(d -> d.code().equals(code)).findFirst();
        }
    }

    /**
     * A monitor's state in one datacenter.
     *
     * @param state a {@link State} name (never PARTIAL)
     * @param lastHeartbeatAt slot of the newest heartbeat of this monitor from this datacenter; null when none
     * @param recent its last results (at most {@link Result#BAR} within 24 h), oldest first; in JSON only as the
     *     letters of {@link #recentResults()}
     */
    public record DatacenterState(
            String code,
            String state,
            Instant since,
            String details,
            Instant lastHeartbeatAt,
            @JsonIgnore List<Result> recent) {
        public DatacenterState {
            Objects.requireNonNull(code, "code");
            Objects.requireNonNull(state, "state");
            details = TargetText.cut(details, TargetText.SENTENCE_CHARS);
            recent = List.copyOf(recent);
        }

        /** A state without recent results. */
        public DatacenterState(String code, String state, Instant since, String details, Instant lastHeartbeatAt) {
            this(code, state, since, details, lastHeartbeatAt, List.of());
        }

        /** The recent results in one letter each, oldest first: {@code UUUSDDTU} (see {@link Result#letter()}). */
        @JsonProperty("recent_results")
        public String recentResults() {
            var out = new StringBuilder(recent.size());
            recent.forEach(r -> out.append(r.letter()));
            return out.toString();
        }
    }

    /**
     * One probe's result as the status page's bar shows it.
     *
     * @param at when it ran ({@code executed_at})
     * @param outcome one of {@link #OUTCOMES}: up, slow (a success over its warning threshold), down (a failure),
     *     timeout (a failure of type TIMEOUT), maintenance (made during a maintenance window, whatever its result)
     * @param ms its response time; null when it has none
     * @param error {@code TYPE: message} of a failure, cut to a sentence; null for a success
     */
    public record Result(Instant at, String outcome, Double ms, String error) {
        /** How many results a bar shows per monitor and datacenter. */
        public static final int BAR = 60;

        public static final List<String> OUTCOMES = List.of("up", "slow", "down", "timeout", "maintenance");

        public Result {
            Objects.requireNonNull(at, "at");
            if (!OUTCOMES.contains(outcome)) {
                throw new IllegalArgumentException("outcome must be one of " + OUTCOMES + ", was " + outcome);
            }
            error = TargetText.cut(error, TargetText.SENTENCE_CHARS);
        }

        /** U up, S slow, D down, T timeout, M maintenance. */
        public char letter() {
            return outcome.equals("maintenance") ? 'M' : Character.toUpperCase(outcome.charAt(0));
        }
    }

    /** One sparkline point: the median response time of the successful probes in {@code [start, start + 1 h)}. */
    public record LatencyBucket(Instant start, Double p50Ms) {}

    /**
     * One agent process.
     *
     * @param role {@code agents.role}: starting, leader, standby or stopped
     * @param epoch the datacenter's lease epoch when this agent holds the lease, else null
     * @param lastSeenAgeSeconds {@code generatedAt - last_seen_at} in whole seconds
     */
    public record Agent(
            int id,
            String datacenter,
            String name,
            String hostname,
            String version,
            String role,
            Long epoch,
            String shards,
            Instant lastSeenAt,
            long lastSeenAgeSeconds,
            Instant stoppedAt) {}

    /**
     * A configuration row that fails validation. {@code reason} names the field and never holds a secret value.
     *
     * @param kind {@code monitor} (api_monitors) or {@code channel} (notification_channels)
     */
    public record InvalidRow(String kind, int id, String name, String reason) {
        public InvalidRow {
            reason = TargetText.cut(reason, TargetText.SENTENCE_CHARS);
        }
    }

    /**
     * One incident.
     *
     * @param kind {@code monitor}, {@code datacenter} (a datacenter lost: no live leader agent), {@code certificate}
     *     (a certificate within its warning window, notified once) or {@code degraded} (a monitor slow for its
     *     {@code notify_degraded_after} slots; {@code errorMessage} says why)
     * @param monitor the monitor's name, null for a datacenter incident
     * @param datacenters codes of the datacenters involved
     */
    public record Incident(
            long id,
            String kind,
            String scope,
            Integer monitorId,
            String monitor,
            List<String> datacenters,
            Instant openedAt,
            Instant resolvedAt,
            long durationSeconds,
            String errorType,
            String errorMessage) {
        public Incident {
            errorType = TargetText.cut(errorType, TargetText.TYPE_CHARS);
            errorMessage = TargetText.cut(errorMessage);
            datacenters = List.copyOf(datacenters);
        }
    }
}
