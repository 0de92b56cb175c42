package dev.vantage.demo;

import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;

/**
 * The demo's scripted incident, served at {@code /outage}: healthy at first, then failing for probes from some
 * datacenters for a while, then healthy for good. The datacenter is read from the agent's User-Agent
 * ({@code Vantage-Probe/1 (datacenter VA)}). The clock starts at the first request rather than when the targets start,
 * so a slow start (migrations, agents connecting) does not eat into the healthy phase.
 */
final class DemoOutage {
    /**
     * VA and NY: two of the demo's three datacenters, a quorum, so the monitor is DOWN globally and notifies; London
     * keeps succeeding, which shows that one healthy location does not hide an outage.
     */
    static final Set<String> DATACENTERS = Set.of("VA", "NY");

    static final Duration AFTER = Duration.ofSeconds(10);
    static final Duration LASTS = Duration.ofSeconds(30);

    private static final Pattern DATACENTER = Pattern.compile("\\(datacenter ([^)\\s]+)\\)");

    private final Duration after;
    private final Duration lasts;
    private final Set<String> datacenters;
    private final AtomicReference<Instant> first;

    /**
     * The dependents' part of the outage ({@code /outage/dependent}): the "APIs" behind the demo's "database" start
     * failing {@value #DEPENDENT_DELAY_SECONDS} s into its outage, once it is DOWN, and recover
     * {@value #DEPENDENT_EARLY_SECONDS} s before it, so that they are suppressed while it fails and resolve silently.
     */
    static final long DEPENDENT_DELAY_SECONDS = 7;

    static final long DEPENDENT_EARLY_SECONDS = 8;

    /**
     * @param after how long after the first request the outage begins
     * @param lasts how long it lasts
     * @param datacenters codes of the datacenters whose probes fail during it
     */
    DemoOutage(Duration after, Duration lasts, Set<String> datacenters) {
        this(after, lasts, datacenters, new AtomicReference<>());
    }

    private DemoOutage(Duration after, Duration lasts, Set<String> datacenters, AtomicReference<Instant> first) {
        if (after.isNegative() || lasts.isNegative() || lasts.isZero()) {
            throw new IllegalArgumentException("after must not be negative and lasts must be positive");
        }
        this.after = after;
        this.lasts = lasts;
        this.datacenters = Set.copyOf(datacenters);
        this.first = first;
    }

    /** The part of this outage its dependents see, on the same clock (see {@link #DEPENDENT_DELAY_SECONDS}). */
    DemoOutage dependent() {
        return new DemoOutage(
                after.plusSeconds(DEPENDENT_DELAY_SECONDS),
                lasts.minusSeconds(DEPENDENT_DELAY_SECONDS + DEPENDENT_EARLY_SECONDS),
                datacenters,
                first);
    }

    static DemoOutage standard() {
        return new DemoOutage(AFTER, LASTS, DATACENTERS);
    }

    /** Whether a request with this User-Agent (null when absent) received at {@code now} fails. */
    boolean fails(String userAgent, Instant now) {
        first.compareAndSet(null, now);
        Instant begins = first.get().plus(after);
        if (now.isBefore(begins) || !now.isBefore(begins.plus(lasts))) {
            return false;
        }
        var m = DATACENTER.matcher(userAgent == null ? "" : userAgent);
        return m.find() && datacenters.contains(m.group(1));
    }
}
