package dev.vantage.evaluate;

import java.util.List;

/**
 * Everything that changed since the previous {@link Evaluator#drain()}, to persist in one transaction. The lists are
 * disjoint where it matters: a state row is either upserted or removed, never both.
 *
 * @param datacenterStates per-datacenter rows to upsert (new or changed)
 * @param monitorStates global rows to upsert (new or changed)
 * @param removedDatacenterStates per-datacenter rows to delete (datacenter or monitor no longer configured)
 * @param removedMonitors monitors whose global row (and every per-datacenter row) to delete
 * @param incidents every incident opened, updated or resolved, its latest snapshot, in the order first touched; an
 *     incident without an open row of its key in the database is new (insert), else it updates that row
 * @param notices notifications to enqueue, in the order they happened
 * @param lateHeartbeats heartbeats ignored because their slot was not after the newest applied one
 * @param ignoredHeartbeats heartbeats of a monitor or datacenter not configured (removed, disabled, not yet loaded),
 *     and pushed {@code start} and {@code log} beats, which change no state
 */
public record Changes(
        List<DatacenterStatus> datacenterStates,
        List<MonitorStatus> monitorStates,
        List<DatacenterKey> removedDatacenterStates,
        List<Integer> removedMonitors,
        List<Incident> incidents,
        List<NoticeRequest> notices,
        long lateHeartbeats,
        long ignoredHeartbeats) {

    public Changes {
        datacenterStates = List.copyOf(datacenterStates);
        monitorStates = List.copyOf(monitorStates);
        removedDatacenterStates = List.copyOf(removedDatacenterStates);
        removedMonitors = List.copyOf(removedMonitors);
        incidents = List.copyOf(incidents);
        notices = List.copyOf(notices);
    }

    public boolean isEmpty() {
        return datacenterStates.isEmpty()
                && monitorStates.isEmpty()
                && removedDatacenterStates.isEmpty()
                && removedMonitors.isEmpty()
                && incidents.isEmpty()
                && notices.isEmpty()
                && lateHeartbeats == 0
                && ignoredHeartbeats == 0;
    }
}
