package dev.vantage.evaluate;

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
        for (Incident i : changes.incidents()) {
            Incident open = openIncidents.get(i.key());
            if (open != null && !open.openedAt().equals(i.openedAt())) {
                throw new AssertionError("a second open incident for " + i.key() + ": " + i);
            }
            if (i.isOpen()) {
                openIncidents.put(i.key(), i);
            } else {
                openIncidents.remove(i.key());
                resolved.add(i);
            }
        }
    }

    /** A new evaluator built from the rows, as after a restart. */
    Evaluator restore() {
        var evaluator = new Evaluator(Scenario.LOST_AFTER);
        evaluator.restore(
                List.copyOf(datacenterStates.values()),
                List.copyOf(monitorStates.values()),
                List.copyOf(openIncidents.values()));
        return evaluator;
    }

    List<Incident> openIncidents() {
        return List.copyOf(openIncidents.values());
    }
}
