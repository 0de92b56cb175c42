package dev.vantage.demo;

import dev.vantage.agent.Agent;
import dev.vantage.agent.AgentSettings;
import dev.vantage.config.DbConnection;
import dev.vantage.db.Database;
import dev.vantage.db.Migrations;
import dev.vantage.heartbeat.HeartbeatWriterSettings;
import dev.vantage.lease.LeaseSettings;
import dev.vantage.monitor.MonitorModule;
import dev.vantage.monitor.MonitorSettings;
import dev.vantage.push.PushIngest;
import dev.vantage.push.PushSettings;
import dev.vantage.push.nats.NatsIngest;
import dev.vantage.push.nats.NatsIngestSettings;
import dev.vantage.push.redis.RedisIngest;
import dev.vantage.push.redis.RedisIngestSettings;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole system on one machine with no set-up: an embedded PostgreSQL 17, the migrations, demo rows aimed at
 * loopback targets that the demo serves itself, one agent per demo datacenter, and the monitor module, which turns
 * their heartbeats into states, incidents and notifications (to the log).
 */
public final class Demo implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Demo.class);

    /** The demo monitor with a scripted outage in two of the three datacenters: the demo's incident. */
    public static final String OUTAGE_MONITOR = DemoData.OUTAGE_MONITOR;

    /** The demo's "database", which fails with the checkout; {@link #DEPENDENT_APIS} depend on it. */
    public static final String DATABASE = DemoData.DATABASE;

    /** Two APIs that fail while the database is DOWN: suppressed, listed by the database's notices. */
    public static final java.util.List<String> DEPENDENT_APIS = DemoData.DEPENDENT_APIS;

    private final EmbeddedPostgres postgres;
    private final Path dataDirectory;
    private final boolean temporary;
    private final DemoTargets targets;
    private final DbConnection connection;
    private final List<Agent> agents = new ArrayList<>();
    private MonitorModule monitor;
    private PushIngest push;
    private final NatsIngestSettings natsSettings;
    private NatsIngest nats;
    private RedisIngest redis;
    /** The demo's own nats-server, when one is installed and no NATS URL was given; else null. */
    private DemoNats ownNats;
    /** The demo's jobs and services sending beats; null until {@link #startBeats}. */
    private DemoBeats beats;
    /** The monitor module's meters, which the demo's HTTP server exposes on /metrics. */
    private final PrometheusMeterRegistry monitorMeters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

    private final dev.vantage.web.JvmMeters jvmMeters = dev.vantage.web.JvmMeters.bind(monitorMeters);

    /** The database the user gave with {@code --db}, as given; null when the demo runs its embedded PostgreSQL. */
    private final String externalUrl;

    private Demo(
            EmbeddedPostgres postgres,
            String externalUrl,
            Path dataDirectory,
            boolean temporary,
            DemoTargets targets,
            NatsIngestSettings natsSettings) {
        this.postgres = postgres;
        this.externalUrl = externalUrl;
        this.natsSettings = natsSettings;
        this.dataDirectory = dataDirectory;
        this.temporary = temporary;
        this.targets = targets;
        this.connection = DbConnection.parse(libpqUrl());
    }

    /**
     * Starts everything. {@code dataDirectory} null means a temporary directory removed at close; {@code port} 0
     * means any free loopback port.
     */
    public static Demo start(Path dataDirectory, int port) {
        return start(dataDirectory, port, null);
    }

    /** As {@link #start(Path, int)}, also taking beats from NATS when {@code nats} is not null. */
    public static Demo start(Path dataDirectory, int port, NatsIngestSettings nats) {
        return start(dataDirectory, port, nats, null);
    }

    /**
     * As {@link #start(Path, int)}, also taking beats from NATS when {@code nats} is not null, and from Redis streams
     * when {@code redis} is not null (the demo starts neither server).
     */
    public static Demo start(Path dataDirectory, int port, NatsIngestSettings nats, RedisIngestSettings redis) {
        return start(null, dataDirectory, port, nats, redis);
    }

    /**
     * As {@link #start(Path, int, NatsIngestSettings, RedisIngestSettings)} on the user's own PostgreSQL at {@code
     * databaseUrl} (a libpq or JDBC URL, as DB_CONN_STRING) instead of an embedded one: the platforms without
     * embedded binaries. The demo migrates it and adds its rows; an empty database (or one an earlier demo used) is
     * what it expects. Its own files (NATS) go to a temporary directory.
     */
    public static Demo start(String databaseUrl, NatsIngestSettings nats, RedisIngestSettings redis) {
        DbConnection.parse(databaseUrl); // a wrong URL stops here, before anything starts
        return start(databaseUrl, null, 0, nats, redis);
    }

    private static Demo start(
            String externalUrl, Path dataDirectory, int port, NatsIngestSettings nats, RedisIngestSettings redis) {
        if (externalUrl == null) {
            EmbeddedBinaries.require(); // before anything starts: the platform, or the files beside the jar
        }
        boolean temporary = dataDirectory == null;
        DemoTargets targets = null;
        EmbeddedPostgres postgres = null;
        try {
            Path dir = temporary ? Files.createTempDirectory("vantage-demo-") : dataDirectory.toAbsolutePath();
            Files.createDirectories(dir);
            if (externalUrl == null) {
                var builder = EmbeddedPostgres.builder()
                        .setDataDirectory(dir)
                        .setCleanDataDirectory(temporary)
                        .setServerConfig("listen_addresses", "127.0.0.1")
                        // Demo.close stops PostgreSQL after the agents have flushed; zonky's own hook would race them.
                        .setRegisterShutdownHook(false);
                if (port > 0) {
                    builder.setPort(port);
                }
                postgres = builder.start();
            }
            targets = DemoTargets.start();
            DemoNats ownNats = nats == null ? startOwnNats(dir) : null;
            if (ownNats != null) {
                nats = NatsIngestSettings.of(ownNats.url(), null, null, null, true);
            }
            var demo = new Demo(postgres, externalUrl, dir, temporary, targets, nats);
            demo.ownNats = ownNats;
            try {
                demo.prepare(redis);
            } catch (RuntimeException e) {
                targets = null; // demo.close stops them, after the agents already started
                postgres = null;
                demo.close();
                throw e;
            }
            return demo;
        } catch (IOException e) {
            closeQuietly(targets, postgres);
            throw new UncheckedIOException("cannot start the demo: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            closeQuietly(targets, postgres);
            throw e;
        }
    }

    private void prepare(RedisIngestSettings redisSettings) {
        try (var pool = Database.pool(connection, "vantage-demo", 2)) {
            Migrations.migrate(pool);
            Database.jdbi(pool).useTransaction(h -> DemoData.seed(h, targets));
        }
        for (String dc : List.of("VA", "NY", "LON")) {
            var settings = new AgentSettings(
                    connection,
                    dc,
                    "demo-" + dc,
                    256,
                    Duration.ofSeconds(30),
                    Duration.ofSeconds(5),
                    Duration.ofSeconds(10),
                    HeartbeatWriterSettings.DEFAULTS.withShutdownDeadline(Duration.ofSeconds(3)),
                    LeaseSettings.DEFAULTS);
            // One registry per agent: three agents in one process would otherwise collide on the same meters.
            agents.add(Agent.start(settings, new SimpleMeterRegistry(), Clock.systemUTC()));
        }
        // After the agents, so every datacenter already has a live leader when the module first looks and none is
        // reported LOST at start.
        monitor = MonitorModule.start(
                MonitorSettings.defaults(connection, "demo-monitor"), monitorMeters, Clock.systemUTC());
        push = PushIngest.start(PushSettings.DEFAULTS, connection, "demo-monitor", monitorMeters, Clock.systemUTC());
        if (natsSettings != null) {
            nats = NatsIngest.start(natsSettings, push, "demo-monitor", monitorMeters, Clock.systemUTC());
        }
        if (redisSettings != null) {
            redis = RedisIngest.start(redisSettings, push, Clock.systemUTC());
        }
    }

    /** The database as a user gives it in DB_CONN_STRING (with {@code --db}, the URL given). */
    public String libpqUrl() {
        if (postgres == null) {
            return externalUrl;
        }
        return "postgres://postgres:postgres@127.0.0.1:" + postgres.getPort() + "/postgres?sslmode=disable";
    }

    public String jdbcUrl() {
        if (postgres == null) {
            return connection.jdbcUrl();
        }
        return "jdbc:postgresql://127.0.0.1:" + postgres.getPort() + "/postgres?user=postgres";
    }

    /** The demo's monitor module; null until it has started. */
    public MonitorModule monitor() {
        return monitor;
    }

    /**
     * A nats-server of the demo's own when one is installed, so that the demo shows a NATS heartbeat; without one (or
     * when it fails to start) the demo runs without NATS and says why.
     */
    private static DemoNats startOwnNats(Path dir) {
        try {
            var nats = DemoNats.startIfInstalled(dir.resolve("nats"));
            if (nats.isEmpty()) {
                log.info("No nats-server installed: the demo runs without NATS beats (apt-get install nats-server, or"
                        + " set VANTAGE_NATS_URL)");
            }
            return nats.orElse(null);
        } catch (IOException e) {
            log.warn("The demo's nats-server did not start ({}); the demo runs without NATS beats", e.getMessage());
            return null;
        }
    }

    /**
     * Starts the demo's senders of beats: its two push jobs ping {@code pingBase} (the demo's HTTP server; null when
     * it serves none), and with the demo's own NATS server a service publishes nats-heartbeat messages.
     */
    public synchronized void startBeats(String pingBase) {
        if (beats != null) {
            return;
        }
        try (var pool = Database.pool(connection, "vantage-demo-tokens", 1)) {
            var jdbi = Database.jdbi(pool);
            String heartbeat = jdbi.withHandle(h -> DemoData.pushToken(h, DemoData.HEARTBEAT_JOB))
                    .orElse(null);
            String export = jdbi.withHandle(h -> DemoData.pushToken(h, DemoData.EXPORT_JOB))
                    .orElse(null);
            beats = DemoBeats.start(
                    heartbeat == null || export == null ? null : pingBase,
                    heartbeat,
                    export,
                    ownNats == null ? null : ownNats.url());
        }
    }

    /** The NATS subject the demo's service publishes on, when the demo runs its own NATS server; else null. */
    public String natsHeartbeatSubject() {
        return ownNats == null ? null : DemoBeats.NATS_SUBJECT;
    }

    /** The push endpoints the demo's HTTP server mounts; null until started. */
    public PushIngest push() {
        return push;
    }

    /** Where the demo takes NATS beats from, or null when it does not. */
    public NatsIngestSettings natsSettings() {
        return natsSettings;
    }

    /** The Redis ingest, when the demo was given a Redis URL; else null. */
    public RedisIngest redis() {
        return redis;
    }

    public PrometheusMeterRegistry monitorMeters() {
        return monitorMeters;
    }

    public DbConnection connection() {
        return connection;
    }

    public DemoTargets targets() {
        return targets;
    }

    public Path dataDirectory() {
        return dataDirectory;
    }

    @Override
    public void close() {
        // The monitor module first: its last round commits while the database is up, and it does not see the agents
        // go and open LOST incidents for every datacenter on the way out. The pings before it, their beats written, and
        // NATS and Redis before the pings' writer. The demo's senders of beats before all of them.
        synchronized (this) {
            if (beats != null) {
                beats.close();
            }
        }
        if (nats != null) {
            try {
                nats.close();
            } catch (RuntimeException e) {
                log.warn("Demo NATS ingest did not stop cleanly: {}", e.toString());
            }
        }
        if (ownNats != null) {
            ownNats.close();
        }
        if (redis != null) {
            try {
                redis.close();
            } catch (RuntimeException e) {
                log.warn("Demo Redis ingest did not stop cleanly: {}", e.toString());
            }
        }
        if (push != null) {
            try {
                push.close();
            } catch (RuntimeException e) {
                log.warn("Demo push endpoints did not stop cleanly: {}", e.toString());
            }
        }
        if (monitor != null) {
            try {
                monitor.close();
            } catch (RuntimeException e) {
                log.warn("Demo monitor module did not stop cleanly: {}", e.toString());
            }
        }
        // Agents stop in parallel: each flushes its own heartbeats within its own deadline.
        try (var stopping = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            for (Agent agent : agents) {
                stopping.execute(() -> {
                    try {
                        agent.close();
                    } catch (RuntimeException e) {
                        log.warn("Demo agent did not stop cleanly: {}", e.toString());
                    }
                });
            }
        }
        closeQuietly(targets, postgres);
        jvmMeters.close();
        if (temporary) {
            deleteRecursively(dataDirectory);
        }
    }

    private static void closeQuietly(DemoTargets targets, EmbeddedPostgres postgres) {
        try {
            if (targets != null) {
                targets.close();
            }
        } catch (Exception e) {
            log.warn("Demo targets did not stop cleanly: {}", e.toString());
        }
        try {
            if (postgres != null) {
                postgres.close();
            }
        } catch (IOException e) {
            log.warn("Embedded PostgreSQL did not stop cleanly: {}", e.toString());
        }
    }

    private static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            log.warn("Could not remove the demo directory {}: {}", dir, e.toString());
        }
    }
}
