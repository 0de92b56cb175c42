package dev.vantage.beat;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The --every loop: ticks on a fixed grid, skipping the ones a slow tick overran, never bursting. */
@Timeout(10)
class BeatFixedRateTest {
    private static final Duration PERIOD = Duration.ofMillis(200);

    @Test
    void ticksStayOnTheGridAndASlowTickSkipsTheOnesItOverran() {
        var starts = new CopyOnWriteArrayList<Long>();
        var stop = new CountDownLatch(1);
        var errors = new CopyOnWriteArrayList<RuntimeException>();

        FixedRate.run(
                PERIOD,
                stop,
                () -> {
                    starts.add(System.nanoTime());
                    if (starts.size() == 2) {
                        Thread.sleep(700); // the tick due at 200 ms runs until about 900 ms
                        throw new IllegalStateException("a failing tick does not end the loop");
                    }
                    if (starts.size() == 5) {
                        stop.countDown();
                    }
                },
                errors::add);

        long first = starts.getFirst(); // the loop's start: tick 0 runs at once
        List<Long> slots = starts.stream()
                .map(t -> Math.round((t - first) / (double) PERIOD.toNanos()))
                .toList();
        // The tick due at 200 ms runs until about 900 ms: the ticks due at 400, 600 and 800 ms are skipped and the
        // next one runs at 1000 ms, on the grid. After it, whatever the machine's scheduling hiccups, the ticks keep to
        // the grid: none runs twice in a slot, and none comes right after another, as a burst of late ticks would.
        assertThat(slots.subList(0, 3)).containsExactly(0L, 1L, 5L);
        assertThat(slots).doesNotHaveDuplicates().isSorted();
        for (int i = 1; i < starts.size(); i++) {
            assertThat(starts.get(i) - starts.get(i - 1))
                    .as("gap before tick %d", i)
                    .isGreaterThan(PERIOD.toNanos() / 2);
        }
        assertThat(errors)
                .singleElement()
                .extracting(Throwable::getMessage)
                .isEqualTo("a failing tick does not end the loop");
    }

    @Test
    void anInterruptEndsTheLoopAndKeepsTheFlag() throws Exception {
        var ticks = new CopyOnWriteArrayList<Long>();
        var ended = new CountDownLatch(1);
        var flagKept = new boolean[1];
        Thread loop = Thread.ofPlatform().start(() -> {
            FixedRate.run(PERIOD, new CountDownLatch(1), () -> ticks.add(System.nanoTime()), e -> {});
            flagKept[0] = Thread.currentThread().isInterrupted();
            ended.countDown();
        });
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> ticks.size() >= 2);

        loop.interrupt();

        assertThat(ended.await(2, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        assertThat(flagKept[0]).isTrue();
    }
}
