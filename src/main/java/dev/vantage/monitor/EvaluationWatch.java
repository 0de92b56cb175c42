package dev.vantage.monitor;

import dev.vantage.Meters;
import dev.vantage.loop.BackgroundLoop;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.function.LongSupplier;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a monitor replica, leader or standby, knows of the evaluation: it reads {@link EvaluationProgress} every few
 * seconds on a thread of its own, so that {@code /readyz} and {@code /metrics} answer from memory and never wait for
 * the database. When a read fails the last one ages on this replica's clock, so a database that went away is a stall
 * too, once it has lasted the bound. A replica that has never seen a round counts from its own start.
 *
 * <p>Meters: {@code vantage_evaluation_last_round_age_seconds} and {@code vantage_evaluation_stalled} (1 or 0).
 */
public final class EvaluationWatch implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EvaluationWatch.class);
    static final String LAST_ROUND_AGE = Meters.PREFIX + "evaluation.last.round.age";
    static final String STALLED = Meters.PREFIX + "evaluation.stalled";

    /** One read, and when (System.nanoTime) it was made. */
    private record Reading(EvaluationProgress progress, long atNanos) {}

    private final Jdbi jdbi;
    private final Duration stallAfter;
    private final LongSupplier nanos;
    private final long startNanos;
    private final Instant startedAt;
    private BackgroundLoop loop;
    private volatile Reading last;
    private volatile boolean wasStalled;

    private EvaluationWatch(Jdbi jdbi, Duration stallAfter, MeterRegistry meters, Clock clock, LongSupplier nanos) {
        this.jdbi = jdbi;
        this.stallAfter = stallAfter;
        this.nanos = nanos;
        this.startNanos = nanos.getAsLong();
        this.startedAt = clock.instant();
        Gauge.builder(LAST_ROUND_AGE, this, EvaluationWatch::ageSeconds)
                .description("Seconds since the monitor module's last evaluation round committed (any replica's)")
                .baseUnit("seconds")
                .register(meters);
        Gauge.builder(STALLED, this, w -> w.stall().isPresent() ? 1 : 0)
                .description("1 when no evaluation round has committed for longer than VANTAGE_STALL_AFTER")
                .register(meters);
    }

    /**
     * Reads at once, then every {@code stallAfter / 5} (1 to 5 s).
     *
     * @param stallAfter VANTAGE_STALL_AFTER, at least {@link EvaluationProgress#MIN_STALL_AFTER}
     * @param clock only for the start time a replica that never saw a round names; ages are measured on the
     *     database's clock and, between readings, on {@link System#nanoTime}
     */
    public static EvaluationWatch start(Jdbi jdbi, Duration stallAfter, MeterRegistry meters, Clock clock) {
        Objects.requireNonNull(jdbi, "jdbi");
        if (stallAfter.compareTo(EvaluationProgress.MIN_STALL_AFTER) < 0) {
            throw new IllegalArgumentException("stallAfter must be at least " + EvaluationProgress.MIN_STALL_AFTER);
        }
        var watch = new EvaluationWatch(jdbi, stallAfter, meters, clock, System::nanoTime);
        var every = Duration.ofMillis(Math.clamp(stallAfter.toMillis() / 5, 1_000, 5_000));
        // A failed read is retried at the same pace: the last reading ages meanwhile, which is how a lost database
        // becomes a stall.
        watch.loop = BackgroundLoop.named("evaluation-watch", "Evaluation watch", log, meters)
                .tag("evaluation_watch")
                .every(every)
                .backoff(every, every)
                .start(watch::refresh);
        return watch;
    }

    private Duration refresh() {
        try {
            last = new Reading(jdbi.withHandle(EvaluationProgress::read), nanos.getAsLong());
        } finally {
            logTransitions();
        }
        return null;
    }

    private void logTransitions() {
        var stall = stall();
        if (stall.isPresent() && !wasStalled) {
            log.error("{}: no incident or notification is produced until a replica evaluates again", stall.get());
        } else if (stall.isEmpty() && wasStalled) {
            log.info("Evaluation resumed: {}", current().describe(stallAfter));
        }
        wasStalled = stall.isPresent();
    }

    /** The last reading aged to now, or what a replica that could never read knows. */
    private EvaluationProgress current() {
        Reading r = last;
        if (r == null) {
            return new EvaluationProgress(null, null, null, null);
        }
        return r.progress().olderBy((nanos.getAsLong() - r.atNanos()) / 1e9);
    }

    private double sinceStartSeconds() {
        return (nanos.getAsLong() - startNanos) / 1e9;
    }

    /** Seconds since the last round committed; since this replica started when it has seen none. */
    public double ageSeconds() {
        var p = current();
        return p.ageSeconds() != null ? p.ageSeconds() : sinceStartSeconds();
    }

    /** Why evaluation counts as stalled ({@code evaluation stalled since …}), or empty while it does not. */
    public Optional<String> stall() {
        var p = current();
        if (p.lastRoundAt() != null) {
            return p.stalled(stallAfter) ? Optional.of(p.describe(stallAfter)) : Optional.empty();
        }
        if (sinceStartSeconds() <= stallAfter.toSeconds()) {
            return Optional.empty();
        }
        return Optional.of("evaluation stalled since " + startedAt.truncatedTo(java.time.temporal.ChronoUnit.SECONDS)
                + ", this replica's start: " + p.describe(stallAfter));
    }

    @Override
    public void close() {
        loop.stop(Duration.ofSeconds(2));
    }
}
