package dev.vantage.probe.net;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The deadline of every socket write a probe makes. A blocking write in Java has no timeout ({@code SO_TIMEOUT} only
 * bounds reads): to a peer that never reads, it blocks once the socket buffers are full, for ever. So each write
 * arms a watchdog that closes the socket at the probe's deadline, which ends the write with an exception, reported
 * as a {@link SocketTimeoutException}; a write that finishes in time disarms it.
 *
 * <p>One daemon thread serves every probe: it only closes sockets, and cancelled watchdogs are removed at once, so it
 * holds nothing for writes that finished.
 */
final class WriteDeadline {
    private static final ScheduledThreadPoolExecutor WATCHDOG = watchdog();

    private WriteDeadline() {}

    /** {@code out} with every write and flush bounded by {@code deadlineNanos} ({@link System#nanoTime()}). */
    static OutputStream guard(OutputStream out, Socket socket, long deadlineNanos) {
        return new FilterOutputStream(out) {
            @Override
            public void write(int b) throws IOException {
                bounded(() -> out.write(b));
            }

            @Override
            public void write(byte[] buf, int off, int len) throws IOException {
                bounded(() -> out.write(buf, off, len));
            }

            @Override
            public void flush() throws IOException {
                bounded(out::flush);
            }

            private void bounded(Io io) throws IOException {
                long remaining = deadlineNanos - System.nanoTime();
                if (remaining <= 0) {
                    socket.close();
                    throw new SocketTimeoutException("write deadline passed");
                }
                var fired = new AtomicBoolean();
                ScheduledFuture<?> watchdog = WATCHDOG.schedule(
                        () -> {
                            fired.set(true);
                            closeQuietly(socket);
                        },
                        remaining,
                        TimeUnit.NANOSECONDS);
                try {
                    io.run();
                } catch (IOException e) {
                    if (fired.get()) {
                        var timeout = new SocketTimeoutException("write deadline passed");
                        timeout.initCause(e);
                        throw timeout;
                    }
                    throw e;
                } finally {
                    watchdog.cancel(false);
                }
            }
        };
    }

    @FunctionalInterface
    private interface Io {
        void run() throws IOException;
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // the write it ends reports the timeout
        }
    }

    private static ScheduledThreadPoolExecutor watchdog() {
        var executor = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "vantage-probe-write-deadline");
            t.setDaemon(true);
            return t;
        });
        executor.setRemoveOnCancelPolicy(true);
        return executor;
    }
}
