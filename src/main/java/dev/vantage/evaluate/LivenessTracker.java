package dev.vantage.evaluate;

import dev.vantage.notify.Event;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;

/** Datacenter incidents: a watched datacenter without a live leader agent is LOST until it is FOUND again. */
final class LivenessTracker {
    private final Duration lostAfter;
    private final TreeMap<Integer, OpenIncident> open = new TreeMap<>();

    LivenessTracker(Duration lostAfter) {
        this.lostAfter = lostAfter;
    }

    void restore(OpenIncident incident) {
        if (open.putIfAbsent(incident.key.subjectId(), incident) != null) {
            throw new IllegalArgumentException("two open incidents for " + incident.key);
        }
    }

    Collection<OpenIncident> open() {
        return open.values();
    }

    /**
     * Opens an incident for every lost datacenter, resolves those seen again, and closes those no longer watched (the
     * list names every watched datacenter).
     */
    void tick(
            Instant now, Collection<DatacenterLiveness> liveness, List<Integer> channels, ChangeLog log, Texts texts) {
        Set<Integer> watched = new HashSet<>();
        for (DatacenterLiveness l : liveness) {
            int id = l.datacenterId();
            watched.add(id);
            Instant seen = l.lastLeaderSeenAt();
            boolean lost = seen == null || Duration.between(seen, now).compareTo(lostAfter) > 0;
            OpenIncident incident = open.get(id);
            if (lost && incident == null) {
                incident = OpenIncident.datacenter(id, seen != null ? seen : now);
                open.put(id, incident);
                log.touch(incident);
                log.notice(incident, Event.LOST, now, channels, texts.lost(id, seen));
            } else if (!lost && incident != null) {
                close(incident, now, log);
                log.notice(incident, Event.FOUND, now, channels, texts.found(id, incident.snapshot()));
            }
        }
        for (OpenIncident incident : new ArrayList<>(open.values())) {
            int id = incident.key.subjectId();
            if (!watched.contains(id)) {
                close(incident, now, log);
                log.notice(incident, Event.RESOLVED, now, channels, texts.unwatched(id));
            }
        }
    }

    private void close(OpenIncident incident, Instant now, ChangeLog log) {
        incident.resolvedAt = now;
        open.remove(incident.key.subjectId());
        log.touch(incident);
    }
}
