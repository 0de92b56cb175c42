package dev.vantage.heartbeat;

import dev.vantage.Fatal;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Keeps the daily partitions of api_heartbeats ready from yesterday (late or replayed rows) to {@value #DAYS_AHEAD}
 * days ahead: once at start, then every {@code interval}. A failed run is logged and counted, and the loop goes on;
 * the writer also creates a missing partition itself, so this only keeps that off the hot path.
 */
public final class PartitionMaintainer implements AutoCloseable {
    public static final int DAYS_AHEAD = 7;
    public static final Duration DEFAULT_INTERVAL = Duration.ofHours(1);
    private static final Logger log = LoggerFactory.getLogger(PartitionMaintainer.class);

    private final DataSource dataSource;
    private final Clock clock;
    private final Counter created;
    private final Counter failures;
    private final ScheduledExecutorService executor;

    private PartitionMaintainer(DataSource dataSource, Clock clock, MeterRegistry registry) {
        this.dataSource = dataSource;
        this.clock = clock;
        this.created = Counter.builder(HeartbeatMeters.PARTITIONS_CREATED).register(registry);
        this.failures = Counter.builder(HeartbeatMeters.PARTITION_FAILURES).register(registry);
        Map<String, String> context = MDC.getCopyOfContextMap();
        Map<String, String> mdc = context == null ? Map.of() : Map.copyOf(context);
        this.executor = Executors.newSingleThreadScheduledExecutor(Fatal.platformFactory("heartbeat-partitions"));
        this.executor.execute(() -> MDC.setContextMap(mdc));
    }

    /** Starts the loop: a first run at once, then one every {@code interval}. */
    public static PartitionMaintainer start(
            DataSource dataSource, Clock clock, Duration interval, MeterRegistry registry) {
        var maintainer = new PartitionMaintainer(dataSource, clock, registry);
        maintainer.executor.scheduleWithFixedDelay(
                Fatal.guard(maintainer::runOnce), 0, interval.toNanos(), TimeUnit.NANOSECONDS);
        return maintainer;
    }

    /** Creates the missing partitions from yesterday to {@value #DAYS_AHEAD} days ahead; returns how many. */
    public int ensureNow() throws SQLException {
        int n = ensure(dataSource, clock.instant());
        created.increment(n);
        return n;
    }

    /**
     * Creates the missing partitions from the day before {@code now} (late or replayed rows) to {@value #DAYS_AHEAD}
     * days ahead of it; returns how many. What agents do on their timer and the monitor's lease holder at acquisition.
     */
    public static int ensure(DataSource dataSource, Instant now) throws SQLException {
        LocalDate yesterday = LocalDate.ofInstant(now, ZoneOffset.UTC).minusDays(1);
        try (var c = dataSource.getConnection();
                var s = c.prepareStatement("SELECT vantage_ensure_heartbeat_partitions(?, ?)")) {
            s.setObject(1, yesterday);
            s.setInt(2, DAYS_AHEAD + 2);
            try (var rs = s.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    private void runOnce() {
        try {
            int n = ensureNow();
            if (n > 0) {
                log.info("created {} partitions of api_heartbeats", n);
            }
        } catch (Exception e) {
            // Never let an exception escape: it would cancel every later run of the schedule.
            failures.increment();
            log.warn("cannot create the partitions of api_heartbeats ahead, trying again later: {}", e.toString());
        }
    }

    @Override
    public void close() {
        executor.shutdownNow();
        try {
            if (!executor.awaitTermination(5, TimeUnit.SECONDS)) {
                log.warn("partition maintenance still running 5 s after close");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
