package dev.vantage.heartbeat.journal;

import dev.vantage.Fatal;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The background thread that forces a journal's new records to the disk every interval, so appends never wait for an
 * fsync. The journal's lock is held only to collect the work, never during an fsync. An exception in one pass is
 * logged and the loop goes on: a journal that stopped syncing would lose its durability silently.
 */
final class Syncer {
    private static final Logger log = LoggerFactory.getLogger(Journal.class);
    private static final Duration STOP_WAIT = Duration.ofSeconds(5);

    /** One pass: the segments written since the last, and whether the directory has a new file name. */
    record Work(List<Segment> segments, boolean directory) {}

    private final Journal journal;
    private final long intervalNanos;
    private final Thread thread;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition stopRequested = lock.newCondition();
    private boolean stopping; // guarded by lock
    private boolean failing; // the sync thread's own

    Syncer(Journal journal, Duration interval) {
        this.journal = journal;
        this.intervalNanos = interval.toNanos();
        Map<String, String> context = MDC.getCopyOfContextMap();
        Map<String, String> mdc = context == null ? Map.of() : Map.copyOf(context);
        this.thread = Fatal.platformThread("heartbeat-journal-sync", () -> {
            MDC.setContextMap(mdc);
            run();
        });
    }

    void start() {
        thread.start();
    }

    private void run() {
        while (awaitInterval()) {
            try {
                pass();
            } catch (RuntimeException e) {
                log.error("heartbeat journal sync failed; trying again in {} ms", intervalNanos / 1_000_000, e);
            }
        }
    }

    private void pass() {
        Work work = journal.takeUnsynced();
        if (work == null) {
            return;
        }
        IOException failure = null;
        boolean directoryFailed = false;
        if (work.directory()) {
            try {
                syncDirectory(journal.directory());
            } catch (IOException e) {
                failure = e;
                directoryFailed = true;
            }
        }
        var failed = new ArrayList<Segment>();
        for (Segment segment : work.segments()) {
            try {
                segment.sync();
            } catch (IOException e) {
                failed.add(segment);
                failure = failure == null ? e : failure;
            }
        }
        boolean matters = failure != null && journal.markUnsynced(failed, directoryFailed);
        if (matters && !failing) {
            log.error(
                    "cannot force the heartbeat journal in {} to disk: {}; its records survive a process crash but"
                            + " not a machine crash until this works again",
                    journal.directory(),
                    failure.toString());
        } else if (!matters && failing) {
            log.info("heartbeat journal in {} is forced to disk again", journal.directory());
        }
        failing = matters;
    }

    /** Forces a directory, which makes the name of a file created in it durable. */
    static void syncDirectory(Path directory) throws IOException {
        try (var channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }

    /** Waits one interval; false once stop was requested. */
    private boolean awaitInterval() {
        lock.lock();
        try {
            long left = intervalNanos;
            while (!stopping && left > 0) {
                left = stopRequested.awaitNanos(left);
            }
            return !stopping;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            lock.unlock();
        }
    }

    /** Stops the thread after its current pass, waiting for it a bounded time. */
    void stop() {
        lock.lock();
        try {
            stopping = true;
            stopRequested.signalAll();
        } finally {
            lock.unlock();
        }
        if (Thread.currentThread() == thread) {
            return;
        }
        try {
            if (!thread.join(STOP_WAIT)) {
                log.warn("heartbeat journal sync thread still busy {} after stop; closing without it", STOP_WAIT);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
