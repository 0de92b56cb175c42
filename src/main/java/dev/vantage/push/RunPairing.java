package dev.vantage.push;

import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pairs a run's start beat with the success or fail that ends it, for the run's duration, as Healthchecks does: a
 * finish with a run id ({@code ?rid=}) ends the start with that id; one without ends the monitor's latest start. Starts
 * are remembered in memory, at most {@link #MAX_TRACKED} with run ids (the oldest forgotten first) and one without per
 * monitor, for {@code maxRun}. Behind a load balancer the start may have reached another replica: a finish with a run
 * id that this process did not see looks the start up in the database (see {@link Starts}). One without cannot be
 * paired then: send run ids when replicas share the traffic.
 */
final class RunPairing {
    private static final Logger log = LoggerFactory.getLogger(RunPairing.class);
    static final int MAX_TRACKED = 10_000;

    /** Where starts seen by other replicas are found. */
    @FunctionalInterface
    interface Starts {
        /** The receive time of the newest start of the monitor with this run id received since {@code since}. */
        Optional<Instant> find(int monitorId, UUID rid, Instant since);
    }

    private record Start(Instant at, UUID rid) {}

    private record RunKey(int monitorId, UUID rid) {}

    private final Starts database;
    private final Duration maxRun;
    private final ConcurrentHashMap<Integer, Start> latest = new ConcurrentHashMap<>();
    private final LinkedHashMap<RunKey, Instant> byRid = new LinkedHashMap<>(); // guarded by itself

    RunPairing(Starts database, Duration maxRun) {
        this.database = database;
        this.maxRun = maxRun;
    }

    void started(int monitorId, UUID rid, Instant at) {
        latest.put(monitorId, new Start(at, rid));
        if (rid != null) {
            synchronized (byRid) {
                byRid.remove(new RunKey(monitorId, rid)); // a repeated start moves to the newest end
                byRid.put(new RunKey(monitorId, rid), at);
                if (byRid.size() > MAX_TRACKED) {
                    Iterator<Map.Entry<RunKey, Instant>> oldest =
                            byRid.entrySet().iterator();
                    oldest.next();
                    oldest.remove();
                }
            }
        }
    }

    /**
     * The duration in milliseconds (microsecond precision) of the run that a finish received at {@code at} ends, or
     * null when no start within {@code maxRun} pairs with it. Forgets nothing: {@link #finished} does, once the finish
     * is accepted, so a finish answered 503 and sent again is paired again.
     */
    Double durationMs(int monitorId, UUID rid, Instant at) {
        Instant start = startOf(monitorId, rid, at);
        if (start == null) {
            return null;
        }
        Duration run = Duration.between(start, at);
        if (run.isNegative() || run.compareTo(maxRun) > 0) {
            return null;
        }
        return run.toNanos() / 1_000 / 1_000.0;
    }

    private Instant startOf(int monitorId, UUID rid, Instant at) {
        if (rid == null) {
            Start start = latest.get(monitorId);
            return start == null ? null : start.at();
        }
        Instant start;
        synchronized (byRid) {
            start = byRid.get(new RunKey(monitorId, rid));
        }
        if (start != null) {
            return start;
        }
        try {
            return database.find(monitorId, rid, at.minus(maxRun)).orElse(null);
        } catch (RuntimeException e) {
            log.debug("cannot look up the start of a run of monitor {}: {}", monitorId, e.toString());
            return null; // the beat is worth more than its duration
        }
    }

    /** The run is over: its start pairs with no other finish. */
    void finished(int monitorId, UUID rid) {
        if (rid == null) {
            latest.remove(monitorId);
            return;
        }
        latest.computeIfPresent(monitorId, (id, start) -> rid.equals(start.rid()) ? null : start);
        synchronized (byRid) {
            byRid.remove(new RunKey(monitorId, rid));
        }
    }

    /** Forgets the monitors that are gone, and starts older than {@code maxRun}. */
    void retain(Set<Integer> monitorIds, Instant now) {
        Instant oldest = now.minus(maxRun);
        latest.entrySet()
                .removeIf(e ->
                        !monitorIds.contains(e.getKey()) || e.getValue().at().isBefore(oldest));
        synchronized (byRid) {
            byRid.entrySet()
                    .removeIf(e -> !monitorIds.contains(e.getKey().monitorId())
                            || e.getValue().isBefore(oldest));
        }
    }
}
