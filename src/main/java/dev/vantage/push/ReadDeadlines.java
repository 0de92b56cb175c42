package dev.vantage.push;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Deadlines for reading a request, which the JDK's HTTP server does not have: at the deadline the reading thread is
 * interrupted, and a thread interrupted while it reads a socket channel closes the channel and gets a {@link
 * java.nio.channels.ClosedByInterruptException}. A sender that sends its body slowly (or not at all) thus holds a
 * thread and a connection for {@code deadline} at most. One timer thread for all requests.
 */
final class ReadDeadlines implements AutoCloseable {
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("ping-read-deadlines").daemon().factory());

    /** A deadline on the current thread, until {@link Armed#close()}. */
    Armed arm(Duration deadline) {
        var armed = new Armed(Thread.currentThread());
        armed.timeout = timer.schedule(armed::expire, deadline.toNanos(), TimeUnit.NANOSECONDS);
        return armed;
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }

    /** One armed deadline. Closing it before it expires disarms it; after, it clears the interrupt it caused. */
    static final class Armed implements AutoCloseable {
        private final Thread thread;
        private ScheduledFuture<?> timeout;
        private boolean done; // guarded by this
        private boolean expired; // guarded by this

        private Armed(Thread thread) {
            this.thread = thread;
        }

        private synchronized void expire() {
            if (!done) {
                expired = true;
                thread.interrupt();
            }
        }

        synchronized boolean expired() {
            return expired;
        }

        /** Disarms; on the armed thread, so that an interrupt of an expired deadline does not outlive it. */
        @Override
        public void close() {
            timeout.cancel(false);
            synchronized (this) {
                done = true;
                if (expired) {
                    Thread.interrupted(); // ours, delivered under this lock: clear it
                }
            }
        }
    }
}
