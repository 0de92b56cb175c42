package dev.vantage.probe.warm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.vantage.Meters;
import dev.vantage.probe.MonitorRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

/** The warm-up against its real loopback targets, and what it does when they cannot start or it overruns. */
class WarmUpIT {
    private static final MonitorRegistry REGISTRY = MonitorRegistry.load();

    @Test
    void everyTypeRunsItsWholeProbePathAgainstLoopbackTargetsAndSucceeds() {
        var result = WarmUp.run(REGISTRY, WarmUp.TYPES, Duration.ofSeconds(60));

        assertThat(result.problem()).isNull();
        assertThat(result.failed()).isZero();
        int expected = 0;
        try (var targets = LoopbackTargets.start()) {
            for (var cases : WarmUp.cases(targets).values()) {
                expected += cases.stream().mapToInt(WarmUp.Case::times).sum();
            }
        }
        assertThat(result.probes()).isEqualTo(expected);
    }

    @Test
    void everyCaseAimsAtLoopbackOnly() {
        try (var targets = LoopbackTargets.start()) {
            assertThat(WarmUp.cases(targets).keySet()).containsExactlyInAnyOrderElementsOf(WarmUp.TYPES);
            assertThat(WarmUp.cases(targets).values().stream().flatMap(List::stream))
                    .allSatisfy(c -> assertThat(c.url()).matches("[a-z]+://127\\.0\\.0\\.1:\\d+(/.*)?"));
        }
    }

    @Test
    void onlyTheTypesAskedForAreWarmedUp() {
        var result = WarmUp.run(REGISTRY, List.of("tcp"), Duration.ofSeconds(30));

        assertThat(result.complete()).isTrue();
        assertThat(result.probes()).isEqualTo(50);
    }

    @Test
    void targetsThatCannotStartMakeAnIncompleteRunNotAnException() {
        var result = WarmUp.run(REGISTRY, WarmUp.TYPES, Duration.ofSeconds(10), 1, () -> {
            throw new UncheckedIOException(new java.net.BindException("Address already in use"));
        });

        assertThat(result.complete()).isFalse();
        assertThat(result.probes()).isZero();
        assertThat(result.problem()).contains("Address already in use");
    }

    @Test
    void aRunPastItsBudgetStopsAndSaysSo() {
        var result = WarmUp.run(REGISTRY, WarmUp.TYPES, Duration.ofMillis(1));

        assertThat(result.complete()).isFalse();
        assertThat(result.problem()).isEqualTo("it took longer than its budget of 1 ms");
    }

    @Test
    void aWarmerCountsItsRunsAndProbesAndNeverThrowsWhenTheTargetsFail() {
        var meters = new SimpleMeterRegistry();
        var failing = new Warmer(REGISTRY, WarmUpSettings.DEFAULTS, meters, () -> {
            throw new UncheckedIOException(new java.net.BindException("Address already in use"));
        });

        var result = failing.beforeFirstSlot();

        assertThat(result.problem()).contains("Address already in use");
        assertThat(meters.counter(Meters.WARMUP_RUNS, "when", "start", "outcome", "incomplete")
                        .count())
                .isEqualTo(1);
    }

    @Test
    void aWarmerRunsShortRoundsWhileItsReplicaIsIdle() {
        var meters = new SimpleMeterRegistry();
        var settings = WarmUpSettings.DEFAULTS.withIdleEvery(Duration.ofSeconds(1));
        var timer = Executors.newSingleThreadScheduledExecutor();
        var idle = new java.util.concurrent.atomic.AtomicBoolean(false);
        try (var warmer = new Warmer(REGISTRY, settings, meters)) {
            warmer.whileIdle(timer, idle::get);
            idle.set(true);
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> meters.counter(Meters.WARMUP_RUNS, "when", "idle", "outcome", "complete")
                                    .count()
                            >= 2);
            idle.set(false);
            double probes = meters.counter(Meters.WARMUP_PROBES).count();
            assertThat(probes).isPositive();
        } finally {
            timer.shutdownNow();
        }
    }

    @Test
    void aWarmerThatIsOffRunsNothing() {
        var meters = new SimpleMeterRegistry();
        var warmer = new Warmer(REGISTRY, WarmUpSettings.OFF, meters);

        var result = warmer.beforeFirstSlot();
        warmer.soon("test");

        assertThat(result.probes()).isZero();
        assertThat(meters.find(Meters.WARMUP_RUNS).counters()).isEmpty();
    }
}
