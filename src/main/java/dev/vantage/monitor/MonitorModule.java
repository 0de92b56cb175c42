package dev.vantage.monitor;

import com.zaxxer.hikari.HikariDataSource;
import dev.vantage.LogContext;
import dev.vantage.Meters;
import dev.vantage.db.Database;
import dev.vantage.db.Migrations;
import dev.vantage.evaluate.Changes;
import dev.vantage.evaluate.DatacenterLiveness;
import dev.vantage.evaluate.Evaluator;
import dev.vantage.lease.MonitorLease;
import dev.vantage.lifecycle.DataLifecycle;
import dev.vantage.loop.BackgroundLoop;
import dev.vantage.notify.Delivery;
import dev.vantage.notify.DeliverySettings;
import dev.vantage.notify.NotifierContext;
import dev.vantage.notify.NotifierRegistry;
import dev.vantage.notify.Reminders;
import dev.vantage.schedule.ConfigWatcher;
import dev.vantage.store.EvaluationConfigDao;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * One {@code vantage monitor} process: a replica of the monitor module. The replica that holds the monitor lease
 * evaluates heartbeats and delivers notifications; the others stand by and take over when it goes.
 *
 * <p>Each round of the evaluation loop is one transaction: check the lease epoch ({@code FOR SHARE}, the fence), read
 * the next heartbeats below the commit watermark, apply them to the {@link Evaluator}, tick its clocks (grace windows,
 * lost datacenters, flapping) once it has caught up with the backlog, write the changed states, incidents and outbox
 * rows, enqueue due reminders, and move the cursor. A failed round rolls back everything and the evaluator is rebuilt from the database, so what is in memory
 * never runs ahead of what is committed. The delivery loop ({@link Delivery}) sends the outbox on its own threads, and
 * the {@link DataLifecycle} (partitions ahead and past the retention, hourly rollups) runs on one of its own.
 *
 * <p>Shutdown order: stop reloading, stop evaluating (the round in progress commits or rolls back), let sends in flight
 * finish (bounded), stop the data lifecycle (bounded), release the lease (a standby takes over at once), close the pool.
 */
public final class MonitorModule implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MonitorModule.class);
    private static final Duration LIVENESS_EVERY = Duration.ofSeconds(1);
    private static final Duration REMINDERS_EVERY = Duration.ofSeconds(10);
    private static final Duration RETRY_AFTER_FAILURE = Duration.ofSeconds(1);
    private static final Duration MAX_RETRY_AFTER_FAILURE = Duration.ofSeconds(5);

    private final MonitorSettings settings;
    private final Clock clock;
    private final HikariDataSource pool;
    private final Jdbi jdbi;
    private final MonitorConfigs configs;
    private final MonitorLease lease;
    private final Delivery delivery;
    private final ConfigWatcher watcher;
    private final HeartbeatCursor cursor;
    private final DataLifecycle lifecycle;
    private final Map<String, String> identity;
    private boolean closed;
    private BackgroundLoop evaluation;

    private final Counter applied;
    private final Counter late;
    private final Counter ignored;
    private final Counter enqueued;
    private final Counter rebuilds;
    private final Timer rounds;
    private final HeartbeatCursorGauges lag;
    private final StateGauges states;

    // Evaluation thread only.
    private Evaluator evaluator;
    private long appliedConfig = -1;
    private Instant lastLiveness = Instant.EPOCH;
    private List<DatacenterLiveness> liveness = List.of();
    private Instant lastReminders = Instant.EPOCH;
    private boolean wasLeading;
    /** When this replica last began to lead: no datacenter can be lost for a silence it could not have seen. */
    private Instant leadingSince;

    private MonitorModule(MonitorSettings settings, MeterRegistry meters, Clock clock, HikariDataSource pool) {
        this.settings = settings;
        this.clock = clock;
        this.pool = pool;
        this.jdbi = Database.jdbi(pool);
        this.identity = Map.copyOf(MDC.getCopyOfContextMap());
        var registry = NotifierRegistry.standard(NotifierContext.of(pool, clock));
        this.configs = new MonitorConfigs(jdbi, registry);
        this.cursor = new HeartbeatCursor();
        this.lease =
                MonitorLease.start(settings.db(), settings.name(), settings.lease(), clock, meters, this::roleChanged);
        this.delivery = new Delivery(
                jdbi,
                configs,
                lease::check,
                lease::leading,
                DeliverySettings.DEFAULTS.withAttemptTimeout(settings.attemptTimeout()),
                meters);
        this.lifecycle = new DataLifecycle(pool, clock, settings.retentionDays(), lease::leading, meters);
        this.watcher = new ConfigWatcher(settings.db(), configs::reload, settings.reloadInterval(), meters);
        this.applied = meters.counter(Meters.EVALUATED, "outcome", "applied");
        this.late = meters.counter(Meters.EVALUATED, "outcome", "late");
        this.ignored = meters.counter(Meters.EVALUATED, "outcome", "ignored");
        this.enqueued = meters.counter(Meters.NOTIFICATIONS_ENQUEUED);
        this.rebuilds = Counter.builder(Meters.EVALUATION_REBUILDS)
                .description("Failed evaluation rounds after which the evaluator was rebuilt from the database")
                .register(meters);
        this.rounds = meters.timer(Meters.EVALUATION_ROUNDS);
        this.lag = new HeartbeatCursorGauges(meters);
        this.states = new StateGauges(meters, settings.stateMetrics());
        io.micrometer.core.instrument.Gauge.builder(Meters.CHANNELS_INVALID, configs, c -> c.current()
                        .invalidChannels()
                        .size())
                .description("Notification channels that cannot be used")
                .register(meters);
    }

    /** Connects (waiting up to {@code dbWait}), checks the schema, loads the configuration and starts the loops. */
    public static MonitorModule start(MonitorSettings settings, MeterRegistry meters, Clock clock) {
        // Its own identity only, which its threads copy: a caller's context (an in-process agent's dc, say) would
        // mislabel every line.
        try (var context = LogContext.replace(Map.of("replica", settings.name()))) {
            HikariDataSource pool = Database.measured(
                    Database.pool(
                            settings.db(),
                            "vantage-monitor",
                            6,
                            settings.lease().serverTimeout()),
                    meters);
            try {
                Database.awaitReachable(pool, settings.dbWait());
                Migrations.requireCurrent(pool);
                var module = new MonitorModule(settings, meters, clock, pool);
                module.configs.reload("start");
                module.watcher.start();
                module.delivery.start();
                module.evaluation = BackgroundLoop.named(
                                "evaluator", "Evaluation round (rebuilding from the database)", log, meters)
                        .tag("evaluation")
                        .every(settings.poll())
                        .backoff(RETRY_AFTER_FAILURE, MAX_RETRY_AFTER_FAILURE)
                        .start(module::evaluate);
                module.lifecycle.start();
                log.info("Monitor module started as {}; waiting for the monitor lease", settings.name());
                return module;
            } catch (RuntimeException e) {
                pool.close();
                throw e;
            }
        }
    }

    /** The lease thread's callback: a replica that just took the lease maintains the partitions at once. */
    private void roleChanged() {
        var current = lifecycle; // null while the constructor has not reached it; start() then ticks at once anyway
        if (current != null) {
            current.wake();
        }
    }

    public boolean leading() {
        return lease.leading();
    }

    public MonitorLease.Status leaseStatus() {
        return lease.status();
    }

    /** Whether the first lease attempt has completed: this replica knows whether it leads or stands by. */
    public boolean leaseKnown() {
        return lease.status().checkedAt() != null;
    }

    /** The module's pool, for a readiness check; closed with the module. */
    public javax.sql.DataSource dataSource() {
        return pool;
    }

    /** One evaluation round, or nothing on a standby; at once again while a backlog is being read. */
    private Duration evaluate() throws java.sql.SQLException {
        if (!lease.leading()) {
            if (wasLeading) {
                log.info("Not leading the monitor module any more: evaluation paused");
                wasLeading = false;
                states.clear();
            }
            evaluator = null;
            return null;
        }
        if (!wasLeading) {
            leadingSince = clock.instant();
            wasLeading = true;
        }
        try {
            return round() ? Duration.ZERO : null;
        } catch (RuntimeException | java.sql.SQLException e) {
            if (evaluator != null) {
                rebuilds.increment();
            }
            evaluator = null; // rebuilt from what is committed
            throw e;
        }
    }

    /** One transaction; true when the batch was full and more heartbeats are waiting. */
    private boolean round() throws java.sql.SQLException {
        var config = configs.current();
        long started = System.nanoTime();
        if (evaluator == null) {
            evaluator = jdbi.withHandle(h -> {
                var e = new Evaluator(settings.lostAfter(), leadingSince);
                var datacenters = StateStore.listDatacenters(h);
                var monitors = StateStore.listMonitors(h);
                e.restore(datacenters, monitors, IncidentStore.listOpen(h));
                states.restore(datacenters, monitors);
                return e;
            });
            appliedConfig = -1;
            log.info("Evaluating heartbeats (monitor lease epoch {})", lease.epoch());
        }
        if (config.version() != appliedConfig) {
            evaluator.configure(config.monitors(), config.datacenterCodes(), config.defaultChannels(), clock.instant());
            evaluator.maintain(configs.maintenance());
            appliedConfig = config.version();
            states.configure(config);
            configured = new java.util.HashMap<>();
            for (var m : config.monitors()) {
                configured.put(m.monitorId(), m.datacenters());
            }
        }
        Instant now = clock.instant();
        var outcome = jdbi.inTransaction(h -> {
            lease.check(h);
            var position = cursor.load(h);
            var batch = cursor.read(h, position, settings.batchSize());
            if (mayReloadFor(batch)) {
                return new Round(batch, null, 0); // nothing applied, the cursor stays: reread with the new config
            }
            for (var o : batch.observations()) {
                evaluator.apply(o);
            }
            // A tick measures silence against the wall clock. While a backlog is being read (a full batch: more
            // heartbeats wait below the watermark), the newer heartbeats of most datacenters are still unread, and a
            // tick would turn them UNKNOWN for a round (and count global changes towards flapping). Ticks wait until
            // evaluation has caught up.
            if (!batch.full()) {
                if (Duration.between(lastLiveness, now).compareTo(LIVENESS_EVERY) >= 0) {
                    liveness = EvaluationConfigDao.liveness(h).stream()
                            .map(l -> new DatacenterLiveness(
                                    l.datacenterId(), l.watchedSince(), l.lastLeaderSeenAt(), l.stoppedAt()))
                            .toList();
                    lastLiveness = now;
                }
                evaluator.tick(now, liveness);
            }
            MaintenanceWindows.mark(h, batch.observations(), configs.maintenance(), evaluator::inMaintenance);
            Changes changes = evaluator.drain();
            StateStore.saveDatacenters(h, changes.datacenterStates());
            StateStore.saveMonitors(h, changes.monitorStates());
            for (var key : changes.removedDatacenterStates()) {
                StateStore.deleteDatacenter(h, key.monitorId(), key.datacenterId());
            }
            for (int monitorId : changes.removedMonitors()) {
                StateStore.deleteMonitor(h, monitorId);
            }
            int notices = IncidentStore.persist(h, changes, config);
            if (Duration.between(lastReminders, now).compareTo(REMINDERS_EVERY) >= 0) {
                notices += Reminders.enqueue(h, now);
                lastReminders = now;
            }
            cursor.save(h, batch.next());
            return new Round(batch, changes, notices);
        });
        if (outcome.changes() == null) {
            // A heartbeat of a monitor (or a datacenter of it) this configuration does not have: the watcher's reload
            // after the row was created may not have come yet, and applying now would ignore the heartbeat for good.
            configs.reload("a heartbeat of a monitor or datacenter the configuration does not have yet");
            return true;
        }
        states.apply(outcome.changes());
        // Measured after the commit: inside it, this transaction's own xid would count in the lag.
        lag.update(jdbi.withHandle(h -> cursor.measure(h, outcome.batch())));
        applied.increment(outcome.batch().observations().size()
                - outcome.changes().lateHeartbeats()
                - outcome.changes().ignoredHeartbeats());
        late.increment(outcome.changes().lateHeartbeats());
        ignored.increment(outcome.changes().ignoredHeartbeats());
        if (outcome.notices() > 0) {
            enqueued.increment(outcome.notices());
            delivery.wake();
        }
        rounds.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
        return outcome.batch().full();
    }

    /** {@code changes} null: the batch was not applied, the configuration is to be reloaded first. */
    private record Round(HeartbeatCursor.Batch batch, Changes changes, int notices) {}

    private static final Duration FORCED_RELOAD_EVERY = Duration.ofSeconds(1);

    /** Monitor ids of the applied configuration and their datacenters. Evaluation thread only. */
    private java.util.Map<Integer, java.util.Set<Integer>> configured = java.util.Map.of();

    private long lastForcedReload = System.nanoTime() - FORCED_RELOAD_EVERY.toNanos();

    /**
     * Whether the batch holds a heartbeat of a monitor, or of a datacenter of a monitor, that the applied configuration
     * lacks, and the configuration was not reloaded for that reason within {@link #FORCED_RELOAD_EVERY}: heartbeats of a
     * removed or disabled monitor still arrive for a while, and are then ignored after one reload.
     */
    private boolean mayReloadFor(HeartbeatCursor.Batch batch) {
        long now = System.nanoTime();
        if (now - lastForcedReload < FORCED_RELOAD_EVERY.toNanos()) {
            return false;
        }
        for (var o : batch.observations()) {
            var datacenters = configured.get(o.monitorId());
            if (datacenters == null || (o.datacenterId() != 0 && !datacenters.contains(o.datacenterId()))) {
                lastForcedReload = now;
                return true;
            }
        }
        return false;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try (var context = LogContext.replace(identity)) {
            watcher.close();
            if (evaluation != null) {
                evaluation.stop(Duration.ofSeconds(10));
            }
            states.clear(); // the evaluation thread has stopped: its series go with this replica's role
            // Sends in flight get 5 s; one still running then is interrupted, and its claim expiring lets the next
            // leader send it again (same webhook-id).
            delivery.stop(Duration.ofSeconds(5));
            lifecycle.close();
            lease.close();
            pool.close();
            log.info("Monitor module stopped");
        }
    }
}
