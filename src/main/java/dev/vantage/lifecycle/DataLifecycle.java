package dev.vantage.lifecycle;

import dev.vantage.Causes;
import dev.vantage.Meters;
import dev.vantage.heartbeat.HeartbeatMeters;
import dev.vantage.loop.BackgroundLoop;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.BooleanSupplier;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The data lifecycle of api_heartbeats, run by the replica that holds the monitor lease, on a thread of its own
 * ("data-lifecycle") so that it never delays an evaluation round:
 *
 * <ul>
 *   <li>partitions: at every lease acquisition and then every {@link #PARTITIONS_EVERY}, create them
 *       {@value Partitions#DAYS_AHEAD} days ahead and drop those past the retention (each rolled up first);
 *   <li>rollups: every {@link #ROLLUP_EVERY}, (re)compute the hours of the {@link RollupWindow}.
 * </ul>
 *
 * <p>All of it is idempotent, so it is not fenced by the lease epoch: a replica that lost the lease and runs one more
 * time does no harm, and holding the lease row {@code FOR SHARE} through a long rollup would only delay a takeover. A
 * failed step logs one line, is counted ({@link Meters#LOOP_ERRORS}, loop {@code partitions} or {@code rollups}) and
 * is tried again at the next tick; it never stops the monitor.
 */
public final class DataLifecycle implements AutoCloseable {
    public static final Duration PARTITIONS_EVERY = Duration.ofHours(1);
    public static final Duration ROLLUP_EVERY = Duration.ofMinutes(5);
    /** How often the thread looks whether something is due (and whether the lease was just acquired). */
    static final Duration TICK = Duration.ofSeconds(30);
    /** Bound of one lifecycle statement (a chunk of rollups, or dropping one partition with its rollup). */
    static final Duration STATEMENT_TIMEOUT = Duration.ofMinutes(10);

    private static final Logger log = LoggerFactory.getLogger(DataLifecycle.class);

    private final Partitions partitions;
    private final Rollups rollups;
    private final Clock clock;
    private final int retentionDays;
    private final BooleanSupplier leading;
    private final Counter created;
    private final Counter dropped;
    private final Counter rolledUp;
    private final Counter partitionErrors;
    private final Counter rollupErrors;
    private final MeterRegistry meters;
    private BackgroundLoop loop;

    // Lifecycle thread only (or a test calling runOnce).
    private boolean wasLeading;
    private Instant nextPartitions = Instant.MIN;
    private Instant nextRollup = Instant.MIN;
    private String lastPartitionFailure;
    private String lastRollupFailure;

    /**
     * @param retentionDays raw heartbeats are kept at least this many days (1 to 36500)
     * @param leading whether this replica holds the monitor lease now
     */
    public DataLifecycle(
            DataSource dataSource, Clock clock, int retentionDays, BooleanSupplier leading, MeterRegistry meters) {
        if (retentionDays < 1 || retentionDays > 36_500) {
            throw new IllegalArgumentException("retentionDays must be between 1 and 36500, was " + retentionDays);
        }
        this.partitions = new Partitions(dataSource);
        this.rollups = new Rollups(dataSource);
        this.clock = clock;
        this.retentionDays = retentionDays;
        this.leading = leading;
        this.meters = meters;
        this.created = meters.counter(HeartbeatMeters.PARTITIONS_CREATED);
        this.dropped = meters.counter(HeartbeatMeters.PARTITIONS_DROPPED);
        this.rolledUp = meters.counter(Meters.ROLLUPS_WRITTEN);
        this.partitionErrors = meters.counter(Meters.LOOP_ERRORS, "loop", "partitions");
        this.rollupErrors = meters.counter(Meters.LOOP_ERRORS, "loop", "rollups");
    }

    /** Starts the thread: a first tick at once, then one every {@link #TICK}. Its log lines carry the caller's MDC. */
    public synchronized void start() {
        if (loop != null) {
            throw new IllegalStateException("already started");
        }
        loop = BackgroundLoop.named("data-lifecycle", "Data lifecycle", log, meters)
                .every(TICK)
                .start(() -> {
                    runOnce();
                    return null;
                });
    }

    /** One tick: does what is due if this replica leads; partitions at once after an acquisition. Never throws. */
    void runOnce() {
        if (!leading.getAsBoolean()) {
            wasLeading = false;
            return;
        }
        Instant now = clock.instant();
        if (!wasLeading || !now.isBefore(nextPartitions)) {
            wasLeading = true;
            nextPartitions = now.plus(PARTITIONS_EVERY);
            maintainPartitions(now);
        }
        if (!now.isBefore(nextRollup)) {
            nextRollup = now.plus(ROLLUP_EVERY);
            rollUp(now);
        }
    }

    private void maintainPartitions(Instant now) {
        try {
            int n = partitions.ensureAhead(now);
            created.increment(n);
            if (n > 0) {
                log.info("Created {} partitions of api_heartbeats ahead", n);
            }
            List<Partitions.Partition> gone = partitions.dropPast(retentionDays, now);
            for (var p : gone) {
                dropped.increment();
                log.info(
                        "Dropped partition {} of api_heartbeats [{}, {}), past the {}-day retention; its hours are"
                                + " rolled up in api_heartbeat_rollups",
                        p.name(),
                        p.from(),
                        p.to(),
                        retentionDays);
            }
            lastPartitionFailure = null;
        } catch (SQLException | RuntimeException e) {
            partitionErrors.increment();
            String reason = Causes.rootMessage(e);
            if (!reason.equals(lastPartitionFailure)) {
                log.warn(
                        "Cannot maintain the partitions of api_heartbeats, trying again in {} s: {}",
                        TICK.toSeconds(),
                        reason);
                lastPartitionFailure = reason;
            }
            nextPartitions = now.plus(TICK); // sooner than the hour: the cause may be gone in a minute
        }
    }

    private void rollUp(Instant now) {
        try {
            var window = RollupWindow.of(rollups.lastHour(), partitions.oldestStart(), now);
            if (!window.isEmpty()) {
                rolledUp.increment(rollups.rollUp(window));
            }
            lastRollupFailure = null;
        } catch (SQLException | RuntimeException e) {
            rollupErrors.increment();
            String reason = Causes.rootMessage(e);
            if (!reason.equals(lastRollupFailure)) {
                log.warn("Cannot roll up api_heartbeats, trying again in {} s: {}", TICK.toSeconds(), reason);
                lastRollupFailure = reason;
            }
            nextRollup = now.plus(TICK);
        }
    }

    /**
     * Runs a tick now instead of at the next {@link #TICK}: called when this replica's lease role changes, so that a
     * new leader creates the partitions ahead at once rather than up to 30 s later. Does nothing before start or after
     * close.
     */
    public synchronized void wake() {
        if (loop != null) {
            loop.wake();
        }
    }

    /** Stops the thread; a statement in progress gets 5 s, then its connection is left to the pool's closing. */
    @Override
    public synchronized void close() {
        if (loop != null && !loop.stop(Duration.ofSeconds(5))) {
            log.warn("Data lifecycle still running 5 s after close");
        }
    }
}
