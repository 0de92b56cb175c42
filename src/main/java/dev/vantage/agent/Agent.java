package dev.vantage.agent;

import com.zaxxer.hikari.HikariDataSource;
import dev.vantage.Causes;
import dev.vantage.Fatal;
import dev.vantage.LogContext;
import dev.vantage.VantageException;
import dev.vantage.Version;
import dev.vantage.config.ConfigurationException;
import dev.vantage.db.Database;
import dev.vantage.db.Migrations;
import dev.vantage.db.Roles;
import dev.vantage.heartbeat.HeartbeatWriter;
import dev.vantage.heartbeat.HeartbeatWriterSettings;
import dev.vantage.heartbeat.PartitionMaintainer;
import dev.vantage.heartbeat.journal.Journal;
import dev.vantage.lease.ShardLeases;
import dev.vantage.probe.MonitorRegistry;
import dev.vantage.probe.warm.Warmer;
import dev.vantage.schedule.ConfigSnapshot;
import dev.vantage.schedule.ConfigWatcher;
import dev.vantage.schedule.ScheduledMonitor;
import dev.vantage.schedule.Scheduler;
import dev.vantage.store.AgentDao;
import dev.vantage.store.ConfigDao;
import dev.vantage.store.DatacenterRow;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * One agent process, one replica of its datacenter: registers itself, loads and watches the datacenter's monitors,
 * and probes them on schedule while it holds the datacenter lease ({@link ShardLeases}: the lease of each shard it
 * holds, all of them with one shard, the default); a standby keeps its
 * configuration current so that it can take over at once. Heartbeats go through the writer (memory, then the
 * journal). Started by {@link #start}, stopped by {@link #close} in a fixed order with bounded waits: stop watching
 * config, release the lease (a standby takes over), let probes in flight finish, flush heartbeats, mark the agent
 * stopped.
 */
public final class Agent implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Agent.class);

    private final AgentSettings settings;
    private final HikariDataSource pool;
    private final Jdbi jdbi;
    private final DatacenterRow datacenter;
    private final int agentId;
    private final MonitorRegistry registry;
    private final HeartbeatWriter writer;
    private final PartitionMaintainer partitions;
    private final Scheduler scheduler;
    private final ConfigWatcher watcher;
    private final ScheduledExecutorService liveness;
    private volatile ShardLeases lease;
    private final Warmer warmer;
    private volatile boolean closed;
    private String touchFailure; // liveness thread only
    private final java.util.Map<String, String> identity;

    private Agent(AgentSettings settings, MeterRegistry meters, Clock clock, HikariDataSource pool) {
        this.settings = settings;
        this.pool = pool;
        this.jdbi = Database.jdbi(pool);
        this.datacenter = resolveDatacenter(jdbi, settings.datacenter());
        MDC.put("dc", datacenter.code());
        requireBinding(jdbi, settings.datacenter(), datacenter);
        this.registry = MonitorRegistry.load();
        this.warmer = new Warmer(registry, settings.warmUp(), meters);
        this.agentId = jdbi.onDemand(AgentDao.class)
                .register(
                        settings.name(),
                        datacenter.id(),
                        hostname(),
                        ProcessHandle.current().pid(),
                        Version.current(),
                        "standby");
        MDC.put("agent", settings.name());
        log.info(
                "Agent {} (id {}) started for datacenter {} ({}, {} shard{}), version {}",
                settings.name(),
                agentId,
                datacenter.code(),
                datacenter.id(),
                datacenter.shards(),
                datacenter.shards() == 1 ? "" : "s",
                Version.current());
        this.identity = java.util.Map.copyOf(MDC.getCopyOfContextMap());
        this.liveness = Executors.newSingleThreadScheduledExecutor(Fatal.platformFactory("agent-liveness"));
        this.lease = ShardLeases.start(
                settings.db(),
                datacenter.id(),
                datacenter.code(),
                datacenter.shards(),
                agentId,
                settings.lease(),
                clock,
                meters,
                () -> liveness.execute(Fatal.guard(this::touch)));
        // After the lease, which refuses a database too old for it: nothing to stop if it does. If what follows fails
        // (a journal that cannot be opened), the lease goes too: a process that failed to start must not keep it.
        PartitionMaintainer startedPartitions = null;
        try {
            startedPartitions = PartitionMaintainer.start(pool, clock, PartitionMaintainer.DEFAULT_INTERVAL, meters);
            this.writer = startWriter(pool, settings.writer(), datacenter, meters);
        } catch (RuntimeException | Error e) {
            if (startedPartitions != null) {
                startedPartitions.close();
            }
            lease.close();
            liveness.shutdownNow();
            throw e;
        }
        this.partitions = startedPartitions;
        this.scheduler = new Scheduler(
                clock,
                writer,
                datacenter.id(),
                agentId,
                lease,
                settings.maxConcurrency(),
                meters,
                dev.vantage.probe.ProbeContext.userAgentFor(datacenter.code()));
        this.watcher = new ConfigWatcher(settings.db(), this::reload, settings.reloadInterval(), meters);
    }

    /** Connects (waiting up to {@code dbWait} for the database), checks the schema, registers and starts probing. */
    public static Agent start(AgentSettings settings, MeterRegistry meters, Clock clock) {
        // The agent's identity goes into the MDC its threads copy (set in the constructor), not into the caller's.
        try (var context = LogContext.replace(Map.of())) {
            HikariDataSource pool = Database.measured(
                    Database.pool(
                            settings.db(), "vantage-agent", 4, settings.lease().serverTimeout()),
                    meters);
            try {
                Database.awaitReachable(pool, settings.dbWait());
                Migrations.requireCurrent(pool);
                var agent = new Agent(settings, meters, clock, pool);
                agent.startLoops();
                return agent;
            } catch (RuntimeException | Error e) {
                pool.close();
                throw e;
            }
        }
    }

    private void startLoops() {
        // The agents row is refreshed during the warm-up, so a leader that is warming up is seen alive.
        liveness.scheduleWithFixedDelay(
                Fatal.guard(this::touch),
                AgentSettings.LIVENESS_INTERVAL.toMillis(),
                AgentSettings.LIVENESS_INTERVAL.toMillis(),
                TimeUnit.MILLISECONDS);
        // Bounded, and beside the lease (started already): a takeover is never held up, only the first slot waits.
        warmer.beforeFirstSlot();
        scheduler.start();
        watcher.start();
        warmer.whileIdle(liveness, () -> !lease.leading());
    }

    /** Refreshes the agents row: liveness, and the lease as this replica sees it. On the liveness thread only. */
    private void touch() {
        MDC.setContextMap(identity);
        var leases = lease;
        if (leases == null) {
            return; // a shard taken while the leases start: the touch after the constructor reports it
        }
        var status = leases.status();
        try {
            jdbi.onDemand(AgentDao.class)
                    .touch(agentId, status.role(), status.epoch(), status.checkedAt(), status.shards());
            touchFailure = null;
        } catch (RuntimeException e) {
            String reason = Causes.rootMessage(e);
            if (!reason.equals(touchFailure)) {
                log.warn("Could not refresh this agent's row in agents: {}", reason);
                touchFailure = reason;
            }
        }
    }

    private void reload(String reason) {
        var rows = jdbi.onDemand(ConfigDao.class).listMonitors(datacenter.id());
        var snapshot = ConfigSnapshot.build(rows, registry);
        var changes = scheduler.apply(snapshot);
        lease.ready(); // the scheduler runs and has its monitors: shards may come to this replica now
        if (changes.added() + changes.changed() + changes.removed() > 0) {
            log.info(
                    "Configuration applied ({}): {} monitors, {} added, {} changed, {} removed, {} invalid",
                    reason,
                    snapshot.monitors().size(),
                    changes.added(),
                    changes.changed(),
                    changes.removed(),
                    snapshot.invalid().size());
        }
        for (ScheduledMonitor m : changes.newlyInvalid()) {
            try (var ignored = MDC.putCloseable("monitor", Long.toString(m.id()))) {
                log.warn(
                        "Invalid monitor {} ({}): {}; it reports INVALID_CONFIG heartbeats until the row is fixed",
                        m.id(),
                        m.spec().name(),
                        m.invalidReason());
            }
        }
    }

    /**
     * The writer's journal directory is a base shared by the replicas of a host: each takes the first free
     * {@code <base>/<code>}, {@code <base>/<code>.1}, …, so a restarted replica adopts a dead one's journal. Two
     * replicas starting at the same moment can both choose one directory; the one that loses chooses again.
     */
    private static HeartbeatWriter startWriter(
            HikariDataSource pool, HeartbeatWriterSettings writer, DatacenterRow datacenter, MeterRegistry meters) {
        if (writer.journalDir() == null) {
            return HeartbeatWriter.start(pool, writer, meters);
        }
        for (int attempt = 1; ; attempt++) {
            Path dir = Journal.chooseDirectory(writer.journalDir(), datacenter.code());
            try {
                var started = HeartbeatWriter.start(pool, writer.withJournalDir(dir), meters);
                log.info("Heartbeat journal in {}", dir);
                return started;
            } catch (ConfigurationException e) {
                if (attempt >= 5 || !Journal.inUse(dir)) {
                    throw e;
                }
            }
        }
    }

    static DatacenterRow resolveDatacenter(Jdbi jdbi, String idOrCode) {
        var dao = jdbi.onDemand(ConfigDao.class);
        String value = idOrCode.strip();
        var found = value.chars().allMatch(Character::isDigit) && value.length() < 10
                ? dao.findDatacenterById(Integer.parseInt(value))
                : dao.findDatacenterByCode(value);
        return found.orElseThrow(() -> {
            var known = dao.listDatacenters().stream()
                    .map(d -> d.id() + "=" + d.code())
                    .toList();
            return new ConfigurationException("DATACENTER_ID=" + value + ": no datacenter with that id or code"
                    + (known.isEmpty()
                            ? " (the datacenters table is empty)"
                            : " (known: " + String.join(", ", known) + ")"));
        });
    }

    /**
     * An agent login (a member of vantage_agent) acts for the one datacenter agent_logins binds it to (V10): refuse to
     * start unbound, or for another datacenter, naming the fix. Logins outside vantage_agent (the owner) are not bound.
     */
    static void requireBinding(Jdbi jdbi, String datacenterSetting, DatacenterRow datacenter) {
        Roles.SessionBinding binding;
        try {
            binding = jdbi.withHandle(h -> Roles.sessionBinding(h.getConnection()));
        } catch (java.sql.SQLException e) {
            throw new VantageException("cannot read this login's datacenter binding: " + e.getMessage(), e);
        }
        if (!binding.required()) {
            return;
        }
        if (binding.datacenterId() == null) {
            throw new ConfigurationException("database login " + binding.login()
                    + " is a member of vantage_agent but bound to no datacenter, so it may read no monitor and write"
                    + " nothing: as the owner of the tables, run 'vantage roles bind --name " + binding.login()
                    + " --datacenter " + datacenter.code() + "' (see docs/operations.md, Database roles)");
        }
        if (binding.datacenterId() != datacenter.id()) {
            throw new ConfigurationException("DATACENTER_ID=" + datacenterSetting.strip() + " is datacenter "
                    + datacenter.code() + " (id " + datacenter.id() + "), but database login " + binding.login()
                    + " is bound to datacenter " + binding.datacenterCode() + " (id " + binding.datacenterId()
                    + "): start this agent with DATACENTER_ID=" + binding.datacenterCode() + ", or with the login of "
                    + datacenter.code() + "'s agents");
        }
    }

    private static String hostname() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.net.UnknownHostException e) {
            return null;
        }
    }

    public int agentId() {
        return agentId;
    }

    public DatacenterRow datacenter() {
        return datacenter;
    }

    /** Whether the first lease attempt has completed: this replica knows whether it leads or stands by. */
    public boolean leaseKnown() {
        return lease.status().checkedAt() != null;
    }

    /** The agent's pool, for a readiness check; closed with the agent. */
    public javax.sql.DataSource dataSource() {
        return pool;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        // close() runs on a shutdown-hook thread: carry the agent's identity into its log lines too.
        try (var context = LogContext.replace(identity)) {
            stop();
        }
    }

    private void stop() {
        log.info(
                "Agent stopping: finishing probes in flight (up to {} s) and flushing heartbeats",
                settings.shutdownGrace().toSeconds());
        watcher.close();
        // Unlock first: a standby takes over at once, and results still in flight are for slots before its
        // acquisition, which the fence lets through.
        lease.close();
        boolean finished = scheduler.stop(settings.shutdownGrace());
        writer.close();
        partitions.close();
        warmer.close();
        liveness.shutdownNow();
        try {
            jdbi.onDemand(AgentDao.class).markStopped(agentId);
        } catch (RuntimeException e) {
            log.warn("Could not mark the agent stopped: {}", e.getMessage());
        }
        pool.close();
        log.info("Agent stopped{}", finished ? "" : " (some probes were interrupted)");
    }
}
