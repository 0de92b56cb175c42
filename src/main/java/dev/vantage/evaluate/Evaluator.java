package dev.vantage.evaluate;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Turns heartbeats into states, incidents and notice requests. Pure: no database, no clock (time comes in as
 * arguments), no I/O, not thread-safe (one evaluation thread). The caller restores it from the database, configures
 * it, then repeatedly {@link #apply applies} a batch of heartbeats, {@link #tick ticks} and {@link #drain drains} the
 * changes into one transaction. If that transaction fails, the caller builds a new evaluator from the database.
 *
 * <h2>Per monitor and datacenter ({@link DatacenterStatus})</h2>
 *
 * <ul>
 *   <li>A heartbeat whose slot is not after the newest applied one is ignored (counted in
 *       {@link Changes#lateHeartbeats()}): a journal replay can deliver old slots late.
 *   <li>A success adds to the successes, clears the failures and the failing run; a slow one (a phase above its
 *       {@link PhaseThreshold} in that datacenter, a datacenter's own threshold overriding the one for every
 *       datacenter; or the response time above the warning threshold, or the critical one when there is no warning;
 *       never slow without either) adds to the slow count, a fast one clears it. A failure adds to the failures and clears the successes and the slow count;
 *       the first failure of a run sets {@code failingSince} and the first error. The {@code last*} fields follow the
 *       newest heartbeat.
 *   <li>Any state becomes DOWN at {@code downAfter} failures in a row. DOWN becomes UP (or DEGRADED) after
 *       {@code upAfter} successes in a row. UP becomes DEGRADED at {@code degradedAfter} slow successes in a row;
 *       DEGRADED becomes UP on a fast success. Fewer failures than {@code downAfter} leave UP, DEGRADED and UNKNOWN
 *       as they are. UNKNOWN is left by any success (UP, or DEGRADED if the slow count is reached) or by reaching
 *       {@code downAfter}; the counters survive an UNKNOWN gap. {@code since} is the slot of the heartbeat that
 *       caused the transition.
 *   <li>At {@link #tick} a datacenter becomes UNKNOWN when no heartbeat came within the policy's grace window after
 *       its newest slot (or after {@code since} without any heartbeat); {@code since} is then the end of that window.
 *   <li>{@code details} is computed only when the state changes, never per heartbeat.
 * </ul>
 *
 * <h2>Push monitors</h2>
 *
 * A push monitor ({@link Policy#push()}) has one pseudo-datacenter, {@value #PUSH_DATACENTER}, where its beats are
 * stored, and a quorum of 1, so its state is its global state. Beats apply as heartbeats do ({@code success} and
 * {@code fail}; {@code start} and {@code log} change nothing and are counted as ignored). Its silence is its failure:
 * at {@link #tick}, no beat within period + grace of the last one (or of its configuration, without any) makes it
 * DOWN with error {@code MISSED}, which opens, fires and later resolves an incident like any outage.
 *
 * <h2>Per monitor ({@link MonitorStatus}), recomputed when one of its datacenter states changes</h2>
 *
 * DOWN when at least {@code quorum} datacenters are DOWN; PARTIAL when fewer but some are; UNKNOWN when every
 * datacenter is UNKNOWN (or none is configured); DEGRADED when any is; else UP. UNKNOWN datacenters do not count as
 * DOWN. Every change of the global state is recorded in {@code stateChanges} (kept within the flapping window); the
 * monitor is FLAPPING while more than {@code flapChanges} changes lie within it.
 *
 * <h2>Monitor incidents (at most one open per monitor)</h2>
 *
 * <ul>
 *   <li>Opened when a first datacenter goes DOWN (scope {@code datacenter}, opened at its {@code failingSince}, with
 *       its first error); every further datacenter going DOWN joins it.
 *   <li>When the monitor is globally DOWN the scope becomes {@code global} for good and a FIRING notice goes to the
 *       monitor's channels, once per incident. A partial outage never notifies.
 *   <li>Resolved, at the slot of the heartbeat that ended it, when no datacenter is DOWN and every datacenter that
 *       was DOWN in it has reported UP or DEGRADED since; a datacenter that went from DOWN to UNKNOWN keeps it open.
 *       RESOLVED is notified if FIRING was.
 *   <li>Entering flapping sends one FLAPPING notice if a global incident is open. While flapping there is no FIRING
 *       nor RESOLVED and the incident is held open; once settled (checked at every heartbeat of the monitor and at
 *       every tick) an incident whose outage is over resolves, and a globally DOWN monitor not yet notified fires.
 *   <li>A monitor removed from the configuration (or disabled) resolves its incidents (RESOLVED if notified) and its
 *       rows are listed as removed.
 * </ul>
 *
 * <h2>Dependencies ({@link MonitorConfig#dependsOn()})</h2>
 *
 * <ul>
 *   <li>A dependency <em>fails</em> while it is globally DOWN or its incident reached the quorum (scope
 *       {@code global}: fired, suppressed itself, or held by flapping) and is still open. UNKNOWN is not DOWN: a
 *       monitor whose datacenters are all lost from sight neither suppresses nor is suppressed.
 *   <li>A monitor with dependencies that would fire does not fire at once: the wish is settled when the batch is
 *       applied (at {@link #tick} and {@link #drain}), so that the order of the rows within a batch does not matter.
 *       If a dependency fails then, the incident is <em>suppressed</em>: no FIRING, and so no RESOLVED, and no
 *       FLAPPING; its {@code suppressedBy} names the incident that notifies (the dependency's, or for a chain A→B→C
 *       the root C's). Otherwise it fires at the slot it wanted to.
 *   <li>When every dependency of a suppressed monitor stops failing while it is still DOWN, its outage is its own:
 *       it fires then (at the slot the last dependency stopped failing), and later resolves with RESOLVED;
 *       {@code suppressedBy} stays as a record. A dependent that recovers first resolves silently.
 * </ul>
 *
 * <h2>Certificate incidents (at most one open per monitor)</h2>
 *
 * A success whose certificate is within the monitor's {@code cert_expiry_warning_days}
 * ({@link Observation#warning()}, named by {@link Observation#certNotAfter()}) opens a certificate incident for that
 * certificate with one CERTIFICATE notice, unless one for the same or a later certificate is open. A warning about a
 * later certificate resolves the open one (RENEWED) and opens the next. The incident resolves with RENEWED once the
 * last success of every datacenter carries no warning. No reminders: one notice per certificate. It does not depend on
 * the monitor's state: an expired certificate fails as {@code TLS} and opens a monitor incident of its own.
 *
 * <h2>Degraded incidents (at most one open per monitor; only with {@link MonitorConfig#notifyDegradedAfter()})</h2>
 *
 * A datacenter DEGRADED by its slowness for {@code notifyDegradedAfter} slots in a row (slow for
 * {@code degradedAfter + notifyDegradedAfter - 1} successes in a row) opens a degraded incident, at the slot it became
 * DEGRADED, with one DEGRADED notice naming why ({@code DNS slow in SYD: dns_lookup_ms 182.4 > 100 (4 in a row)}).
 * Every datacenter slow while it is open joins it. It resolves with RECOVERED when no datacenter is slow, DOWN or
 * failing and every datacenter that joined it is UP or DEGRADED (by a certificate warning) again. An outage meanwhile
 * is the monitor incident's: the degraded incident stays open without a notice and recovers once the outage is over
 * and the datacenters are fast. Clearing the opt-in or removing the monitor closes it with RECOVERED. No reminders:
 * slowness is announced once, and reminders repeat only FIRING. A certificate warning alone is not slowness.
 *
 * <h2>Datacenter incidents</h2>
 *
 * At {@link #tick}, a watched datacenter opens an incident with a LOST notice to the default channels once
 * {@code lostAfter} has passed in which a leader agent could have been seen and was not: counted from the latest of
 * {@code watchingSince}, the registration of its current agents and its leader's last sighting (see
 * {@link LivenessTracker}); the incident opens at that instant. A leader seen again within {@code lostAfter} resolves
 * it with FOUND. A datacenter whose agents all stopped gracefully is not lost. A datacenter no longer watched closes its
 * incident with RESOLVED.
 *
 * <h2>Maintenance windows</h2>
 *
 * See {@link #maintain}: a datacenter in a window shows MAINTENANCE over its own state, counts as UNKNOWN for the global
 * state, and notifies nothing; what still fails when the window ends fires then.
 *
 * <h2>Time</h2>
 *
 * Every instant is kept at microseconds, the database's precision, so that a rebuild from the rows restores exactly
 * what was in memory.
 *
 * <h2>Restart</h2>
 *
 * Everything needed to resume lives in the drained records, with one approximation: whether a datacenter of an open
 * incident that is now UNKNOWN had recovered before it went silent is not stored, so after {@link #restore} it counts
 * as not recovered and holds the incident open until it reports UP or DEGRADED (or leaves the configuration).
 */
public final class Evaluator {
    /** The {@code datacenter_id} of pushed beats and of a push monitor's state: no datacenter has id 0. */
    public static final int PUSH_DATACENTER = dev.vantage.heartbeat.PushedBeat.DATACENTER_ID;

    private final HashMap<Integer, MonitorTracker> monitors = new HashMap<>();
    /** The configured monitors by id, so that ticks and their changes come in a stable order. */
    private MonitorTracker[] ordered = new MonitorTracker[0];

    /** Monitor id to the ids of the configured monitors that depend on it. */
    private Map<Integer, int[]> dependents = Map.of();

    private final LivenessTracker liveness;
    private final ChangeLog log = new ChangeLog();
    private Texts texts = new Texts(Map.of());
    private List<Integer> defaultChannels = List.of();
    private boolean configured;

    private Maintenance maintenance = Maintenance.NONE;
    /** The earliest start or end of a window after the last tick: a heartbeat past it checks its own slot. */
    private Instant maintenanceBoundary = Instant.MAX;
    /** Whether any datacenter was in maintenance at the last tick (so ticks skip the scan when none is or can be). */
    private boolean anyInMaintenance = true;

    private Instant lastTick = Instant.EPOCH;

    /**
     * @param lostAfter how long a datacenter may go without a live leader agent before it is LOST
     * @param watchingSince when this evaluator's process began to watch (the monitor lease's acquisition): no
     *     datacenter is lost for silence before it
     */
    public Evaluator(Duration lostAfter, Instant watchingSince) {
        if (lostAfter.isNegative() || lostAfter.isZero()) {
            throw new IllegalArgumentException("lostAfter must be positive, was " + lostAfter);
        }
        Objects.requireNonNull(watchingSince, "watchingSince");
        this.liveness = new LivenessTracker(lostAfter, Times.micros(watchingSince));
    }

    /**
     * Loads what the database holds, before the first {@link #configure}. Rows of monitors or datacenters that the
     * configuration no longer has are reported as removed (and their incidents resolved) by that configure.
     *
     * @param openIncidents the incidents with no {@code resolved_at}
     */
    public void restore(
            Collection<DatacenterStatus> dcStates,
            Collection<MonitorStatus> monitorStates,
            Collection<Incident> openIncidents) {
        if (configured) {
            throw new IllegalStateException("restore must come before the first configure");
        }
        for (DatacenterStatus s : dcStates) {
            tracker(s.monitorId()).restore(new DatacenterTracker(s));
        }
        for (MonitorStatus s : monitorStates) {
            MonitorTracker m = tracker(s.monitorId());
            if (m.global != null) {
                throw new IllegalArgumentException("two global states for monitor " + s.monitorId());
            }
            m.global = new GlobalTracker(s);
        }
        for (Incident i : openIncidents) {
            if (!i.isOpen()) {
                throw new IllegalArgumentException("not an open incident: " + i);
            }
            switch (i.key().kind()) {
                case MONITOR -> {
                    MonitorTracker m = tracker(i.key().subjectId());
                    if (m.incident != null) {
                        throw new IllegalArgumentException("two open incidents for " + i.key());
                    }
                    m.restore(new OpenIncident(i));
                }
                case DATACENTER -> liveness.restore(new OpenIncident(i));
                case CERTIFICATE -> tracker(i.key().subjectId()).restoreCertificate(new OpenIncident(i));
                case DEGRADED -> tracker(i.key().subjectId()).restoreDegraded(new OpenIncident(i));
            }
        }
    }

    private MonitorTracker tracker(int monitorId) {
        return monitors.computeIfAbsent(monitorId, MonitorTracker::new);
    }

    /**
     * Applies the configuration (at start and at every reload): monitors and datacenters added start as no data at
     * {@code now}; those removed (or disabled) resolve their incidents and lose their rows.
     *
     * @param monitors the enabled monitors
     * @param datacenterCodes codes for texts; an id without one reads {@code #7}
     * @param defaultChannels channels of datacenter incidents
     */
    public void configure(
            Collection<MonitorConfig> monitors,
            Map<Integer, String> datacenterCodes,
            List<Integer> defaultChannels,
            Instant now) {
        Objects.requireNonNull(now, "now");
        now = Times.micros(now);
        configured = true;
        texts = new Texts(datacenterCodes);
        this.defaultChannels = List.copyOf(defaultChannels);
        Map<Integer, MonitorConfig> next = new HashMap<>();
        for (MonitorConfig c : monitors) {
            if (next.put(c.monitorId(), c) != null) {
                throw new IllegalArgumentException("monitor " + c.monitorId() + " configured twice");
            }
        }
        Set<Integer> gone = new HashSet<>(this.monitors.keySet());
        gone.removeAll(next.keySet());
        for (int id : gone.stream().sorted().toList()) {
            this.monitors.remove(id).remove(now, log, this.defaultChannels);
        }
        for (MonitorConfig c : next.values().stream()
                .sorted(Comparator.comparingInt(MonitorConfig::monitorId))
                .toList()) {
            tracker(c.monitorId()).configure(c, now, log, texts);
        }
        ordered = this.monitors.values().stream()
                .sorted(Comparator.comparingInt(m -> m.monitorId))
                .toArray(MonitorTracker[]::new);
        Map<Integer, List<Integer>> reverse = new HashMap<>();
        for (MonitorConfig c : next.values()) {
            for (int on : c.dependsOn()) {
                reverse.computeIfAbsent(on, k -> new ArrayList<>()).add(c.monitorId());
            }
        }
        Map<Integer, int[]> index = new HashMap<>();
        reverse.forEach((on, ids) ->
                index.put(on, ids.stream().mapToInt(Integer::intValue).sorted().toArray()));
        dependents = index;
    }

    /**
     * Decides what the monitors with dependencies that wanted to fire do, once every heartbeat of the batch is
     * applied, so that the order of the rows does not matter: each one whose dependency fails is suppressed, linked to
     * the incident that notifies for that dependency; the others fire. Dependencies are settled first, so a chain
     * links to its root. A suppressed monitor whose dependencies all stopped failing fires now, on its own.
     */
    private void settle() {
        if (!log.stoppedFailing.isEmpty()) {
            for (MonitorTracker stopped : log.stoppedFailing) {
                for (int id : dependents.getOrDefault(stopped.monitorId, NO_DEPENDENTS)) {
                    MonitorTracker d = monitors.get(id);
                    if (d != null && d.suppressed()) {
                        log.settleLater(d, stopped.stoppedFailingAt);
                    }
                }
            }
            log.stoppedFailing.clear();
        }
        // Settling may fire or suppress, never make a monitor stop failing: the queue only shrinks.
        for (int i = 0; i < log.settling.size(); i++) {
            settle(log.settling.get(i));
        }
        log.settling.clear();
    }

    private void settle(MonitorTracker m) {
        if (m.settleAt == null) {
            return; // settled already, as some monitor's dependency
        }
        IncidentRef by = null;
        Instant at = m.settleAt;
        m.settleAt = null; // a dependency cycle (the database refuses them) ends here
        for (int id : m.config.dependsOn().stream().sorted().toList()) {
            MonitorTracker dependency = monitors.get(id);
            if (dependency == null || dependency.config == null) {
                continue;
            }
            settle(dependency);
            if (dependency.failing()) {
                by = dependency.notifyingIncident();
                break;
            }
        }
        m.settleAt = at;
        m.settle(by, log, texts);
    }

    private static final int[] NO_DEPENDENTS = new int[0];

    /** Applies one heartbeat. The hot path: allocates nothing unless a state changes. */
    public void apply(Observation heartbeat) {
        MonitorTracker m = monitors.get(heartbeat.monitorId());
        DatacenterTracker dc = m == null || m.config == null ? null : m.datacenter(heartbeat.datacenterId());
        if (dc == null || !heartbeat.changesState()) {
            log.ignoredHeartbeats++;
            return;
        }
        if (dc.isLate(heartbeat)) {
            log.lateHeartbeats++;
            return;
        }
        if (!dc.maintenance && !heartbeat.scheduledAt().isBefore(maintenanceBoundary)) {
            enterMaintenanceIfCovered(m, dc, heartbeat.scheduledAt());
        }
        log.touch(dc);
        if (dc.apply(heartbeat, m.config.policy(), texts)) {
            m.afterChange(heartbeat.scheduledAt(), log, texts);
        } else {
            m.afterHeartbeat(heartbeat.scheduledAt(), log, texts);
        }
        if (heartbeat.success() && (dc.warnedNotAfter != null || m.certificate != null) && !dc.maintenance) {
            m.afterSuccess(dc, heartbeat.scheduledAt(), log);
        }
        if (m.degraded != null || (dc.state == State.DEGRADED && m.config.notifyDegradedAfter() != null)) {
            m.reconcileDegraded(heartbeat.scheduledAt(), log, texts);
        }
    }

    /**
     * Advances time: datacenters past their grace window become UNKNOWN, flapping settles, and datacenters are
     * LOST or FOUND.
     *
     * @param liveness every watched datacenter
     */
    public void tick(Instant now, Collection<DatacenterLiveness> liveness) {
        Objects.requireNonNull(now, "now");
        now = Times.micros(now);
        tickMaintenance(now);
        for (MonitorTracker m : ordered) {
            m.tick(now, log, texts);
        }
        this.liveness.tick(now, liveness, defaultChannels, log, texts);
        settle();
    }

    /**
     * Replaces the maintenance windows (at start and at every reload); they take effect at the next {@link #tick}, and
     * for a heartbeat whose slot they cover, at once. While a window covers a datacenter it shows MAINTENANCE and
     * counts as UNKNOWN for the global state (neither toward the quorum nor as UP); covering every datacenter of a
     * monitor, the global state is MAINTENANCE. Heartbeats still apply underneath and incidents still open and
     * resolve, but nothing is notified that a datacenter in maintenance causes: no FIRING (the global state cannot
     * reach DOWN through it), no FLAPPING (entering or leaving maintenance is not a change that counts), no CERTIFICATE;
     * a RESOLVED follows only an incident that fired. When the window ends, the global state is recomputed from the
     * states underneath, and a monitor still DOWN fires then.
     */
    public void maintain(Maintenance maintenance) {
        this.maintenance = Objects.requireNonNull(maintenance, "maintenance");
        anyInMaintenance = true; // the next tick looks at every datacenter
        maintenanceBoundary = boundary(maintenance, lastTick);
    }

    /** Whether a maintenance window covers this monitor in this datacenter (as of the last tick or heartbeat). */
    public boolean inMaintenance(int monitorId, int datacenterId) {
        MonitorTracker m = monitors.get(monitorId);
        DatacenterTracker dc = m == null ? null : m.datacenter(datacenterId);
        return dc != null && dc.maintenance;
    }

    private void enterMaintenanceIfCovered(MonitorTracker m, DatacenterTracker dc, Instant slot) {
        if (maintenance.covers(m.monitorId, dc.datacenterId, slot)) {
            m.enterMaintenance(dc, slot, log, texts);
            anyInMaintenance = true;
        }
    }

    private void tickMaintenance(Instant now) {
        lastTick = now;
        if (maintenance.isEmpty() && !anyInMaintenance) {
            return;
        }
        Maintenance active = maintenance.activeAt(now);
        maintenanceBoundary = boundary(maintenance, now);
        if (active.isEmpty() && !anyInMaintenance) {
            return; // windows exist, none is active, and no datacenter has to leave one
        }
        boolean any = false;
        for (MonitorTracker m : ordered) {
            if (m.config != null) {
                any |= m.maintain(active, now, log, texts);
            }
        }
        anyInMaintenance = any;
    }

    /** The earliest instant after {@code t} at which a window starts or ends; {@link Instant#MAX} without windows. */
    private static Instant boundary(Maintenance maintenance, Instant t) {
        Instant next = Instant.MAX;
        for (MaintenanceWindow w : maintenance.windows()) {
            var o = w.occurrence(t);
            if (o.isPresent()) {
                Instant edge = o.get().covers(t) ? o.get().end() : o.get().start();
                next = edge.isBefore(next) ? edge : next;
            }
        }
        return next;
    }

    /**
     * Everything changed since the previous drain; the evaluator then forgets it. Monitors with dependencies that
     * went DOWN since are settled first (fired or suppressed).
     */
    public Changes drain() {
        settle();
        return log.drain();
    }

    public Optional<DatacenterStatus> find(int monitorId, int datacenterId) {
        MonitorTracker m = monitors.get(monitorId);
        DatacenterTracker dc = m == null ? null : m.datacenter(datacenterId);
        return Optional.ofNullable(dc).map(DatacenterTracker::snapshot);
    }

    public Optional<MonitorStatus> find(int monitorId) {
        MonitorTracker m = monitors.get(monitorId);
        return Optional.ofNullable(m == null ? null : m.global).map(GlobalTracker::snapshot);
    }

    public Optional<Incident> findIncident(IncidentKey key) {
        return openIncidents().stream().filter(i -> i.key().equals(key)).findFirst();
    }

    /** Every open incident, monitors first, each kind by subject id. */
    public List<Incident> openIncidents() {
        List<Incident> open = new ArrayList<>();
        for (MonitorTracker m : monitors.values()) {
            if (m.incident != null) {
                open.add(m.incident.snapshot());
            }
            if (m.certificate != null) {
                open.add(m.certificate.snapshot());
            }
            if (m.degraded != null) {
                open.add(m.degraded.snapshot());
            }
        }
        for (OpenIncident i : liveness.open()) {
            open.add(i.snapshot());
        }
        open.sort(Comparator.comparing(Incident::key));
        return open;
    }
}
