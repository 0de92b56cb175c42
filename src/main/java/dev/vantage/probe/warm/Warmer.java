package dev.vantage.probe.warm;

import dev.vantage.Meters;
import dev.vantage.probe.MonitorRegistry;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The agent's use of {@link WarmUp}: one bounded run before its first slot ({@link #beforeFirstSlot}), and while it
 * probes nothing (a standby, or a replica holding no shard) a short round every {@link WarmUpSettings#idleEvery()}
 * ({@link #whileIdle}), or at once when told ({@link #soon}), so that the first probes after a takeover are as exact
 * as the rest. A run never writes a heartbeat and never holds up the lease: it runs beside it, and a run that fails
 * or overruns its budget logs one line and the agent probes anyway. Counted in {@value Meters#WARMUP_RUNS} (by
 * {@code when} and {@code outcome}) and {@value Meters#WARMUP_PROBES}.
 */
public final class Warmer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Warmer.class);
    /** A standby's round runs a tenth of the start's probes: enough to keep compiled code in use, cheap. */
    static final int IDLE_DIVISOR = 10;

    private final MonitorRegistry registry;
    private final WarmUpSettings settings;
    private final MeterRegistry meters;
    private final java.util.function.Supplier<LoopbackTargets> targets;
    private final AtomicBoolean running = new AtomicBoolean();
    private volatile String lastProblem;
    private volatile ScheduledFuture<?> idleRounds;

    public Warmer(MonitorRegistry registry, WarmUpSettings settings, MeterRegistry meters) {
        this(registry, settings, meters, LoopbackTargets::start);
    }

    Warmer(
            MonitorRegistry registry,
            WarmUpSettings settings,
            MeterRegistry meters,
            java.util.function.Supplier<LoopbackTargets> targets) {
        this.registry = registry;
        this.settings = settings;
        this.meters = meters;
        this.targets = targets;
    }

    /** The whole warm-up, on the caller's thread, within the budget; never throws. Nothing when it is off. */
    public WarmUp.Result beforeFirstSlot() {
        if (!settings.enabled()) {
            log.info("Warm-up off (VANTAGE_WARMUP=false): the first probes may read a few ms high");
            return new WarmUp.Result(0, 0, java.time.Duration.ZERO, "off");
        }
        running.set(true);
        try {
            var result = run("start", 1);
            if (result.complete()) {
                log.info(
                        "Warm-up done: {} probes of {} against loopback targets in {} ms ({} failed)",
                        result.probes(),
                        String.join(", ", WarmUp.TYPES),
                        result.took().toMillis(),
                        result.failed());
            } else {
                log.warn(
                        "Warm-up stopped after {} probes in {} ms: {}; probing anyway, the first probes may read a few"
                                + " ms high",
                        result.probes(),
                        result.took().toMillis(),
                        result.problem());
            }
            return result;
        } finally {
            running.set(false);
        }
    }

    /**
     * Every {@link WarmUpSettings#idleEvery()}, a short round on a virtual thread while {@code idle} says this replica
     * probes nothing. The check runs on {@code timer}, the round never does.
     */
    public void whileIdle(ScheduledExecutorService timer, BooleanSupplier idle) {
        if (!settings.enabled()) {
            return;
        }
        long every = settings.idleEvery().toMillis();
        idleRounds = timer.scheduleWithFixedDelay(
                () -> {
                    if (idle.getAsBoolean()) {
                        soon("idle");
                    }
                },
                every,
                every,
                TimeUnit.MILLISECONDS);
    }

    /**
     * A short round now on a virtual thread, unless one is running or the warm-up is off: for the lease to call when
     * this replica stops probing (it lost or handed over all it held), so that it is warm for the next takeover.
     */
    public void soon(String why) {
        if (!settings.enabled() || !running.compareAndSet(false, true)) {
            return;
        }
        var context = MDC.getCopyOfContextMap();
        Thread.ofVirtual().name("warm-up-" + why).start(() -> {
            if (context != null) {
                MDC.setContextMap(context);
            }
            try {
                var result = run(why, IDLE_DIVISOR);
                String problem = result.problem();
                if (problem != null && !problem.equals(lastProblem)) {
                    log.warn("Warm-up round ({}) stopped after {} probes: {}", why, result.probes(), problem);
                } else {
                    log.debug(
                            "Warm-up round ({}): {} probes in {} ms",
                            why,
                            result.probes(),
                            result.took().toMillis());
                }
                lastProblem = problem;
            } catch (RuntimeException e) {
                log.warn("Warm-up round ({}) failed: {}", why, e.toString());
            } finally {
                running.set(false);
            }
        });
    }

    private WarmUp.Result run(String when, int divisor) {
        var result = WarmUp.run(registry, WarmUp.TYPES, settings.budget(), divisor, targets);
        meters.counter(
                        Meters.WARMUP_RUNS,
                        "when",
                        when.equals("start") ? "start" : "idle",
                        "outcome",
                        result.complete() ? "complete" : "incomplete")
                .increment();
        meters.counter(Meters.WARMUP_PROBES).increment(result.probes());
        return result;
    }

    @Override
    public void close() {
        var rounds = idleRounds;
        if (rounds != null) {
            rounds.cancel(false);
        }
    }
}
