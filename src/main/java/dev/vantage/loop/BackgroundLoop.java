package dev.vantage.loop;

import dev.vantage.Causes;
import dev.vantage.Fatal;
import dev.vantage.Meters;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.MDC;

/**
 * One background thread that runs a step again and again: what every long-lived loop of Vantage (the evaluator, the
 * outbox delivery, the config watcher, the evaluation watch, the data lifecycle, the shard balancer) used to write by
 * hand.
 *
 * <ul>
 *   <li>After a step that returns, the thread waits the step's answer (its own pace, e.g. at once while a backlog is
 *       read), or the loop's {@code every}; {@link #wake} ends the wait early.
 *   <li>A step that throws an {@link Exception} is counted ({@link Meters#LOOP_ERRORS} with tag {@code loop}) and
 *       logged at WARN once per distinct reason (the root cause's message), with the stack trace the first time; the
 *       thread then waits the {@link Backoff} of its consecutive failures (which {@link #wake} does not cut short) and
 *       runs the step again. The first success after failures logs one INFO line. The loop never dies of an
 *       exception.
 *   <li>An {@link Error} (a bug, memory) is not caught: {@link Fatal} stops the process, so that a standby takes over
 *       instead of a process that holds its lease while its loop is dead.
 *   <li>The thread carries the MDC of the code that started it, so its lines name the process's identity.
 *   <li>{@link #stop} lets the current step finish within a grace, then interrupts it.
 * </ul>
 */
public final class BackgroundLoop implements AutoCloseable {

    /** One run of the loop's work. */
    @FunctionalInterface
    public interface Step {
        /**
         * Does one round of work.
         *
         * @return how long to wait before the next round; null for the loop's {@code every}, {@link Duration#ZERO} to
         *     go on at once
         */
        Duration run() throws Exception;
    }

    private final String name;
    private final String what;
    private final Logger log;
    private final Duration every;
    private final Backoff backoff;
    private final Counter errors;
    private final Step step;
    private final Map<String, String> mdc;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition signal = lock.newCondition();
    private final Thread thread;

    private volatile boolean stopping;
    // Guarded by lock.
    private boolean woken;
    // Loop thread only.
    private int failures;
    private String lastReason;

    private BackgroundLoop(Builder b, Step step) {
        this.name = b.name;
        this.what = b.what;
        this.log = b.log;
        this.every = b.every;
        this.backoff = b.backoff;
        this.errors = b.meters.counter(Meters.LOOP_ERRORS, "loop", b.tag);
        this.step = step;
        var context = b.context != null ? b.context : MDC.getCopyOfContextMap();
        this.mdc = context == null ? Map.of() : Map.copyOf(context);
        this.thread = Fatal.platformThread(b.name, this::run);
    }

    /**
     * Starts describing a loop.
     *
     * @param name the thread's name and (unless {@link Builder#tag} says otherwise) the {@code loop} tag of its error
     *     counter, e.g. {@code config-watcher}
     * @param what how log lines name it, e.g. {@code "Config watcher"}
     */
    public static Builder named(String name, String what, Logger log, MeterRegistry meters) {
        return new Builder(name, what, log, meters);
    }

    /** The settings of a loop, then {@link #start}. */
    public static final class Builder {
        private final String name;
        private final String what;
        private final Logger log;
        private final MeterRegistry meters;
        private String tag;
        private Map<String, String> context;
        private Duration every = Duration.ofSeconds(1);
        private Backoff backoff = new Backoff(Duration.ofMillis(500), Duration.ofSeconds(5), new SplittableRandom());

        private Builder(String name, String what, Logger log, MeterRegistry meters) {
            this.name = Objects.requireNonNull(name, "name");
            this.what = Objects.requireNonNull(what, "what");
            this.log = Objects.requireNonNull(log, "log");
            this.meters = Objects.requireNonNull(meters, "meters");
            this.tag = name;
        }

        /** The {@code loop} tag of the error counter, when it differs from the thread's name. */
        public Builder tag(String value) {
            tag = Objects.requireNonNull(value, "tag");
            return this;
        }

        /** The MDC of the thread's log lines, when not the one of the code that calls {@link #start}. */
        public Builder context(Map<String, String> value) {
            context = Map.copyOf(value);
            return this;
        }

        /** The pause after a round whose step returned null (default 1 s). */
        public Builder every(Duration value) {
            if (value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException("every must be positive, was " + value);
            }
            every = value;
            return this;
        }

        /** The backoff after failed rounds (default 0.5 s doubling up to 5 s, half of it random). */
        public Builder backoff(Duration min, Duration max) {
            backoff = new Backoff(min, max, new SplittableRandom());
            return this;
        }

        /** Starts the thread; its first round runs at once. */
        public BackgroundLoop start(Step step) {
            var loop = new BackgroundLoop(this, Objects.requireNonNull(step, "step"));
            loop.thread.start();
            return loop;
        }
    }

    private void run() {
        if (!mdc.isEmpty()) {
            MDC.setContextMap(mdc);
        }
        while (!stopping) {
            Duration pause;
            boolean wakeable;
            try {
                Duration asked = step.run();
                if (failures > 0) {
                    log.info("{} works again after {} failed rounds", what, failures);
                    failures = 0;
                    lastReason = null;
                }
                pause = asked == null ? every : asked;
                wakeable = true;
            } catch (Exception e) {
                if (stopping) {
                    break;
                }
                pause = failed(e);
                wakeable = false;
            }
            if (!pause.isZero() && !await(pause, wakeable)) {
                break;
            }
        }
    }

    private Duration failed(Exception e) {
        failures++;
        errors.increment();
        Duration delay = backoff.delay(failures);
        String reason = Causes.rootMessage(e);
        if (lastReason == null) {
            log.warn("{} failed, retrying in {} ms: {}", what, delay.toMillis(), reason, e);
        } else if (!reason.equals(lastReason)) {
            log.warn("{} failed again, retrying in {} ms: {}", what, delay.toMillis(), reason);
        }
        lastReason = reason;
        return delay;
    }

    /** Waits {@code pause}; true unless the loop is stopping. A wake-up ends the wait only when {@code wakeable}. */
    private boolean await(Duration pause, boolean wakeable) {
        long deadline = System.nanoTime() + pause.toNanos();
        lock.lock();
        try {
            while (!stopping) {
                if (wakeable && woken) {
                    break;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                signal.awaitNanos(left);
            }
            if (wakeable) {
                woken = false;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stopping = true;
        } finally {
            lock.unlock();
        }
        return !stopping;
    }

    /** Runs the next round now instead of at the end of the current pause (not the end of a backoff). */
    public void wake() {
        lock.lock();
        try {
            woken = true;
            signal.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Whether the loop's thread is running (false once stopped). */
    public boolean running() {
        return thread.isAlive();
    }

    /**
     * Stops the loop: no new round starts; the current one gets {@code grace} to finish, then is interrupted. Returns
     * whether the thread ended in time.
     */
    public boolean stop(Duration grace) {
        stopping = true;
        lock.lock();
        try {
            signal.signalAll();
        } finally {
            lock.unlock();
        }
        if (Thread.currentThread() == thread) {
            return true;
        }
        try {
            thread.join(Math.max(1, grace.toMillis()));
            if (thread.isAlive()) {
                thread.interrupt();
                thread.join(TimeUnit.SECONDS.toMillis(1));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return !thread.isAlive();
    }

    /** {@link #stop} with a grace of 5 s. */
    @Override
    public void close() {
        stop(Duration.ofSeconds(5));
    }

    @Override
    public String toString() {
        return "BackgroundLoop[" + name + "]";
    }
}
