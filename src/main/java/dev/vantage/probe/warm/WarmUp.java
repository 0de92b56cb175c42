package dev.vantage.probe.warm;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vantage.probe.InvalidMonitorException;
import dev.vantage.probe.MonitorRegistry;
import dev.vantage.probe.MonitorSpec;
import dev.vantage.probe.PreparedProbe;
import dev.vantage.probe.ProbeContext;
import dev.vantage.probe.ProbeResult;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * Runs each monitor type's whole probe path against {@link LoopbackTargets} before the probes that count, so that
 * class loading, the JIT's first compilations and the first park of a virtual thread in a socket read are not counted
 * as network time. {@code vantage probe} runs it before its one probe; the agent before its first slot and, while it
 * probes nothing, now and then (see {@link Warmer}).
 *
 * <p>Its probes run on a virtual thread, as the scheduler's do, and their results are only counted: nothing is
 * written anywhere. Every target is on 127.0.0.1 in this process. A run is bounded by its budget: past it the probe
 * in flight is interrupted and the targets closed (which ends any read), and the caller goes on.
 */
public final class WarmUp {
    /** The most a warm-up probe waits: the targets answer in microseconds, so only a broken warm-up gets near it. */
    static final Duration PROBE_TIMEOUT = Duration.ofSeconds(2);

    /** The most a run waits for the JIT to settle after its probes. */
    static final Duration MAX_SETTLE = Duration.ofSeconds(1);

    private static final Duration SETTLE_SAMPLE = Duration.ofMillis(50);

    private WarmUp() {}

    /**
     * What a run did.
     *
     * @param probes warm-up probes run
     * @param failed those whose result was not a success (each costs nothing but its own accuracy)
     * @param took how long the run took
     * @param problem why the run stopped early (targets that could not start, the budget ran out), or null
     */
    public record Result(int probes, int failed, Duration took, String problem) {
        public boolean complete() {
            return problem == null;
        }
    }

    /**
     * One warm-up case: {@code url} with {@code settings}, {@code times} times.
     *
     * @param type the monitor type, as a row names it
     * @param times how many probes: enough for the path to be compiled (measured with bench/first-probes-vs-curl.sh);
     *     loopback HTTP costs ~0.3 ms a probe, a TLS handshake ~6 ms, so the TLS types get fewer
     */
    record Case(String type, String url, ObjectNode settings, int times) {}

    /**
     * The cases of these targets, by the name a user looks a type up with (its URL scheme: {@code https} is the http
     * type). A type without an entry (icmp: it needs a raw socket) is not warmed up.
     */
    static Map<String, List<Case>> cases(LoopbackTargets t) {
        ObjectNode insecure = JsonNodeFactory.instance.objectNode().put("verify_tls", false);
        ObjectNode none = JsonNodeFactory.instance.objectNode();
        ObjectNode echo =
                JsonNodeFactory.instance.objectNode().put("send", "warm\n").put("expect", "warm");
        return Map.of(
                "http",
                        List.of(
                                new Case("http", t.httpUrl("/fast"), none, 200),
                                new Case("http", t.httpUrl("/wait"), none, 20),
                                new Case("http", t.httpUrl("/big"), none, 5)),
                "https",
                        List.of(
                                new Case("http", t.httpsUrl("/fast"), insecure, 20),
                                new Case("http", t.httpsUrl("/wait"), insecure, 5),
                                new Case("http", t.httpsUrl("/big"), insecure, 3)),
                "tcp", List.of(new Case("tcp", t.tcpUrl(), echo, 50)),
                "dns", List.of(new Case("dns", t.dnsUrl(), none, 50)),
                "tls", List.of(new Case("tls", t.tlsUrl(), insecure, 20)));
    }

    /** Every type this warm-up knows, in a stable order. */
    public static final List<String> TYPES = List.of("http", "https", "tcp", "dns", "tls");

    /** Warms up {@code types} (names from {@link #TYPES}; others are ignored) within {@code budget}. */
    public static Result run(MonitorRegistry registry, Collection<String> types, Duration budget) {
        return run(registry, types, budget, 1, LoopbackTargets::start);
    }

    /**
     * @param divisor each case runs {@code times / divisor} probes (at least one): a standby's periodic round only
     *     keeps a warm path warm
     * @param targets starts the targets (throws when they cannot start)
     */
    static Result run(
            MonitorRegistry registry,
            Collection<String> types,
            Duration budget,
            int divisor,
            Supplier<LoopbackTargets> targets) {
        long start = System.nanoTime();
        var probes = new AtomicInteger();
        var failed = new AtomicInteger();
        var problem = new AtomicReference<String>();
        var started = new AtomicReference<LoopbackTargets>();
        Thread runner = Thread.ofVirtual().name("warm-up").unstarted(() -> {
            try (LoopbackTargets t = targets.get()) {
                started.set(t);
                var cases = cases(t);
                for (String type : TYPES) {
                    if (!types.contains(type)) {
                        continue;
                    }
                    for (Case c : cases.get(type)) {
                        PreparedProbe<?> probe = registry.prepare(spec(c));
                        for (int i = 0; i < Math.max(1, c.times() / divisor); i++) {
                            if (Thread.currentThread().isInterrupted()) {
                                return;
                            }
                            ProbeResult result = probe.run(new ProbeContext(PROBE_TIMEOUT, false));
                            probes.incrementAndGet();
                            if (!result.success()) {
                                failed.incrementAndGet();
                            }
                        }
                    }
                }
                settle(start + budget.toNanos());
            } catch (InvalidMonitorException | RuntimeException e) {
                problem.compareAndSet(null, e.getMessage());
            }
        });
        runner.start();
        try {
            if (!runner.join(budget)) {
                problem.compareAndSet(null, "it took longer than its budget of " + budget.toMillis() + " ms");
                runner.interrupt();
                var t = started.get();
                if (t != null) {
                    t.close(); // ends a read that an interrupt does not
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            runner.interrupt();
            problem.compareAndSet(null, "interrupted");
        }
        return new Result(probes.get(), failed.get(), Duration.ofNanos(System.nanoTime() - start), problem.get());
    }

    /**
     * Waits (within the budget, at most {@link #MAX_SETTLE}) until the JIT has finished what the probes gave it: its
     * total compilation time stops growing for two samples in a row. Compilations still queued when the first slot
     * comes would take the CPU from the first probes on a small machine.
     */
    private static void settle(long deadlineNanos) {
        var jit = ManagementFactory.getCompilationMXBean();
        if (jit == null || !jit.isCompilationTimeMonitoringSupported()) {
            return;
        }
        long until = Math.min(deadlineNanos, System.nanoTime() + MAX_SETTLE.toNanos());
        long last = jit.getTotalCompilationTime();
        int quiet = 0;
        try {
            while (quiet < 2 && System.nanoTime() < until) {
                Thread.sleep(SETTLE_SAMPLE);
                long now = jit.getTotalCompilationTime();
                quiet = now == last ? quiet + 1 : 0;
                last = now;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static MonitorSpec spec(Case c) {
        return new MonitorSpec(
                0,
                "warm-up",
                c.type(),
                null,
                c.url(),
                Map.of(),
                null,
                (int) PROBE_TIMEOUT.toMillis(),
                c.settings(),
                PROBE_TIMEOUT,
                false);
    }
}
