package dev.vantage.evaluate;

import dev.vantage.notify.Event;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * What changed since the last drain. Trackers carry a flag so that listing one twice costs nothing and the hot path
 * allocates nothing once the lists have grown.
 */
final class ChangeLog {
    private final ArrayList<DatacenterTracker> datacenters = new ArrayList<>();
    private final ArrayList<GlobalTracker> globals = new ArrayList<>();
    private final LinkedHashSet<DatacenterKey> removedDatacenters = new LinkedHashSet<>();
    private final LinkedHashSet<Integer> removedMonitors = new LinkedHashSet<>();
    private final ArrayList<OpenIncident> incidents = new ArrayList<>();
    private final ArrayList<NoticeRequest> notices = new ArrayList<>();
    long lateHeartbeats;
    long ignoredHeartbeats;
    /** Monitors with dependencies that want to fire: {@link Evaluator} settles them once the batch is applied. */
    final ArrayList<MonitorTracker> settling = new ArrayList<>();
    /** Monitors that stopped failing: their suppressed dependents fire on their own when settled. */
    final ArrayList<MonitorTracker> stoppedFailing = new ArrayList<>();

    /** {@code monitor} wants to fire at {@code at} unless a dependency fails; the first request of a batch wins. */
    void settleLater(MonitorTracker monitor, Instant at) {
        if (monitor.settleAt == null) {
            monitor.settleAt = at;
            settling.add(monitor);
        }
    }

    void touch(DatacenterTracker dc) {
        if (!dc.dirty) {
            dc.dirty = true;
            datacenters.add(dc);
        }
    }

    void touch(GlobalTracker global) {
        if (!global.dirty) {
            global.dirty = true;
            globals.add(global);
        }
    }

    void touch(OpenIncident incident) {
        if (!incident.touched) {
            incident.touched = true;
            incidents.add(incident);
        }
    }

    /** A new row for this key: it must not be deleted after all (a datacenter removed and added back). */
    void added(DatacenterTracker dc) {
        removedDatacenters.remove(dc.key());
        touch(dc);
    }

    void added(GlobalTracker global) {
        removedMonitors.remove(global.monitorId);
        touch(global);
    }

    void removed(DatacenterTracker dc) {
        dc.removed = true;
        removedDatacenters.add(dc.key());
    }

    void removedMonitor(int monitorId, GlobalTracker global) {
        if (global != null) {
            global.removed = true;
        }
        removedMonitors.add(monitorId);
    }

    void notice(OpenIncident incident, Event event, Instant at, List<Integer> channels, String summary) {
        notices.add(new NoticeRequest(incident.key, event, at, channels, summary, incident.snapshot()));
    }

    Changes drain() {
        var dcStates = new ArrayList<DatacenterStatus>(datacenters.size());
        for (DatacenterTracker dc : datacenters) {
            dc.dirty = false;
            if (!dc.removed) {
                dcStates.add(dc.snapshot());
            }
        }
        var monitorStates = new ArrayList<MonitorStatus>(globals.size());
        for (GlobalTracker g : globals) {
            g.dirty = false;
            if (!g.removed) {
                monitorStates.add(g.snapshot());
            }
        }
        var touched = new ArrayList<Incident>(incidents.size());
        for (OpenIncident i : incidents) {
            i.touched = false;
            touched.add(i.snapshot());
        }
        var changes = new Changes(
                dcStates,
                monitorStates,
                List.copyOf(removedDatacenters),
                List.copyOf(removedMonitors),
                touched,
                notices,
                lateHeartbeats,
                ignoredHeartbeats);
        datacenters.clear();
        globals.clear();
        removedDatacenters.clear();
        removedMonitors.clear();
        incidents.clear();
        notices.clear();
        lateHeartbeats = 0;
        ignoredHeartbeats = 0;
        return changes;
    }
}
