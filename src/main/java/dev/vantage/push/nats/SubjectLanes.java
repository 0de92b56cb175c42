package dev.vantage.push.nats;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs work one at a time per key and concurrently across keys: each key with work waiting has a lane, a virtual
 * thread that takes its queue in order and ends when the queue is empty. So a subject's beats are taken in order
 * (a start before the finish that ends its run) while the beats of many subjects wait for their commits at once,
 * which is what lets group commit batch them; and no subject waits behind another's, as it would with a fixed number of
 * lanes chosen by hash. At most {@code maxInFlight} items are queued or running: past that, {@link #submit} waits,
 * which holds the NATS dispatcher back.
 *
 * @param <T> an item of work
 */
final class SubjectLanes<T> {
    private static final Logger log = LoggerFactory.getLogger(SubjectLanes.class);

    private final ConcurrentHashMap<String, ArrayDeque<T>> lanes = new ConcurrentHashMap<>();
    private final Semaphore inFlight;
    private final int maxInFlight;
    private final Consumer<T> work;
    private final Runnable context;

    /**
     * @param work what to do with an item; an exception is logged and the lane goes on
     * @param context run first on each lane's thread (e.g. to set the MDC)
     */
    SubjectLanes(int maxInFlight, Consumer<T> work, Runnable context) {
        this.maxInFlight = maxInFlight;
        this.inFlight = new Semaphore(maxInFlight);
        this.work = work;
        this.context = context;
    }

    /**
     * Queues {@code item} on its key's lane, starting the lane when it has none; waits at most {@code within} while
     * {@code maxInFlight} items are in flight.
     *
     * @return false when it was not queued in time
     */
    boolean submit(String key, T item, Duration within) throws InterruptedException {
        if (!inFlight.tryAcquire(within.toNanos(), TimeUnit.NANOSECONDS)) {
            return false;
        }
        boolean[] start = {false};
        lanes.compute(key, (k, queue) -> {
            if (queue == null) {
                queue = new ArrayDeque<>();
                start[0] = true;
            }
            queue.add(item);
            return queue;
        });
        if (start[0]) {
            Thread.ofVirtual().name("vantage-nats-lane").start(() -> run(key));
        }
        return true;
    }

    private void run(String key) {
        context.run();
        while (true) {
            @SuppressWarnings("unchecked")
            T[] next = (T[]) new Object[1];
            // The head is taken, and an empty lane removed, atomically with submit's add: an item added while the
            // lane ends finds no lane and starts a new one.
            lanes.computeIfPresent(key, (k, queue) -> {
                next[0] = queue.poll();
                return next[0] == null ? null : queue;
            });
            if (next[0] == null) {
                return;
            }
            try {
                work.accept(next[0]);
            } catch (RuntimeException e) {
                log.error("A NATS beat on {} failed: {}", key, e.toString()); // a defect; the lane goes on
            } finally {
                inFlight.release();
            }
        }
    }

    /** Waits until nothing is in flight, at most {@code within}; returns whether it is so. */
    boolean awaitIdle(Duration within) throws InterruptedException {
        if (inFlight.tryAcquire(maxInFlight, within.toNanos(), TimeUnit.NANOSECONDS)) {
            inFlight.release(maxInFlight);
            return true;
        }
        return false;
    }
}
