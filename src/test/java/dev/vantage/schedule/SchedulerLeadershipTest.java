package dev.vantage.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.vantage.Meters;
import dev.vantage.heartbeat.Heartbeat;
import dev.vantage.lease.Leadership;
import dev.vantage.probe.MonitorRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The scheduler obeys the lease: a standby probes nothing, a leader stamps its epoch, a lost epoch's results go. */
class SchedulerLeadershipTest {
    private final ConcurrentLinkedQueue<Heartbeat> written = new ConcurrentLinkedQueue<>();
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final MonitorRegistry registry = MonitorRegistry.of(List.of(new SchedulerTest.FixedTimeMonitor()));
    private final SettableLeadership leadership = new SettableLeadership();
    private final Scheduler scheduler = new Scheduler(Clock.systemUTC(), written::add, 7, 3, leadership, 64, meters);

    /** A lease driven by the test: leading or not, the epoch, where its coverage starts, which epochs are lost. */
    static final class SettableLeadership implements Leadership {
        final AtomicBoolean leading = new AtomicBoolean();
        final AtomicLong epoch = new AtomicLong(1);
        final AtomicReference<Instant> coversFrom = new AtomicReference<>(Instant.MIN);
        final AtomicLong lostUpTo = new AtomicLong();
        final AtomicLong admitted = new AtomicLong();

        @Override
        public boolean leading() {
            return leading.get();
        }

        @Override
        public OptionalLong admit(long monitorId, Instant slot) {
            if (!leading.get() || slot.isBefore(coversFrom.get())) {
                return OptionalLong.empty();
            }
            admitted.incrementAndGet();
            return OptionalLong.of(epoch.get());
        }

        @Override
        public boolean keep(long monitorId, long epoch, Instant slot) {
            return epoch > lostUpTo.get();
        }
    }

    private void run(String takesMs) {
        scheduler.apply(ConfigSnapshot.build(
                List.of(SchedulerTest.row(1, 1, takesMs), SchedulerTest.row(2, 1, takesMs)), registry));
        scheduler.start();
    }

    @AfterEach
    void stop() {
        scheduler.stop(Duration.ofSeconds(2));
    }

    @Test
    void aStandbyProbesNothingAndCountsNoSkippedSlot() {
        run("{\"takes_ms\": 1}");
        await().pollDelay(Duration.ofMillis(2_500))
                .atMost(Duration.ofSeconds(3))
                .until(() -> true);

        assertThat(written).isEmpty();
        assertThat(meters.find(Meters.SLOTS_SKIPPED).counters())
                .allSatisfy(c -> assertThat(c.count()).isZero());
    }

    @Test
    void aLeaderStampsTheEpochItWasAdmittedUnderFromItsAcquisitionOn() {
        Instant acquired = Instant.now().plusMillis(1_500);
        leadership.coversFrom.set(acquired);
        leadership.epoch.set(7);
        leadership.leading.set(true);
        run("{\"takes_ms\": 1}");

        await().atMost(Duration.ofSeconds(6)).until(() -> written.size() >= 4);

        assertThat(written).allSatisfy(h -> {
            assertThat(h.leaseEpoch()).isEqualTo(7L);
            assertThat(h.scheduledAt()).isAfterOrEqualTo(acquired);
        });
    }

    @Test
    void resultsOfALostEpochAreAbandonedNotWritten() {
        // The lock is found gone while every probe runs: admitted under epoch 1, finished after epoch 1 was lost.
        leadership.lostUpTo.set(1);
        leadership.leading.set(true);
        run("{\"takes_ms\": 300}");

        await().atMost(Duration.ofSeconds(5))
                .until(() -> meters.counter(Meters.RESULTS_ABANDONED).count() >= 4);
        leadership.leading.set(false);
        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(1)).until(written::isEmpty);

        assertThat(meters.counter(Meters.RESULTS_ABANDONED).count()).isEqualTo(leadership.admitted.get());
    }
}
