package dev.vantage.beat;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A fixed-rate loop on the monotonic clock: tick {@code k} is due at {@code start + k × period}, whatever the ticks
 * before it took, so the rate does not drift the way {@code sleep(period)} after each tick does. A tick that overran
 * the next ones makes the loop skip them, never run them late in a burst. An exception from a tick goes to the error
 * handler and the loop goes on.
 */
public final class FixedRate {
    /** One tick's work. */
    @FunctionalInterface
    public interface Tick {
        void run() throws InterruptedException;
    }

    private FixedRate() {}

    /**
     * Ticks until {@code stop} is counted down or the thread is interrupted (the flag is kept).
     *
     * @param onError told of a tick's exception; the loop continues at the next tick
     */
    public static void run(Duration period, CountDownLatch stop, Tick tick, Consumer<RuntimeException> onError) {
        long step = period.toNanos();
        if (step <= 0) {
            throw new IllegalArgumentException("period must be more than 0, was " + period);
        }
        long start = System.nanoTime();
        long k = 0;
        try {
            while (stop.getCount() > 0 && !Thread.currentThread().isInterrupted()) {
                try {
                    tick.run();
                } catch (RuntimeException e) {
                    onError.accept(e);
                }
                long elapsed = System.nanoTime() - start;
                k = Math.max(k + 1, elapsed / step + (elapsed % step == 0 ? 0 : 1));
                long wait = start + k * step - System.nanoTime();
                if (stop.await(Math.max(0, wait), TimeUnit.NANOSECONDS)) {
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
