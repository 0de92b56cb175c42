package dev.vantage.schedule;

import dev.vantage.Fatal;
import dev.vantage.Meters;
import dev.vantage.heartbeat.Heartbeat;
import dev.vantage.heartbeat.HeartbeatSink;
import dev.vantage.lease.Leadership;
import dev.vantage.probe.ErrorType;
import dev.vantage.probe.ProbeContext;
import dev.vantage.probe.ProbeResult;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.PriorityQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Runs every monitor of the current {@link ConfigSnapshot} on its {@link SlotGrid}. One platform thread keeps a queue
 * of due slots; each probe runs on a virtual thread under a global concurrency bound. A probe starts within
 * {@link #startTolerance} of its slot or not at all: a slot that cannot start in time (no permit free: {@code
 * saturated}; the scheduler itself behind: {@code late}) is skipped and counted, never run with what is left of it. A
 * probe that starts gets its monitor's whole timeout; a probe still running at its monitor's next slot is never
 * stacked: that slot is skipped and counted ({@code overrun}).
 *
 * <p>Why: a probe that waited for a permit used to start late with its timeout cut to end before its next slot, so
 * hung targets holding every permit turned a healthy target that needs a few seconds into a false TIMEOUT.
 */
public final class Scheduler implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Scheduler.class);
    /** The most a probe may start after its slot; less on short intervals (see {@link #startTolerance}). */
    public static final Duration MAX_START_TOLERANCE = Duration.ofSeconds(1);
    /** Buckets of the phase histogram: fixed, so that every agent's histograms can be summed. */
    private static final Duration[] PHASE_BUCKETS = java.util.stream.LongStream.of(
                    1, 2, 5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 30_000)
            .mapToObj(Duration::ofMillis)
            .toArray(Duration[]::new);

    private final Clock clock;
    private final HeartbeatSink sink;
    private final int datacenterId;
    private final Integer agentId;
    private final Leadership leadership;
    private final Counter abandoned;
    private final Semaphore permits;
    private final ExecutorService probes;
    private final MeterRegistry meters;
    private final Timer lateness;
    private final Map<String, String> mdc;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final PriorityQueue<Firing> queue = new PriorityQueue<>();
    private final Map<Long, Entry> entries = new HashMap<>();
    private final Map<Long, AtomicBoolean> running = new ConcurrentHashMap<>();
    private final Map<Long, Instant> lastSlot = new ConcurrentHashMap<>();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger invalidCount = new AtomicInteger();
    private final AtomicInteger scheduledCount = new AtomicInteger();
    private long generation;
    private boolean stopping;
    private Thread loop;

    /**
     * @param datacenterId stamped on every heartbeat
     * @param agentId stamped on every heartbeat (null outside an agent)
     * @param leadership asked before every probe (may it start, under which epoch) and after (may its result be kept)
     */
    private final String userAgent;

    public Scheduler(
            Clock clock,
            HeartbeatSink sink,
            int datacenterId,
            Integer agentId,
            Leadership leadership,
            int maxConcurrency,
            MeterRegistry meters) {
        this(clock, sink, datacenterId, agentId, leadership, maxConcurrency, meters, ProbeContext.USER_AGENT);
    }

    /** @param userAgent the User-Agent of probes whose monitor sets none */
    public Scheduler(
            Clock clock,
            HeartbeatSink sink,
            int datacenterId,
            Integer agentId,
            Leadership leadership,
            int maxConcurrency,
            MeterRegistry meters,
            String userAgent) {
        this.userAgent = userAgent;
        if (maxConcurrency < 1) {
            throw new IllegalArgumentException("maxConcurrency must be at least 1, was " + maxConcurrency);
        }
        this.clock = clock;
        this.sink = sink;
        this.datacenterId = datacenterId;
        this.agentId = agentId;
        this.leadership = leadership;
        this.abandoned = meters.counter(Meters.RESULTS_ABANDONED);
        this.permits = new Semaphore(maxConcurrency);
        this.probes = Executors.newThreadPerTaskExecutor(
                Thread.ofVirtual().name("probe-", 0).factory());
        this.meters = meters;
        this.lateness = Timer.builder(Meters.SCHEDULE_LATENESS)
                .description("How late probes start after their slot")
                .register(meters); // buckets from dev.vantage.web.MeterConventions
        this.mdc = MDC.getCopyOfContextMap() == null ? Map.of() : Map.copyOf(MDC.getCopyOfContextMap());
        meters.gauge(Meters.PROBES_IN_FLIGHT, inFlight);
        meters.gauge(Meters.MONITORS_INVALID, invalidCount);
        meters.gauge(Meters.MONITORS_SCHEDULED, scheduledCount);
    }

    private record Entry(ScheduledMonitor monitor, long generation) {}

    private record Firing(Instant slot, long monitorId, long generation) implements Comparable<Firing> {
        @Override
        public int compareTo(Firing o) {
            int c = slot.compareTo(o.slot);
            return c != 0 ? c : Long.compare(monitorId, o.monitorId);
        }
    }

    /** What {@link #apply} changed, for the reload log line and tests. */
    public record Changes(int added, int changed, int removed, int unchanged, List<ScheduledMonitor> newlyInvalid) {}

    /**
     * Replaces the running configuration. Monitors whose row did not change keep their place on the grid; changed
     * ones restart with their new definition from their next slot; removed ones stop (a probe in flight finishes).
     */
    public Changes apply(ConfigSnapshot snapshot) {
        int added = 0;
        int changedCount = 0;
        int removed = 0;
        int unchanged = 0;
        var newlyInvalid = new ArrayList<ScheduledMonitor>();
        lock.lock();
        try {
            Instant now = clock.instant();
            for (var it = entries.entrySet().iterator(); it.hasNext(); ) {
                var e = it.next();
                if (!snapshot.monitors().containsKey(e.getKey())) {
                    it.remove();
                    lastSlot.remove(e.getKey());
                    removed++;
                }
            }
            for (ScheduledMonitor m : snapshot.monitors().values()) {
                Entry old = entries.get(m.id());
                if (old != null && old.monitor().sameDefinitionAs(m)) {
                    unchanged++;
                    continue;
                }
                if (old == null) {
                    added++;
                } else {
                    changedCount++;
                }
                if (!m.valid()) {
                    newlyInvalid.add(m);
                }
                long gen = ++generation;
                entries.put(m.id(), new Entry(m, gen));
                Instant first = m.grid().slotAtOrAfter(now);
                Instant last = lastSlot.get(m.id());
                if (last != null && !first.isAfter(last)) {
                    first = m.grid().slotAtOrAfter(last.plusMillis(1));
                }
                queue.add(new Firing(first, m.id(), gen));
            }
            invalidCount.set(snapshot.invalid().size());
            scheduledCount.set(entries.size());
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        return new Changes(added, changedCount, removed, unchanged, List.copyOf(newlyInvalid));
    }

    public synchronized void start() {
        if (loop != null) {
            throw new IllegalStateException("scheduler already started");
        }
        loop = Fatal.platformThread("scheduler", this::runLoop);
        loop.start();
    }

    private void runLoop() {
        if (!mdc.isEmpty()) {
            MDC.setContextMap(mdc);
        }
        log.info("Scheduler started");
        while (true) {
            Entry entry;
            Firing due;
            lock.lock();
            try {
                due = nextDue();
                if (due == null) {
                    break;
                }
                entry = entries.get(due.monitorId());
                if (entry == null || entry.generation() != due.generation()) {
                    continue;
                }
                queue.add(new Firing(entry.monitor().grid().next(due.slot()), due.monitorId(), due.generation()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } finally {
                lock.unlock();
            }
            try {
                dispatch(entry.monitor(), due.slot());
            } catch (RuntimeException e) {
                meters.counter(Meters.LOOP_ERRORS, "loop", "scheduler").increment();
                log.error("Scheduler could not dispatch monitor {} slot {}", due.monitorId(), due.slot(), e);
            }
        }
        log.info("Scheduler stopped");
    }

    /** Waits (holding the lock, released while waiting) until the head of the queue is due; null when stopping. */
    private Firing nextDue() throws InterruptedException {
        while (!stopping) {
            Firing head = queue.peek();
            if (head == null) {
                changed.await();
                continue;
            }
            long waitNanos = Duration.between(clock.instant(), head.slot()).toNanos();
            if (waitNanos <= 0) {
                return queue.poll();
            }
            changed.awaitNanos(waitNanos);
        }
        return null;
    }

    private void dispatch(ScheduledMonitor monitor, Instant slot) {
        Instant now = clock.instant();
        lastSlot.put(monitor.id(), slot);
        if (!leadership.leading()) {
            return; // a standby: the leader probes this slot
        }
        OptionalLong epoch = leadership.admit(monitor.id(), slot);
        if (epoch.isEmpty()) {
            return; // the lease counts why (vantage.schedule.slots.skipped, reason lease_unconfirmed or before_lease)
        }
        Instant startBy = slot.plus(startTolerance(monitor.grid()));
        if (now.isAfter(startBy)) {
            skip(monitor, slot, "late");
            return;
        }
        AtomicBoolean busy = running.computeIfAbsent(monitor.id(), id -> new AtomicBoolean());
        if (!busy.compareAndSet(false, true)) {
            skip(monitor, slot, "overrun");
            return;
        }
        inFlight.incrementAndGet();
        try {
            probes.execute(() -> {
                try {
                    runProbe(monitor, slot, startBy, epoch.getAsLong());
                } finally {
                    busy.set(false);
                    inFlight.decrementAndGet();
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            busy.set(false);
            inFlight.decrementAndGet();
            skip(monitor, slot, "stopping");
        }
    }

    /**
     * How long after its slot a probe may still start: a quarter of the interval, at most {@link #MAX_START_TOLERANCE}.
     * Later than that, the slot is skipped rather than probed late.
     */
    public static Duration startTolerance(SlotGrid grid) {
        Duration quarter = Duration.ofMillis(grid.intervalMillis() / 4);
        return quarter.compareTo(MAX_START_TOLERANCE) < 0 ? quarter : MAX_START_TOLERANCE;
    }

    private void runProbe(ScheduledMonitor monitor, Instant slot, Instant startBy, long epoch) {
        if (!mdc.isEmpty()) {
            MDC.setContextMap(mdc);
        }
        MDC.put("monitor", Long.toString(monitor.id()));
        try {
            long wait = Math.max(0, Duration.between(clock.instant(), startBy).toNanos());
            if (!permits.tryAcquire(wait, TimeUnit.NANOSECONDS)) {
                skip(monitor, slot, "saturated");
                return;
            }
            try {
                lateness.record(Duration.between(slot, clock.instant()));
                ProbeResult result = probe(monitor);
                record(monitor, result);
                if (!leadership.keep(monitor.id(), epoch, slot)) {
                    abandoned.increment();
                    log.debug(
                            "Abandoned the result of slot {} of monitor {}: lease epoch {} lost",
                            slot,
                            monitor.id(),
                            epoch);
                    return;
                }
                sink.offer(new Heartbeat(
                        monitor.id(),
                        datacenterId,
                        agentId,
                        epoch == Leadership.NO_EPOCH ? null : epoch,
                        slot,
                        result,
                        monitor.warningThresholdMs(),
                        monitor.criticalThresholdMs(),
                        // An invalid row sent no request: its header names may be the reason it is invalid
                        // (a whole "Authorization: Bearer …" line pasted as a name), so none are stored.
                        monitor.valid() ? List.copyOf(monitor.spec().headers().keySet()) : List.of()));
            } finally {
                permits.release();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            skip(monitor, slot, "stopping");
        } finally {
            MDC.clear();
        }
    }

    private ProbeResult probe(ScheduledMonitor monitor) {
        if (!monitor.valid()) {
            return ProbeResult.invalidConfig(clock.instant(), monitor.invalidReason());
        }
        // The monitor's own timeout, whole: a probe that ran late never had it cut (it was skipped instead).
        Duration timeout = monitor.spec().effectiveTimeout();
        return monitor.probe().run(new ProbeContext(timeout, monitor.spec().includeResponseBody(), userAgent));
    }

    private void record(ScheduledMonitor monitor, ProbeResult result) {
        String type =
                monitor.probe() == null ? "invalid" : monitor.probe().monitor().type();
        String outcome = result.success() ? "success" : result.errorType().name();
        meters.counter(Meters.PROBES, "type", type, "outcome", outcome).increment();
        var t = result.timings();
        phase(type, "dns", t.dns());
        phase(type, "connect", t.connect());
        phase(type, "tls", t.tls());
        phase(type, "server_processing", t.serverProcessing());
        phase(type, "transfer", t.transfer());
        phase(type, "total", t.total());
        if (result.errorType() == ErrorType.INTERNAL) {
            log.error("Probe of monitor {} failed inside Vantage: {}", monitor.id(), result.errorMessage());
        }
    }

    private void phase(String type, String phase, Double millis) {
        if (millis == null) {
            return; // a phase that did not happen is no sample of 0
        }
        Timer.builder(Meters.PROBE_PHASES)
                .description("Duration of one phase of a probe")
                .tags("type", type, "phase", phase)
                .serviceLevelObjectives(PHASE_BUCKETS)
                .register(meters)
                .record(Math.round(millis * 1_000_000), TimeUnit.NANOSECONDS);
    }

    private void skip(ScheduledMonitor monitor, Instant slot, String reason) {
        skipCounter(reason).increment();
        log.debug("Skipped slot {} of monitor {}: {}", slot, monitor.id(), reason);
    }

    private Counter skipCounter(String reason) {
        return meters.counter(Meters.SLOTS_SKIPPED, "reason", reason);
    }

    /** Probes started and not finished. */
    public int inFlight() {
        return inFlight.get();
    }

    /**
     * Stops scheduling at once, lets probes in flight finish within {@code grace}, then interrupts the rest. Returns
     * true when every probe finished in time.
     */
    public boolean stop(Duration grace) {
        lock.lock();
        try {
            stopping = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        Thread t;
        synchronized (this) {
            t = loop;
        }
        if (t != null) {
            try {
                t.join(grace.toMillis() + 1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        probes.shutdown();
        try {
            if (probes.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                return true;
            }
            log.warn("{} probes still running after {} ms; interrupting them", inFlight.get(), grace.toMillis());
            probes.shutdownNow();
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            probes.shutdownNow();
            return false;
        }
    }

    @Override
    public void close() {
        stop(Duration.ofSeconds(5));
    }
}
