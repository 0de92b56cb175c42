package dev.vantage.web;

import dev.vantage.Causes;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import javax.sql.DataSource;

/**
 * Whether a process is ready for traffic: it has started, its database answers {@code SELECT 1} within a short
 * timeout, its lease state is known (its first lease attempt is done, whether it leads or stands by), and nothing
 * else it watches is wrong (a monitor: evaluation has not stalled).
 *
 * <p>Until {@link #started} the answer is "starting" (the process may be waiting for its database). The database check
 * runs on a virtual thread and is awaited for at most {@code timeout}, because taking a pooled connection from a
 * database that went away can block for the pool's own, longer, timeout; concurrent requests share the check in
 * flight instead of piling up threads on a dead database.
 */
public final class Readiness {
    /** What {@code /readyz} reports; {@code reason} is null when ready and never contains a credential. */
    public record Verdict(boolean ready, String reason) {}

    /**
     * A started process as readiness sees it.
     *
     * @param problem what else keeps it from being ready, asked last (the monitor's evaluation stall); empty when
     *     nothing does. It must answer from memory, at once.
     */
    public record Target(DataSource database, BooleanSupplier leaseKnown, Supplier<Optional<String>> problem) {
        public Target {
            Objects.requireNonNull(database, "database");
            Objects.requireNonNull(leaseKnown, "leaseKnown");
            Objects.requireNonNull(problem, "problem");
        }

        public Target(DataSource database, BooleanSupplier leaseKnown) {
            this(database, leaseKnown, Optional::empty);
        }
    }

    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(1);

    private final Duration timeout;
    private final AtomicReference<Target> target = new AtomicReference<>();
    private final AtomicReference<CompletableFuture<String>> inFlight = new AtomicReference<>();

    public Readiness(Duration timeout) {
        this.timeout = Objects.requireNonNull(timeout, "timeout");
    }

    /** The process has started: from now on its database and lease decide. */
    public void started(Target started) {
        target.set(Objects.requireNonNull(started, "started"));
    }

    public Verdict check() {
        Target t = target.get();
        if (t == null) {
            return new Verdict(false, "starting");
        }
        String problem = database(t.database());
        if (problem != null) {
            return new Verdict(false, "database unreachable: " + problem);
        }
        if (!t.leaseKnown().getAsBoolean()) {
            return new Verdict(false, "lease state unknown: the first lease attempt has not completed");
        }
        var other = t.problem().get();
        if (other.isPresent()) {
            return new Verdict(false, other.get());
        }
        return new Verdict(true, null);
    }

    /** Null when the database answered in time, else why not. */
    private String database(DataSource database) {
        var mine = new CompletableFuture<String>();
        var running = inFlight.compareAndExchange(null, mine);
        var check = running == null ? mine : running;
        if (running == null) {
            Thread.ofVirtual().name("readiness-check").start(() -> {
                try {
                    mine.complete(selectOne(database));
                } finally {
                    inFlight.compareAndSet(mine, null);
                }
            });
        }
        try {
            return check.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            return "no answer to SELECT 1 within " + timeout.toMillis() + " ms";
        } catch (ExecutionException e) {
            return Causes.rootMessage(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    private String selectOne(DataSource database) {
        try (var c = database.getConnection();
                var s = c.createStatement()) {
            s.setQueryTimeout((int) Math.max(1, timeout.toSeconds()));
            try (var rs = s.executeQuery("SELECT 1")) {
                return rs.next() ? null : "SELECT 1 returned no row";
            }
        } catch (Exception e) {
            return Causes.rootMessage(e);
        }
    }
}
