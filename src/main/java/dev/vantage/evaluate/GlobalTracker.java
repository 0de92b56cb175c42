package dev.vantage.evaluate;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** The mutable global state of one monitor: its state across datacenters and the flapping window. */
final class GlobalTracker {

    /** What a flapping check found. */
    enum Flap {
        NONE,
        ENTERED,
        SETTLED
    }

    final int monitorId;
    State state;
    Instant since;
    boolean flapping;
    List<Integer> datacentersDown;
    /** Times of global state changes, oldest first. */
    final ArrayList<Instant> changes;

    String details;
    boolean dirty;
    boolean removed;

    GlobalTracker(MonitorStatus s) {
        monitorId = s.monitorId();
        state = s.state();
        since = s.since();
        flapping = s.flapping();
        datacentersDown = s.datacentersDown().stream().sorted().toList();
        changes = new ArrayList<>(s.stateChanges());
        Collections.sort(changes);
        details = s.details();
    }

    static GlobalTracker unknown(int monitorId, Instant now) {
        return new GlobalTracker(
                new MonitorStatus(monitorId, State.UNKNOWN, now, false, List.of(), List.of(), "no data yet"));
    }

    MonitorStatus snapshot() {
        return new MonitorStatus(monitorId, state, since, flapping, datacentersDown, changes, details);
    }

    /**
     * Recomputes the state from the datacenters (ascending by id); returns whether the row changed (state, datacenters
     * down or details). A change of the state itself is recorded in the flapping window. Called only when a datacenter
     * state changed, never per heartbeat, so it may build strings.
     */
    boolean recompute(DatacenterTracker[] datacenters, int quorum, Instant at, Texts texts) {
        List<Integer> down = new ArrayList<>();
        int unknown = 0;
        int maintenance = 0;
        boolean degraded = false;
        for (DatacenterTracker dc : datacenters) {
            if (dc.maintenance) {
                maintenance++; // counts as UNKNOWN: neither toward the quorum nor as UP
                unknown++;
                continue;
            }
            switch (dc.state) {
                case DOWN -> down.add(dc.datacenterId);
                case UNKNOWN -> unknown++;
                case DEGRADED -> degraded = true;
                default -> {}
            }
        }
        State next;
        if (maintenance > 0 && maintenance == datacenters.length) {
            next = State.MAINTENANCE;
        } else if (down.size() >= quorum) {
            next = State.DOWN;
        } else if (!down.isEmpty()) {
            next = State.PARTIAL;
        } else if (unknown == datacenters.length) {
            next = State.UNKNOWN;
        } else if (degraded) {
            next = State.DEGRADED;
        } else {
            next = State.UP;
        }
        String nextDetails = texts.globalDetails(next, datacenters, down, quorum);
        boolean changed = next != state;
        if (changed) {
            // Entering or leaving maintenance is planned, not flapping.
            if (state != State.MAINTENANCE && next != State.MAINTENANCE) {
                insertChange(at);
            }
            state = next;
            since = at;
        }
        if (changed || !down.equals(datacentersDown) || !nextDetails.equals(details)) {
            datacentersDown = List.copyOf(down);
            details = nextDetails;
            return true;
        }
        return false;
    }

    private void insertChange(Instant at) {
        int i = changes.size();
        while (i > 0 && changes.get(i - 1).isAfter(at)) {
            i--; // a replayed heartbeat may carry an older slot than the newest change
        }
        changes.add(i, at);
    }

    /**
     * Drops changes that left the window ending at {@code reference} and flips {@link #flapping} when the count
     * crosses {@code flapChanges}.
     */
    Flap updateFlapping(Instant reference, Policy policy) {
        if (!flapping && changes.size() <= policy.flapChanges()) {
            return Flap.NONE; // pruning only lowers the count: nothing to do on the hot path
        }
        prune(reference, policy.flapWindow());
        boolean now = changes.size() > policy.flapChanges();
        if (now == flapping) {
            return Flap.NONE;
        }
        flapping = now;
        return now ? Flap.ENTERED : Flap.SETTLED;
    }

    private void prune(Instant reference, Duration window) {
        Instant oldest = reference.minus(window);
        int outside = 0;
        while (outside < changes.size() && !changes.get(outside).isAfter(oldest)) {
            outside++;
        }
        changes.subList(0, outside).clear();
    }
}
