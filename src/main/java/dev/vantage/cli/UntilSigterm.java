package dev.vantage.cli;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * Runs a long-lived process (an agent, a monitor) until SIGTERM or Ctrl+C, then closes it gracefully. The shutdown hook
 * goes in before the process starts: a SIGTERM during start-up then waits for the start to finish and stops it
 * (releasing its lease) instead of ending the JVM half-way.
 */
final class UntilSigterm {
    private UntilSigterm() {}

    /**
     * @param name names the shutdown thread, e.g. {@code agent}
     * @param startBound how long a SIGTERM during start-up waits for the start to finish before the JVM ends anyway
     * @param start starts the process; its exception propagates (picocli reports it)
     */
    static void run(String name, Duration startBound, Supplier<? extends AutoCloseable> start)
            throws InterruptedException {
        var running = new AtomicReference<AutoCloseable>();
        var started = new CountDownLatch(1);
        var stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            try {
                                if (started.await(startBound.toMillis(), TimeUnit.MILLISECONDS)
                                        && running.get() != null) {
                                    running.get().close();
                                }
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            } catch (Exception e) {
                                System.err.println("vantage " + name + ": error while stopping: " + e.getMessage());
                            } finally {
                                stopped.countDown();
                            }
                        },
                        name + "-shutdown"));
        try {
            running.set(start.get());
        } finally {
            started.countDown();
        }
        stopped.await();
    }
}
