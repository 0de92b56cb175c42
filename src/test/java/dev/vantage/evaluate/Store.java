package dev.vantage.evaluate;

import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What the lead's persistence does with {@link Changes}, in memory: the rows a restart restores. */
final class Store {
    private final Map<DatacenterKey, DatacenterStatus> datacenterStates = new LinkedHashMap<>();
    private final Map<Integer, MonitorStatus> monitorStates = new LinkedHashMap<>();
    private final Map<IncidentKey, Incident> openIncidents = new LinkedHashMap<>();
    private final List<Incident> resolved = new ArrayList<>();

    void persist(Changes changes) {
        changes.removedDatacenterStates().forEach(datacenterStates::remove);
        for (int monitorId : changes.removedMonitors()) {
            monitorStates.remove(monitorId);
            datacenterStates.keySet().removeIf(k -> k.monitorId() == monitorId);
        }
        for (DatacenterStatus s : changes.datacenterStates()) {
            datacenterStates.put(new DatacenterKey(s.monitorId(), s.datacenterId()), s);
        }
        for (MonitorStatus s : changes.monitorStates()) {
            monitorStates.put(s.monitorId(), s);
        }
        // As IncidentStore does: update the open row of the key, else insert; then each notice must name a row
        // touched now (same key and opening time) or the open row of its key. Times are stored at microseconds, as
        // PostgreSQL does, so an incident the evaluator holds at another precision fails to pair here as it did there.
        Map<IncidentKey, List<Incident>> touched = new LinkedHashMap<>();
        for (Incident i : changes.incidents()) {
            Incident open = openIncidents.get(i.key());
            if (open != null && !open.openedAt().equals(i.openedAt())) {
                throw new AssertionError("a second open incident for " + i.key() + ": " + i + " while " + open);
            }
            Incident row = stored(i);
            if (i.isOpen()) {
                openIncidents.put(i.key(), row);
            } else {
                openIncidents.remove(i.key());
                resolved.add(row);
            }
            touched.computeIfAbsent(i.key(), k -> new ArrayList<>()).add(row);
        }
        for (NoticeRequest n : changes.notices()) {
            boolean named = touched.getOrDefault(n.key(), List.of()).stream()
                            .anyMatch(r -> r.openedAt().equals(n.incident().openedAt()))
                    || openIncidents.containsKey(n.key());
            if (!named) {
                throw new AssertionError("a " + n.event() + " notice for " + n.key() + " names no incident");
            }
        }
    }

    private static Incident stored(Incident i) {
        return new Incident(
                i.key(),
                i.scope(),
                i.openedAt().truncatedTo(ChronoUnit.MICROS),
                i.resolvedAt() == null ? null : i.resolvedAt().truncatedTo(ChronoUnit.MICROS),
                i.errorType(),
                i.errorMessage(),
                i.datacenters(),
                i.notified(),
                i.certNotAfter() == null ? null : i.certNotAfter().truncatedTo(ChronoUnit.MICROS));
    }

    /** A new evaluator built from the rows, as after a restart at T0 (see {@link #restore(java.time.Instant)}). */
    Evaluator restore() {
        return restore(Scenario.T0);
    }

    /** A new evaluator built from the rows, as after a restart of a monitor module that began leading at {@code at}. */
    Evaluator restore(java.time.Instant at) {
        var evaluator = new Evaluator(Scenario.LOST_AFTER, at);
        evaluator.restore(
                List.copyOf(datacenterStates.values()),
                List.copyOf(monitorStates.values()),
                List.copyOf(openIncidents.values()));
        return evaluator;
    }

    List<Incident> resolvedIncidents() {
        return List.copyOf(resolved);
    }

    List<Incident> openIncidents() {
        return List.copyOf(openIncidents.values());
    }
}
