package dev.vantage.cli;

import dev.vantage.agent.Agent;
import dev.vantage.agent.AgentSettings;
import dev.vantage.config.ConfigurationException;
import dev.vantage.config.DbConnection;
import dev.vantage.config.Environment;
import dev.vantage.heartbeat.HeartbeatWriterSettings;
import dev.vantage.lease.LeaseSettings;
import dev.vantage.lease.OnDbLoss;
import dev.vantage.probe.tls.ProbeTls;
import dev.vantage.probe.tls.TlsProvider;
import dev.vantage.probe.warm.WarmUpSettings;
import dev.vantage.web.HttpSettings;
import dev.vantage.web.Readiness;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code vantage agent}: probes one datacenter's monitors until SIGTERM. */
@Command(
        name = "agent",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Run the probes of one datacenter and write heartbeats.",
        footerHeading = "%nExamples:%n",
        footer = {
            "  export DB_CONN_STRING=postgres://va_agent:secret@127.0.0.1/vantage",
            "  DATACENTER_ID=VA vantage agent",
            "  # a second agent on this host, with an HTTP port of its own",
            "  vantage agent --datacenter VA --http-port 8091"
        })
public final class AgentCommand implements Callable<Integer> {

    @Option(
            names = "--db",
            paramLabel = "URL",
            description = "Database URL (default: DB_CONN_STRING or DB_CONN_STRING_FILE).")
    String db;

    @Option(
            names = "--datacenter",
            paramLabel = "ID|CODE",
            description = "Datacenter id or code (default: DATACENTER_ID).")
    String datacenter;

    @Option(names = "--name", description = "Agent name (default: VANTAGE_AGENT_NAME, else hostname-pid).")
    String name;

    @Option(
            names = "--max-concurrency",
            paramLabel = "N",
            description = "Probes running at once (default: VANTAGE_MAX_CONCURRENCY, else 512).")
    String maxConcurrency;

    @Option(
            names = "--reload-interval",
            paramLabel = "SECONDS",
            description = "Slow reload timer, in case a NOTIFY is missed (default: VANTAGE_RELOAD_INTERVAL, else 30).")
    String reloadInterval;

    @Option(
            names = "--shutdown-grace",
            paramLabel = "SECONDS",
            description = "Time probes in flight get to finish at shutdown (default: VANTAGE_SHUTDOWN_GRACE, else 10).")
    String shutdownGrace;

    @Option(
            names = "--db-wait",
            paramLabel = "SECONDS",
            description = "How long to wait for the database at start (default: VANTAGE_DB_WAIT, else 60).")
    String dbWait;

    @Option(
            names = "--queue-capacity",
            paramLabel = "N",
            description =
                    "Heartbeats buffered in memory while the database is away (default: VANTAGE_QUEUE_CAPACITY, else 50000).")
    String queueCapacity;

    @Option(
            names = "--queue-max-mb",
            paramLabel = "MB",
            description = "Bound in MiB of the heartbeats buffered in memory, beside --queue-capacity"
                    + " (default: VANTAGE_QUEUE_MAX_MB, else 64).")
    String queueMaxMb;

    @Option(
            names = "--on-db-loss",
            paramLabel = "continue|stop",
            description = "When the leader cannot reach the database: keep probing and keep the results until it is"
                    + " back (continue), or stop probing (stop) (default: VANTAGE_ON_DB_LOSS, else continue).")
    String onDbLoss;

    @Option(
            names = "--journal-dir",
            paramLabel = "DIR|off",
            description = "Base directory of the heartbeat journal that keeps results while the database is away and"
                    + " across restarts; each replica uses <DIR>/<datacenter code>[.n]; 'off' keeps them in memory"
                    + " only (default: VANTAGE_JOURNAL_DIR, else <tmp>/vantage-journal/<host_port_database>).")
    String journalDir;

    @Option(
            names = "--journal-max-mb",
            paramLabel = "MB",
            description = "Bound of the journal on disk; past it the oldest heartbeats are dropped, counted"
                    + " (default: VANTAGE_JOURNAL_MAX_MB, else 256).")
    String journalMaxMb;

    @Option(
            names = "--warmup",
            paramLabel = "true|false",
            description = "Warm the probe path against in-process loopback targets before the first slot, and every"
                    + " minute while this replica probes nothing, so that the first probes after a start or a takeover"
                    + " time as exactly as the rest (default: VANTAGE_WARMUP, else true).")
    String warmUp;

    @Option(
            names = "--tls-provider",
            paramLabel = "auto|jsse|native",
            description = "TLS of https and tls probes: native (Conscrypt, BoringSSL; linux-x86_64) when it loads, else"
                    + " the JDK's with one log line (auto); the JDK's (jsse); or native, refusing to start without it"
                    + " (default: VANTAGE_TLS_PROVIDER, else auto).")
    String tlsProvider;

    @Mixin
    HttpOptions http = new HttpOptions();

    @Override
    public Integer call() throws InterruptedException {
        var env = Environment.system();
        var settings = settings(env);
        ProbeTls.install(TlsProvider.parse(
                env.resolve(tlsProvider, "VANTAGE_TLS_PROVIDER").orElse("auto")));
        var httpSettings = http.settings(env, HttpSettings.AGENT_PORT);
        var meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        UntilSigterm.run(
                "agent",
                settings.dbWait().plusSeconds(30),
                () -> serve(settings, httpSettings, meters, Clock.systemUTC()));
        return 0;
    }

    /**
     * Starts the agent and its HTTP server. Agents share a host (two replicas of one datacenter, or agents of several):
     * on the default port, which nobody chose, the second one logs a warning and runs without its server; a port set
     * explicitly that is taken stops it.
     */
    static Served<Agent> serve(AgentSettings settings, HttpSettings http, PrometheusMeterRegistry meters, Clock clock) {
        return Served.start(
                http,
                HttpOptions.TakenDefaultPort.RUN_WITHOUT_SERVER,
                meters,
                () -> Agent.start(settings, meters, clock),
                agent -> new Readiness.Target(agent.dataSource(), agent::leaseKnown));
    }

    AgentSettings settings(Environment env) {
        var connection = DbConnection.parse(env.require(db, "DB_CONN_STRING", "--db", "the database URL"));
        return new AgentSettings(
                connection,
                env.require(datacenter, "DATACENTER_ID", "--datacenter", "the datacenter id or code"),
                env.resolve(name, "VANTAGE_AGENT_NAME").orElseGet(AgentSettings::defaultName),
                integer(env, maxConcurrency, "VANTAGE_MAX_CONCURRENCY", 512),
                Duration.ofSeconds(integer(env, reloadInterval, "VANTAGE_RELOAD_INTERVAL", 30)),
                Duration.ofSeconds(integer(env, shutdownGrace, "VANTAGE_SHUTDOWN_GRACE", 10)),
                Duration.ofSeconds(integer(env, dbWait, "VANTAGE_DB_WAIT", 60)),
                HeartbeatWriterSettings.DEFAULTS
                        .withQueueCapacity(integer(env, queueCapacity, "VANTAGE_QUEUE_CAPACITY", 50_000))
                        .withQueueMaxBytes((long) integer(env, queueMaxMb, "VANTAGE_QUEUE_MAX_MB", 64) << 20)
                        .withJournalDir(journalBase(env, connection))
                        .withJournalMaxBytes((long) integer(env, journalMaxMb, "VANTAGE_JOURNAL_MAX_MB", 256) << 20),
                LeaseSettings.DEFAULTS.withOnDbLoss(env.resolve(onDbLoss, "VANTAGE_ON_DB_LOSS")
                        .map(OnDbLoss::parse)
                        .orElse(OnDbLoss.CONTINUE)),
                WarmUpSettings.DEFAULTS.withEnabled(env.resolve(warmUp, "VANTAGE_WARMUP")
                        .map(WarmUpSettings::parseEnabled)
                        .orElse(true)));
    }

    /**
     * The journal's base directory, or null for 'off'. By default one per database under the temporary directory,
     * so that a journal is never replayed into another database than the one it was written for.
     */
    Path journalBase(Environment env, DbConnection connection) {
        var value = env.resolve(journalDir, "VANTAGE_JOURNAL_DIR");
        if (value.isPresent()) {
            String dir = value.get().strip();
            if (dir.equalsIgnoreCase("off")) {
                return null;
            }
            if (dir.isEmpty()) {
                throw new ConfigurationException("VANTAGE_JOURNAL_DIR: expected a directory or 'off', got ''");
            }
            return Path.of(dir);
        }
        String database =
                connection.jdbcUrl().replaceFirst("^jdbc:postgresql://", "").replaceFirst("\\?.*$", "");
        return Path.of(
                System.getProperty("java.io.tmpdir"), "vantage-journal", database.replaceAll("[^A-Za-z0-9._-]", "_"));
    }

    static int integer(Environment env, String flag, String variable, int defaultValue) {
        var value = env.resolve(flag, variable);
        if (value.isEmpty()) {
            return defaultValue;
        }
        try {
            return Integer.parseInt(value.get().strip());
        } catch (NumberFormatException e) {
            throw new ConfigurationException(variable + ": expected a whole number, got '" + value.get() + "'");
        }
    }
}
