package dev.vantage.evaluate;

import dev.vantage.evaluate.GlobalTracker.Flap;
import dev.vantage.notify.Event;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.TreeSet;

/**
 * One monitor: its datacenters, its global state and its open incident. Every rule that spans datacenters (global
 * state, flapping, incidents, notices) runs in {@link #afterChange} and {@link #reconcile}, which are idempotent and
 * run only when a datacenter state changed, the configuration changed or flapping settled.
 */
final class MonitorTracker {
    final int monitorId;
    /** Null between {@code restore} and the first {@code configure}. */
    MonitorConfig config;
    /** Ascending by datacenter id; monitors run in a handful of datacenters, so a scan beats a map. */
    DatacenterTracker[] datacenters = new DatacenterTracker[0];
    /** Null only when restored without a global row. */
    GlobalTracker global;

    OpenIncident incident;
    /**
     * Datacenters that were DOWN in the open incident and have not reported UP or DEGRADED since. A datacenter that
     * went from DOWN to UNKNOWN stays here: losing sight of it is not a recovery.
     */
    final TreeSet<Integer> awaitingRecovery = new TreeSet<>();
    /** The open certificate incident: a certificate within the warning window, notified once. */
    OpenIncident certificate;
    /** The open degraded incident: a datacenter slow for {@code notifyDegradedAfter} slots, notified once. */
    OpenIncident degraded;

    /** Set while queued in {@link ChangeLog#settling}: when it wanted to fire. */
    Instant settleAt;
    /** When it entered flapping while waiting to be settled: the FLAPPING notice waits for the settling too. */
    Instant flappingAt;
    /** {@link #failing()} as of the last reconcile, to tell dependents when it stops. */
    boolean wasFailing;
    /** When {@link #failing()} last turned false. */
    Instant stoppedFailingAt;

    MonitorTracker(int monitorId) {
        this.monitorId = monitorId;
    }

    DatacenterTracker datacenter(int datacenterId) {
        for (DatacenterTracker dc : datacenters) {
            if (dc.datacenterId == datacenterId) {
                return dc;
            }
        }
        return null;
    }

    private int quorum() {
        return Math.min(config.policy().quorum(), Math.max(1, datacenters.length));
    }

    /** A heartbeat changed nothing but the counters: only a flapping monitor has anything to check. */
    void afterHeartbeat(Instant at, ChangeLog log, Texts texts) {
        if (global.flapping && global.updateFlapping(at, config.policy()) == Flap.SETTLED) {
            log.touch(global);
            reconcile(at, log, texts);
        }
    }

    /** A datacenter state changed, or the configuration did: recompute everything that spans datacenters. */
    void afterChange(Instant at, ChangeLog log, Texts texts) {
        if (global.recompute(datacenters, quorum(), at, texts)) {
            log.touch(global);
        }
        Flap flap = global.updateFlapping(at, config.policy());
        if (flap != Flap.NONE) {
            log.touch(global);
        }
        reconcile(at, log, texts);
        reconcileDegraded(at, log, texts);
        if (flap == Flap.ENTERED && incident != null && Incident.SCOPE_GLOBAL.equals(incident.scope) && !suppressed()) {
            // A partial outage never notifies, so neither does its flapping, nor does a suppressed outage.
            if (!incident.notified && !config.dependsOn().isEmpty()) {
                flappingAt = at; // unless a dependency fails: settled with the firing
                log.settleLater(this, at);
            } else {
                flapping(at, log);
            }
        }
    }

    private void flapping(Instant at, ChangeLog log) {
        log.notice(
                incident,
                Event.FLAPPING,
                at,
                config.channels(),
                Texts.flapping(
                        config.name(), global.changes.size(), config.policy().flapWindow()));
    }

    /**
     * A success from {@code dc} (already applied to it): one notice per certificate. A warning about a certificate
     * opens its incident and notifies (CERTIFICATE) unless it is open already; a warning about a later certificate
     * than the open one resolves that (RENEWED) and opens the next; an earlier one changes nothing. The open incident
     * resolves (RENEWED) once no datacenter's last success warns any more: while a datacenter still serves the old
     * certificate, another one serving the new certificate does not close it.
     */
    void afterSuccess(DatacenterTracker dc, Instant at, ChangeLog log) {
        Instant warned = dc.warnedNotAfter;
        if (warned != null) {
            if (certificate != null && !warned.isAfter(certificate.certNotAfter)) {
                return;
            }
            if (certificate != null) {
                resolveCertificate(at, log, Event.RENEWED, Texts.renewed(config.name(), certificate.certNotAfter));
            }
            certificate = OpenIncident.certificate(monitorId, dc.datacenterId, at, warned, dc.warning);
            log.touch(certificate);
            log.notice(
                    certificate,
                    Event.CERTIFICATE,
                    at,
                    config.channels(),
                    Texts.certificate(config.name(), warned, at));
            return;
        }
        if (certificate == null) {
            return;
        }
        for (DatacenterTracker other : datacenters) {
            if (other.warnedNotAfter != null) {
                return;
            }
        }
        resolveCertificate(at, log, Event.RENEWED, Texts.renewed(config.name(), certificate.certNotAfter));
    }

    /**
     * Opens the degraded incident (one DEGRADED notice) when the monitor opted in and a datacenter has been DEGRADED
     * for its slowness ({@link DatacenterTracker#isSlowDegraded}) {@code notifyDegradedAfter} slots in a row: slow for
     * {@code degradedAfter + notifyDegradedAfter - 1} successes, which the persisted slow count survives a restart
     * with. Every datacenter slow while it is open joins it. It resolves (RECOVERED) when no datacenter is slow nor
     * DOWN nor failing and each that joined it is UP or DEGRADED again: an outage in between is the monitor incident's to tell,
     * so it neither closes this one nor adds a notice, and a datacenter gone UNKNOWN has not recovered. A warning alone
     * (a certificate) is not slowness. Idempotent; allocates nothing while nothing opens or closes.
     */
    void reconcileDegraded(Instant at, ChangeLog log, Texts texts) {
        Integer after = config.notifyDegradedAfter();
        if (after == null) {
            if (degraded != null) {
                resolveDegraded(at, log, config.channels(), Texts.degradedNoticesOff(config.name()));
            }
            return;
        }
        Policy policy = config.policy();
        int slowEnough = policy.degradedAfter() + after - 1;
        DatacenterTracker first = null;
        boolean unsettled = false;
        for (DatacenterTracker dc : datacenters) {
            if (dc.maintenance) {
                // Nothing a window covers is told, and it cannot be called recovered either: judged when it ends.
                unsettled = true;
                continue;
            }
            boolean slow = dc.isSlowDegraded(policy);
            // Failing below downAfter leaves the state as it was: not yet a recovery either.
            unsettled |= slow || dc.state == State.DOWN || dc.failures > 0;
            // While an incident is open: the id boxes, which allocates only above Integer's cache (127).
            if (slow && degraded != null && degraded.datacenters.add(dc.datacenterId)) {
                log.touch(degraded);
            }
            if (slow && dc.slow >= slowEnough && first == null) {
                first = dc;
            }
        }
        if (degraded == null) {
            if (first != null) {
                degraded = OpenIncident.degraded(first, first.details);
                log.touch(degraded);
                log.notice(degraded, Event.DEGRADED, at, config.channels(), texts.degraded(config.name(), first));
            }
            return;
        }
        if (unsettled) {
            return;
        }
        for (int id : degraded.datacenters) {
            DatacenterTracker dc = datacenter(id);
            if (dc != null && dc.state != State.UP && dc.state != State.DEGRADED) {
                return;
            }
        }
        OpenIncident closing = degraded;
        closing.resolvedAt = at;
        resolveDegraded(at, log, config.channels(), Texts.recoveredFromSlowness(config.name(), closing.snapshot()));
    }

    private void resolveDegraded(Instant at, ChangeLog log, List<Integer> channels, String summary) {
        OpenIncident closing = degraded;
        closing.resolvedAt = at;
        log.touch(closing);
        degraded = null;
        log.notice(closing, Event.RECOVERED, at, channels, summary);
    }

    private void resolveCertificate(Instant at, ChangeLog log, Event event, String summary) {
        OpenIncident closing = certificate;
        closing.resolvedAt = at;
        log.touch(closing);
        certificate = null;
        log.notice(closing, event, at, config != null ? config.channels() : List.of(), summary);
    }

    /** Time passes: datacenters past their grace window become UNKNOWN, and flapping may settle. */
    void tick(Instant now, ChangeLog log, Texts texts) {
        boolean changed = false;
        Instant at = now;
        for (DatacenterTracker dc : datacenters) {
            if (dc.expire(now, config.policy())) {
                log.touch(dc);
                changed = true;
                at = dc.since.isBefore(at) ? dc.since : at;
            }
        }
        if (changed) {
            afterChange(at, log, texts);
        }
        afterHeartbeat(now, log, texts);
    }

    /**
     * Sets which datacenters are in maintenance at {@code now} ({@code active}: the windows active then); returns
     * whether any is. A datacenter entering or leaving maintenance changes the global state, and what is still DOWN
     * when the last one leaves fires then, through {@link #reconcile}.
     */
    boolean maintain(Maintenance active, Instant now, ChangeLog log, Texts texts) {
        boolean changed = false;
        boolean any = false;
        for (DatacenterTracker dc : datacenters) {
            boolean covered = active.scopes(monitorId, dc.datacenterId);
            any |= covered;
            if (covered != dc.maintenance) {
                dc.maintenance = covered;
                log.touch(dc);
                changed = true;
            }
        }
        if (changed) {
            afterChange(now, log, texts);
        }
        return any;
    }

    /** A heartbeat whose slot lies in a window came before the tick that would have seen the window start. */
    void enterMaintenance(DatacenterTracker dc, Instant at, ChangeLog log, Texts texts) {
        dc.maintenance = true;
        log.touch(dc);
        afterChange(at, log, texts);
    }

    /**
     * Brings the open incident in line with the datacenter and global states: opens or extends it for every DOWN
     * datacenter, makes it global and fires when the monitor is globally DOWN, resolves it when the outage is over.
     * While the monitor flaps it neither fires nor resolves; once settled, the same rules catch up. A monitor with
     * dependencies does not fire here: the evaluator settles it once the batch is applied (see {@link Evaluator}).
     */
    void reconcile(Instant at, ChangeLog log, Texts texts) {
        reconcileIncident(at, log, texts);
        boolean failing = failing();
        if (failing != wasFailing) {
            wasFailing = failing;
            if (!failing) {
                stoppedFailingAt = at;
                log.stoppedFailing.add(this);
            }
        }
    }

    private void reconcileIncident(Instant at, ChangeLog log, Texts texts) {
        boolean anyDown = false;
        for (DatacenterTracker dc : datacenters) {
            if (dc.state == State.DOWN) {
                anyDown = true;
                if (incident == null) {
                    incident = OpenIncident.monitor(dc);
                    log.touch(incident);
                } else if (incident.datacenters.add(dc.datacenterId)) {
                    log.touch(incident);
                }
                awaitingRecovery.add(dc.datacenterId);
            } else if (dc.state == State.UP || dc.state == State.DEGRADED) {
                awaitingRecovery.remove(dc.datacenterId);
            }
        }
        if (incident == null) {
            return;
        }
        if (global.state == State.DOWN && !Incident.SCOPE_GLOBAL.equals(incident.scope)) {
            incident.scope = Incident.SCOPE_GLOBAL;
            log.touch(incident);
        }
        boolean dependent = !config.dependsOn().isEmpty();
        if (dependent && !incident.notified && Incident.SCOPE_GLOBAL.equals(incident.scope)) {
            log.settleLater(this, at); // fired or suppressed once the batch is applied
        }
        if (global.flapping) {
            return;
        }
        if (global.state == State.DOWN && !incident.notified && !dependent) {
            fire(at, log, texts);
        }
        if (!anyDown && awaitingRecovery.isEmpty()) {
            resolve(at, log, config.channels(), false);
        }
    }

    private void fire(Instant at, ChangeLog log, Texts texts) {
        incident.notified = true;
        log.touch(incident);
        log.notice(
                incident,
                Event.FIRING,
                at,
                config.channels(),
                texts.firing(config.name(), global.datacentersDown, incident.snapshot()));
    }

    /**
     * Whether it holds back its dependents: globally DOWN, or its incident reached the quorum (fired, is suppressed
     * itself, or waits for flapping to settle) and is still open. UNKNOWN is not DOWN: a monitor that is only lost
     * from sight suppresses nothing.
     */
    boolean failing() {
        return incident != null
                && global != null
                && (global.state == State.DOWN || Incident.SCOPE_GLOBAL.equals(incident.scope));
    }

    /** Its incident is held back by a dependency's and has not fired on its own. */
    boolean suppressed() {
        return incident != null && incident.suppressedBy != null && !incident.notified;
    }

    /** The incident that notifies for this failing monitor: the one its own is suppressed by, or its own. */
    IncidentRef notifyingIncident() {
        return incident.suppressedBy != null && !incident.notified ? incident.suppressedBy : incident.ref();
    }

    /**
     * Settles a wish to fire: with {@code by} (a failing dependency's notifying incident) the open incident is
     * suppressed, linked to it once; without, it notifies what it held back, FLAPPING and then FIRING when globally
     * DOWN and not flapping, at the slots it wanted to.
     */
    void settle(IncidentRef by, ChangeLog log, Texts texts) {
        Instant at = settleAt;
        Instant flapAt = flappingAt;
        settleAt = null;
        flappingAt = null;
        if (incident == null || incident.notified) {
            return; // resolved (or fired) since it asked
        }
        if (by != null) {
            if (incident.suppressedBy == null) {
                incident.suppressedBy = by;
                log.touch(incident);
            }
            return;
        }
        if (flapAt != null && global.flapping) {
            flapping(flapAt, log);
        }
        if (global.state == State.DOWN && !global.flapping) {
            fire(at, log, texts);
        }
    }

    private void resolve(Instant at, ChangeLog log, List<Integer> channels, boolean removed) {
        OpenIncident closing = incident;
        closing.resolvedAt = at;
        log.touch(closing);
        incident = null;
        awaitingRecovery.clear();
        if (closing.notified) {
            Incident snapshot = closing.snapshot();
            String name = config != null ? config.name() : "monitor #" + monitorId;
            log.notice(
                    closing,
                    Event.RESOLVED,
                    at,
                    channels,
                    removed ? Texts.removed(name, snapshot) : Texts.recovered(name, snapshot));
        }
    }

    /**
     * Applies a new configuration: datacenters added start as no data, removed ones lose their rows, and the global
     * state and incident follow at {@code now}.
     */
    void configure(MonitorConfig next, Instant now, ChangeLog log, Texts texts) {
        config = next;
        List<DatacenterTracker> kept = new ArrayList<>();
        for (int id : new TreeSet<>(next.datacenters())) {
            DatacenterTracker dc = datacenter(id);
            if (dc == null) {
                dc = new DatacenterTracker(DatacenterStatus.noData(monitorId, id, now));
                log.added(dc);
            }
            dc.phaseWarningMs = next.phaseWarningMs(id);
            kept.add(dc);
        }
        for (DatacenterTracker dc : datacenters) {
            if (!next.datacenters().contains(dc.datacenterId)) {
                log.removed(dc);
                awaitingRecovery.remove(dc.datacenterId);
            }
        }
        datacenters = kept.toArray(DatacenterTracker[]::new);
        if (global == null) {
            global = GlobalTracker.unknown(monitorId, now);
            log.added(global);
        }
        afterChange(now, log, texts);
    }

    /**
     * The monitor was removed or disabled: its incident ends and its rows go.
     *
     * @param defaultChannels where to send RESOLVED when the monitor was only restored, never configured
     */
    void remove(Instant now, ChangeLog log, List<Integer> defaultChannels) {
        if (incident != null) {
            resolve(now, log, config != null ? config.channels() : defaultChannels, true);
        }
        if (certificate != null) {
            OpenIncident closing = certificate;
            closing.resolvedAt = now;
            log.touch(closing);
            certificate = null;
            String name = config != null ? config.name() : "monitor #" + monitorId;
            log.notice(
                    closing,
                    Event.RESOLVED,
                    now,
                    config != null ? config.channels() : defaultChannels,
                    Texts.removed(name, closing.snapshot()));
        }
        if (degraded != null) {
            String name = config != null ? config.name() : "monitor #" + monitorId;
            OpenIncident closing = degraded;
            closing.resolvedAt = now;
            resolveDegraded(
                    now,
                    log,
                    config != null ? config.channels() : defaultChannels,
                    Texts.removed(name, closing.snapshot()));
        }
        for (DatacenterTracker dc : datacenters) {
            log.removed(dc);
        }
        log.removedMonitor(monitorId, global);
    }

    /** After a restart: the open certificate incident, which is not notified again for the same certificate. */
    void restoreCertificate(OpenIncident open) {
        if (certificate != null) {
            throw new IllegalArgumentException("two open incidents for " + open.key);
        }
        certificate = open;
    }

    /** After a restart: the open degraded incident, which is not notified again. */
    void restoreDegraded(OpenIncident open) {
        if (degraded != null) {
            throw new IllegalArgumentException("two open incidents for " + open.key);
        }
        degraded = open;
    }

    /** After a restart: what the database says about an incident that is still open. */
    void restore(OpenIncident open) {
        incident = open;
        for (int id : open.datacenters) {
            DatacenterTracker dc = datacenter(id);
            // Whether an UNKNOWN datacenter recovered before it went silent is not stored: assume it did not.
            if (dc != null && (dc.state == State.DOWN || dc.state == State.UNKNOWN)) {
                awaitingRecovery.add(id);
            }
        }
    }

    void restore(DatacenterTracker dc) {
        if (datacenter(dc.datacenterId) != null) {
            throw new IllegalArgumentException(
                    "two states for monitor " + monitorId + " in datacenter " + dc.datacenterId);
        }
        var grown = Arrays.copyOf(datacenters, datacenters.length + 1);
        grown[datacenters.length] = dc;
        Arrays.sort(grown, Comparator.comparingInt(d -> d.datacenterId));
        datacenters = grown;
    }
}
