package dev.vantage.evaluate;

import dev.vantage.probe.TargetText;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The global state of one monitor across its datacenters: the {@code monitor_states} row with a NULL datacenter id.
 *
 * @param datacentersDown ids of the datacenters that are DOWN, ascending
 * @param stateChanges times of the global state changes still inside the flapping window, oldest first
 */
public record MonitorStatus(
        int monitorId,
        State state,
        Instant since,
        boolean flapping,
        List<Integer> datacentersDown,
        List<Instant> stateChanges,
        String details) {

    public MonitorStatus {
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(since, "since");
        details = TargetText.cut(details, TargetText.SENTENCE_CHARS);
        datacentersDown = List.copyOf(datacentersDown);
        stateChanges = List.copyOf(stateChanges);
    }
}
