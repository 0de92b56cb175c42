package dev.vantage.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.vantage.Meters;
import dev.vantage.heartbeat.Heartbeat;
import dev.vantage.lease.Leadership;
import dev.vantage.probe.ErrorType;
import dev.vantage.probe.InvalidMonitorException;
import dev.vantage.probe.Monitor;
import dev.vantage.probe.MonitorRegistry;
import dev.vantage.probe.MonitorSpec;
import dev.vantage.probe.ProbeContext;
import dev.vantage.probe.ProbeResult;
import dev.vantage.store.MonitorRow;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The scheduler on the real clock, with a probe type that takes a fixed time, so only scheduling is under test. */
class SchedulerTest {
    private final ConcurrentLinkedQueue<Heartbeat> written = new ConcurrentLinkedQueue<>();
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final MonitorRegistry registry = MonitorRegistry.of(List.of(new FixedTimeMonitor()));
    private final Scheduler scheduler =
            new Scheduler(Clock.systemUTC(), written::add, 7, 3, Leadership.unleased(), 64, meters);

    /** A probe type that takes {@code settings.takes_ms} and ignores its deadline, like a misbehaving target. */
    static final class FixedTimeMonitor implements Monitor<Duration> {
        @Override
        public String type() {
            return "fixed";
        }

        @Override
        public Duration configure(MonitorSpec spec) throws InvalidMonitorException {
            var takes = spec.settings().get("takes_ms");
            if (takes == null || !takes.canConvertToInt()) {
                throw new InvalidMonitorException("settings.takes_ms", "must be a whole number of milliseconds");
            }
            return Duration.ofMillis(takes.asInt());
        }

        @Override
        public ProbeResult probe(Duration takes, ProbeContext context) {
            Instant start = Instant.now();
            try {
                Thread.sleep(takes);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return ProbeResult.at(start).success();
        }
    }

    static MonitorRow row(long id, int intervalSeconds, String settings) {
        return new MonitorRow(
                id,
                "m" + id,
                "fixed",
                "GET",
                null,
                "{\"X-Token\": \"s3cret\"}",
                null,
                settings,
                true,
                null,
                1,
                intervalSeconds,
                false,
                300,
                800);
    }

    private List<Heartbeat> of(long monitorId) {
        return written.stream().filter(h -> h.monitorId() == monitorId).toList();
    }

    @AfterEach
    void stop() {
        scheduler.stop(Duration.ofSeconds(2));
    }

    @Test
    void aProbeMayStartAQuarterOfItsIntervalLateAtMostOneSecond() {
        assertThat(Scheduler.startTolerance(SlotGrid.of(1, Duration.ofSeconds(1))))
                .isEqualTo(Duration.ofMillis(250));
        assertThat(Scheduler.startTolerance(SlotGrid.of(1, Duration.ofSeconds(2))))
                .isEqualTo(Duration.ofMillis(500));
        assertThat(Scheduler.startTolerance(SlotGrid.of(1, Duration.ofSeconds(4))))
                .isEqualTo(Duration.ofSeconds(1));
        assertThat(Scheduler.startTolerance(SlotGrid.of(1, Duration.ofMinutes(5))))
                .isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void everyHeartbeatFillsOneSlotOfItsMonitorsGrid() {
        var snapshot = ConfigSnapshot.build(
                List.of(row(1, 1, "{\"takes_ms\": 5}"), row(2, 1, "{\"takes_ms\": 5}"), row(3, 2, "{\"takes_ms\": 5}")),
                registry);
        scheduler.apply(snapshot);
        scheduler.start();

        await().atMost(Duration.ofSeconds(8)).until(() -> of(1).size() >= 4 && of(3).size() >= 2);

        for (long id : List.of(1L, 2L, 3L)) {
            var grid = snapshot.monitors().get(id).grid();
            var slots = of(id).stream().map(Heartbeat::scheduledAt).toList();
            assertThat(slots).allSatisfy(s -> assertThat(grid.isOnGrid(s)).isTrue());
            assertThat(slots).doesNotHaveDuplicates();
            assertThat(slots).isSorted();
        }
        var first = of(1).getFirst();
        assertThat(first.datacenterId()).isEqualTo(7);
        assertThat(first.agentId()).isEqualTo(3);
        assertThat(first.warningThresholdMs()).isEqualTo(300);
        assertThat(first.criticalThresholdMs()).isEqualTo(800);
        assertThat(first.requestHeaderNames()).containsExactly("X-Token");
        assertThat(first.result().startedAt())
                .isBetween(first.scheduledAt(), first.scheduledAt().plusMillis(500));
    }

    @Test
    void aProbeStillRunningAtItsNextSlotIsNotStackedAndTheSkippedSlotIsCounted() {
        scheduler.apply(ConfigSnapshot.build(List.of(row(1, 1, "{\"takes_ms\": 1300}")), registry));
        scheduler.start();

        await().atMost(Duration.ofSeconds(10)).until(() -> of(1).size() >= 3);

        var slots = of(1).stream().map(Heartbeat::scheduledAt).toList();
        for (int i = 1; i < slots.size(); i++) {
            assertThat(Duration.between(slots.get(i - 1), slots.get(i))).isEqualTo(Duration.ofSeconds(2));
        }
        assertThat(meters.counter(Meters.SLOTS_SKIPPED, "reason", "overrun").count())
                .isGreaterThanOrEqualTo(2);
    }

    @Test
    void aChangedIntervalMovesTheMonitorToItsNewGridAndARemovedMonitorStops() {
        scheduler.apply(ConfigSnapshot.build(
                List.of(row(1, 1, "{\"takes_ms\": 1}"), row(2, 1, "{\"takes_ms\": 1}")), registry));
        scheduler.start();
        await().atMost(Duration.ofSeconds(5)).until(() -> of(1).size() >= 2 && of(2).size() >= 2);

        var changes = scheduler.apply(ConfigSnapshot.build(List.of(row(1, 2, "{\"takes_ms\": 1}")), registry));
        Instant applied = Instant.now();
        int beforeOf2 = of(2).size();

        assertThat(changes.changed()).isEqualTo(1);
        assertThat(changes.removed()).isEqualTo(1);
        var newGrid = SlotGrid.of(1, Duration.ofSeconds(2));
        await().atMost(Duration.ofSeconds(8))
                .until(() -> of(1).stream()
                                .filter(h -> h.scheduledAt().isAfter(applied))
                                .count()
                        >= 2);
        assertThat(of(1).stream().filter(h -> h.scheduledAt().isAfter(applied)))
                .allSatisfy(h -> assertThat(newGrid.isOnGrid(h.scheduledAt())).isTrue());
        // at most one probe of monitor 2 was already in flight when it was removed
        assertThat(of(2).size()).isLessThanOrEqualTo(beforeOf2 + 1);
    }

    @Test
    void anInvalidRowStillWritesAHeartbeatAtEverySlotNamingTheFieldAndReason() {
        var changes = scheduler.apply(ConfigSnapshot.build(List.of(row(5, 1, "{\"takes_ms\": \"soon\"}")), registry));
        scheduler.start();

        await().atMost(Duration.ofSeconds(5)).until(() -> of(5).size() >= 2);

        assertThat(changes.newlyInvalid()).extracting(ScheduledMonitor::id).containsExactly(5L);
        assertThat(of(5)).allSatisfy(h -> {
            assertThat(h.result().success()).isFalse();
            assertThat(h.result().errorType()).isEqualTo(ErrorType.INVALID_CONFIG);
            assertThat(h.result().errorMessage())
                    .isEqualTo("settings.takes_ms: must be a whole number of milliseconds");
            assertThat(h.requestHeaderNames()).as("no request was sent").isEmpty();
        });
    }

    @Test
    void reapplyingTheSameConfigurationChangesNothing() {
        var rows = List.of(row(1, 1, "{\"takes_ms\": 1}"), row(2, 3, "{\"takes_ms\": 1}"));
        scheduler.apply(ConfigSnapshot.build(rows, registry));

        var changes = scheduler.apply(ConfigSnapshot.build(rows, registry));

        assertThat(changes).isEqualTo(new Scheduler.Changes(0, 0, 0, 2, List.of()));
    }

    @Test
    void stopLetsAProbeInFlightFinishAndItsHeartbeatIsDelivered() {
        scheduler.apply(ConfigSnapshot.build(List.of(row(9, 2, "{\"takes_ms\": 400}")), registry));
        scheduler.start();
        await().atMost(Duration.ofSeconds(5)).until(() -> scheduler.inFlight() == 1);

        boolean finished = scheduler.stop(Duration.ofSeconds(3));

        assertThat(finished).isTrue();
        assertThat(of(9)).hasSize(1);
    }
}
