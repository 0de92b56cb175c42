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

/**
 * Datacenter incidents: a watched datacenter without a live leader agent is LOST until it is FOUND again.
 *
 * <p>Lost means {@code lostAfter} has passed in which a leader <em>could</em> have been seen and was not. The clock
 * starts at the latest of three instants: when this evaluator began watching (its lease acquisition: before it, it
 * could see nothing), when the datacenter's current agents first registered (an agent still taking its lease has
 * not had the chance to lead), and when a leader was last seen. A datacenter whose agents all stopped gracefully is
 * stopped, not lost: an operator did it, and nothing is notified (an incident already open stays open until a leader
 * is seen). Found means a leader seen within {@code lostAfter}.
 */
final class LivenessTracker {
    private final Duration lostAfter;
    private final Instant watchingSince;
    private final TreeMap<Integer, OpenIncident> open = new TreeMap<>();

    LivenessTracker(Duration lostAfter, Instant watchingSince) {
        this.lostAfter = lostAfter;
        this.watchingSince = watchingSince;
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
            if (!watched.add(id)) {
                throw new IllegalArgumentException("datacenter " + id + " listed twice");
            }
            Instant seen = Times.micros(l.lastLeaderSeenAt());
            OpenIncident incident = open.get(id);
            if (incident == null) {
                Instant from = latest(watchingSince, Times.micros(l.watchedSince()), seen);
                if (!l.stopped() && Duration.between(from, now).compareTo(lostAfter) > 0) {
                    incident = OpenIncident.datacenter(id, from);
                    open.put(id, incident);
                    log.touch(incident);
                    log.notice(incident, Event.LOST, now, channels, texts.lost(id, seen, from));
                }
            } else if (seen != null
                    && seen.isAfter(incident.openedAt)
                    && Duration.between(seen, now).compareTo(lostAfter) <= 0) {
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

    private static Instant latest(Instant a, Instant b, Instant c) {
        Instant latest = a;
        if (b != null && b.isAfter(latest)) {
            latest = b;
        }
        if (c != null && c.isAfter(latest)) {
            latest = c;
        }
        return latest;
    }

    private void close(OpenIncident incident, Instant now, ChangeLog log) {
        incident.resolvedAt = now;
        open.remove(incident.key.subjectId());
        log.touch(incident);
    }
}
