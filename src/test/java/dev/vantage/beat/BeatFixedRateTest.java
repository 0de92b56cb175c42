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
    private static final Duration PERIOD = Duration.ofMillis(100);

    @Test
    void ticksStayOnTheGridAndASlowTickSkipsTheOnesItOverran() {
        var deadlines = new CopyOnWriteArrayList<Long>();
        var stop = new CountDownLatch(1);
        var errors = new CopyOnWriteArrayList<RuntimeException>();

        FixedRate.run(
                PERIOD,
                stop,
                next -> {
                    deadlines.add(next.nanoTime());
                    if (deadlines.size() == 2) {
                        Thread.sleep(350); // the tick due at 100 ms runs until about 450 ms
                        throw new IllegalStateException("a failing tick does not end the loop");
                    }
                    if (deadlines.size() == 5) {
                        stop.countDown();
                    }
                },
                errors::add);

        long first = deadlines.getFirst() - PERIOD.toNanos(); // the loop's start
        List<Long> slots = deadlines.stream()
                .map(d -> Math.round((d - first) / (double) PERIOD.toNanos()))
                .toList();
        // The ticks due at 200, 300 and 400 ms are skipped and the next one runs at 500 ms (its deadline the slot
        // after, 600 ms): nothing runs twice, late in a burst, or early.
        assertThat(slots).containsExactly(1L, 2L, 6L, 7L, 8L);
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
            FixedRate.run(PERIOD, new CountDownLatch(1), next -> ticks.add(next.nanoTime()), e -> {});
            flagKept[0] = Thread.currentThread().isInterrupted();
            ended.countDown();
        });
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> ticks.size() >= 2);

        loop.interrupt();

        assertThat(ended.await(2, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        assertThat(flagKept[0]).isTrue();
    }
}
