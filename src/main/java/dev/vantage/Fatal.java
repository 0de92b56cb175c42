package dev.vantage;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fail whole, never half: a long-lived thread of Vantage (scheduler, config watcher, lease loop, writer, journal
 * syncer, evaluator, delivery, …) that dies of an uncaught throwable stops the process with {@link #EXIT_STATUS}, after
 * one ERROR line naming the thread and the cause. A process with a dead loop would otherwise keep its lease and its
 * {@code ready} answer while doing nothing; a stopped one lets its standby take over and its supervisor restart it.
 * Loops that catch and count ordinary exceptions keep doing so; only what escapes them reaches here.
 *
 * <p>The exit is a process-wide action because the process is what fails; tests, where several components share one
 * JVM, replace it with {@link #exitWith} to observe a death instead of ending the test JVM.
 */
public final class Fatal {
    /** The exit status of a process stopped by a dead thread (EX_SOFTWARE of sysexits.h). */
    public static final int EXIT_STATUS = 70;
    /** How long shutdown hooks (release the lease, flush heartbeats) may run before the process is halted. */
    static final Duration HALT_AFTER = Duration.ofSeconds(20);

    private static final Logger log = LoggerFactory.getLogger(Fatal.class);
    private static final AtomicBoolean exiting = new AtomicBoolean();
    private static volatile Exit exit = Fatal::exitProcess;

    private Fatal() {}

    /** What happens when a long-lived thread dies. */
    @FunctionalInterface
    public interface Exit {
        void died(String thread, Throwable cause);
    }

    /**
     * Replaces the exit until the returned handle is closed (tests only: production code never calls this).
     *
     * @return restores the previous exit
     */
    public static AutoCloseableExit exitWith(Exit replacement) {
        Exit previous = exit;
        exit = Objects.requireNonNull(replacement, "replacement");
        return () -> exit = previous;
    }

    /** {@link AutoCloseable} without a checked exception. */
    public interface AutoCloseableExit extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * Wraps the body of a long-lived thread (or of each run of a periodic task, since an executor keeps a task's
     * throwable in its future where nobody looks): whatever escapes {@code body} stops the process.
     */
    public static Runnable guard(Runnable body) {
        Objects.requireNonNull(body, "body");
        return () -> {
            try {
                body.run();
            } catch (Throwable t) {
                died(Thread.currentThread().getName(), t);
            }
        };
    }

    /** An unstarted daemon platform thread named {@code name} whose death stops the process. */
    public static Thread platformThread(String name, Runnable body) {
        return Thread.ofPlatform().name(name).daemon(true).unstarted(guard(body));
    }

    /** A factory of daemon platform threads named {@code name}, each stopping the process if it dies. */
    public static ThreadFactory platformFactory(String name) {
        ThreadFactory plain = Thread.ofPlatform().name(name).daemon(true).factory();
        return task -> plain.newThread(guard(task));
    }

    /** Logs the death of {@code thread} and runs the exit. */
    public static void died(String thread, Throwable cause) {
        try {
            log.error(
                    "Thread {} died of {}; stopping the process (exit status {}) so that a standby takes over",
                    thread,
                    cause.toString(),
                    EXIT_STATUS,
                    cause);
        } catch (Throwable logging) {
            // Out of memory, the log line may fail too: the exit matters more.
        }
        exit.died(thread, cause);
    }

    private static boolean shuttingDown() {
        Thread probe = new Thread(() -> {});
        try {
            Runtime.getRuntime().addShutdownHook(probe);
            Runtime.getRuntime().removeShutdownHook(probe);
            return false;
        } catch (IllegalStateException e) {
            return true;
        }
    }

    /**
     * Runs the shutdown hooks (the agent releases its lease and flushes heartbeats) from a new thread, so that hooks
     * waiting for the dying thread are not waiting on the thread that called exit; halts if they take too long.
     */
    private static void exitProcess(String thread, Throwable cause) {
        if (shuttingDown() || !exiting.compareAndSet(false, true)) {
            return; // already stopping: a loop dying of the shutdown itself must not cut the graceful stop short
        }
        try {
            Thread.ofPlatform().name("fatal-exit").start(() -> System.exit(EXIT_STATUS));
            Thread.ofPlatform().name("fatal-halt").daemon(true).start(() -> {
                try {
                    Thread.sleep(HALT_AFTER);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                Runtime.getRuntime().halt(EXIT_STATUS);
            });
        } catch (Throwable cannotStartThreads) {
            Runtime.getRuntime().halt(EXIT_STATUS);
        }
    }
}
