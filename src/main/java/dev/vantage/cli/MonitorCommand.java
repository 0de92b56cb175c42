package dev.vantage.cli;

import dev.vantage.config.ConfigurationException;
import dev.vantage.config.DbConnection;
import dev.vantage.config.Environment;
import dev.vantage.db.Database;
import dev.vantage.lease.LeaseSettings;
import dev.vantage.monitor.EvaluationProgress;
import dev.vantage.monitor.EvaluationWatch;
import dev.vantage.monitor.MonitorModule;
import dev.vantage.monitor.MonitorSettings;
import dev.vantage.monitor.StateMetricsSettings;
import dev.vantage.push.PushIngest;
import dev.vantage.push.PushSettings;
import dev.vantage.push.nats.NatsIngest;
import dev.vantage.push.nats.NatsIngestSettings;
import dev.vantage.push.redis.RedisIngest;
import dev.vantage.push.redis.RedisIngestSettings;
import dev.vantage.web.HttpSettings;
import dev.vantage.web.Readiness;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code vantage monitor}: evaluates heartbeats, manages incidents and delivers notifications until SIGTERM. */
@Command(
        name = "monitor",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Evaluate heartbeats into states and incidents and deliver notifications."
                + " Run two or more replicas: one leads, the others stand by.",
        footerHeading = "%nExamples:%n",
        footer = {
            "  export DB_CONN_STRING=postgres://vantage_monitor_1:secret@127.0.0.1/vantage",
            "  vantage monitor",
            "  # the status page on every interface, behind a token",
            "  VANTAGE_HTTP_TOKEN=$(cat http_token) vantage monitor --http-address 0.0.0.0"
        })
public final class MonitorCommand implements Callable<Integer> {

    @Option(
            names = "--db",
            paramLabel = "URL",
            description = "Database URL (default: DB_CONN_STRING or DB_CONN_STRING_FILE).")
    String db;

    @Option(
            names = "--name",
            description =
                    "Process name in logs and monitor_leases (default: VANTAGE_MONITOR_NAME," + " else hostname-pid).")
    String name;

    @Option(
            names = "--reload-interval",
            paramLabel = "SECONDS",
            description = "Slow reload timer, in case a NOTIFY is missed (default: VANTAGE_RELOAD_INTERVAL, else 30).")
    String reloadInterval;

    @Option(
            names = "--db-wait",
            paramLabel = "SECONDS",
            description = "How long to wait for the database at start (default: VANTAGE_DB_WAIT, else 60).")
    String dbWait;

    @Option(
            names = "--lost-after",
            paramLabel = "SECONDS",
            description = "A datacenter with no live leader agent for this long is LOST (default: VANTAGE_LOST_AFTER,"
                    + " else 30).")
    String lostAfter;

    @Option(
            names = "--batch-size",
            paramLabel = "N",
            description = "Heartbeats evaluated per transaction at most (default: VANTAGE_BATCH_SIZE, else 10000).")
    String batchSize;

    @Option(
            names = "--notify-timeout",
            paramLabel = "SECONDS",
            description = "Bound of one notification attempt (default: VANTAGE_NOTIFY_TIMEOUT, else 10).")
    String notifyTimeout;

    @Option(
            names = "--retention-days",
            paramLabel = "DAYS",
            description = "Days of raw heartbeats kept; older daily partitions are rolled up, then dropped (default:"
                    + " VANTAGE_RETENTION_DAYS, else 30).")
    String retentionDays;

    @Option(
            names = "--push-journal-dir",
            paramLabel = "DIR",
            description = "Base directory of the journal that keeps accepted pings while the database is away (this"
                    + " replica uses DIR/push); without it a ping the database cannot take within 5 s is answered 503"
                    + " (default: VANTAGE_PUSH_JOURNAL_DIR, else none).")
    String pushJournalDir;

    @Option(
            names = "--push-journal-max-mb",
            paramLabel = "MB",
            description = "Bound of the ping journal; past 90%% of it pings are answered 503 (default:"
                    + " VANTAGE_PUSH_JOURNAL_MAX_MB, else 256).")
    String pushJournalMaxMb;

    @Option(
            names = "--push-rate",
            paramLabel = "PER_SECOND",
            description = "Sustained pings per second per push monitor; more are answered 429 (default:"
                    + " VANTAGE_PUSH_RATE, else 5).")
    String pushRate;

    @Option(
            names = "--push-burst",
            paramLabel = "N",
            description =
                    "Pings a push monitor may send at once above its rate (default: VANTAGE_PUSH_BURST, else 50).")
    String pushBurst;

    @Option(
            names = "--stall-after",
            paramLabel = "SECONDS",
            description = "Evaluation counts as stalled when no round has committed for this long: /readyz answers"
                    + " 503, vantage_evaluation_stalled is 1, the status says so (default: VANTAGE_STALL_AFTER,"
                    + " else 60; at least 5).")
    String stallAfter;

    @Mixin
    NatsOptions natsOptions = new NatsOptions();

    @Mixin
    RedisOptions redis = new RedisOptions();

    @Mixin
    HttpOptions http = new HttpOptions();

    /**
     * The monitor module and the push ingest of one replica, with its NATS and Redis ingests when set (null when
     * not); beats stop coming first (NATS drains, Redis acknowledges what it holds, pings are refused), their beats
     * written, then the module stops.
     */
    record Replica(
            MonitorModule module, PushIngest push, NatsIngest nats, RedisIngest redis, EvaluationWatch evaluation)
            implements AutoCloseable {
        static Replica start(
                MonitorSettings settings,
                Duration stallAfter,
                PushSettings push,
                NatsIngestSettings nats,
                Optional<RedisIngestSettings> redis,
                MeterRegistry meters,
                Clock clock) {
            var module = MonitorModule.start(settings, meters, clock);
            PushIngest ingest = null;
            EvaluationWatch watch = null;
            try {
                watch = EvaluationWatch.start(Database.jdbi(module.dataSource()), stallAfter, meters, clock);
                ingest = PushIngest.start(push, settings.db(), settings.name(), meters, clock);
                // Both connect in the background: NATS or Redis being away never holds the start back.
                NatsIngest fromNats =
                        nats == null ? null : NatsIngest.start(nats, ingest, settings.name(), meters, clock);
                PushIngest started = ingest;
                RedisIngest fromRedis = redis.map(r -> RedisIngest.start(r, push, started, clock))
                        .orElse(null);
                return new Replica(module, ingest, fromNats, fromRedis, watch);
            } catch (RuntimeException e) {
                if (ingest != null) {
                    ingest.close();
                }
                if (watch != null) {
                    watch.close();
                }
                module.close();
                throw e;
            }
        }

        static Replica start(MonitorSettings settings, PushSettings push, MeterRegistry meters, Clock clock) {
            return start(settings, EvaluationProgress.STALL_AFTER, push, null, Optional.empty(), meters, clock);
        }

        @Override
        public void close() {
            try (module;
                    push;
                    evaluation) {
                try {
                    if (nats != null) {
                        nats.close();
                    }
                } finally {
                    if (redis != null) {
                        redis.close();
                    }
                }
            }
        }
    }

    @Override
    public Integer call() throws InterruptedException {
        var env = Environment.system();
        var settings = settings(env);
        var push = pushSettings(env, settings);
        var nats = natsOptions.settings(env);
        var redisSettings = redisSettings(env, settings);
        var httpSettings = http.settings(env, HttpSettings.MONITOR_PORT);
        Duration stall = stallAfter(env);
        var meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        UntilSigterm.run("monitor", settings.dbWait().plusSeconds(30), () -> {
            var served = Served.start(
                    httpSettings,
                    meters,
                    () -> Replica.start(settings, stall, push, nats, redisSettings, meters, Clock.systemUTC()),
                    replica -> new Readiness.Target(
                            replica.module().dataSource(), replica.module()::leaseKnown, replica.evaluation()::stall));
            served.web().ifPresent(web -> {
                StatusRoutes.mount(web, served.process().module().dataSource(), stall);
                served.process().push().mount(web);
            });
            return served;
        });
        return 0;
    }

    /** VANTAGE_STALL_AFTER (or --stall-after), whole seconds, at least 5. */
    Duration stallAfter(Environment env) {
        return stallAfter(env, stallAfter);
    }

    static Duration stallAfter(Environment env, String flag) {
        var value = Duration.ofSeconds(AgentCommand.integer(
                env, flag, "VANTAGE_STALL_AFTER", (int) EvaluationProgress.STALL_AFTER.toSeconds()));
        if (value.compareTo(EvaluationProgress.MIN_STALL_AFTER) < 0 || value.compareTo(Duration.ofDays(1)) > 0) {
            throw new ConfigurationException("VANTAGE_STALL_AFTER: expected 5 to 86400 seconds (several evaluation"
                    + " rounds and a lease takeover must fit in it), got " + value.toSeconds());
        }
        return value;
    }

    PushSettings pushSettings(Environment env, MonitorSettings monitor) {
        Path journal = env.resolve(pushJournalDir, "VANTAGE_PUSH_JOURNAL_DIR")
                .map(String::strip)
                .map(dir -> {
                    if (dir.isEmpty()) {
                        throw new ConfigurationException("VANTAGE_PUSH_JOURNAL_DIR: expected a directory, got ''");
                    }
                    return Path.of(dir);
                })
                .orElse(null);
        long maxBytes = (long) AgentCommand.integer(env, pushJournalMaxMb, "VANTAGE_PUSH_JOURNAL_MAX_MB", 256) << 20;
        return PushSettings.DEFAULTS
                .withJournal(journal, maxBytes)
                .withRate(
                        number(env, pushRate, "VANTAGE_PUSH_RATE", PushSettings.DEFAULTS.ratePerSecond()),
                        AgentCommand.integer(env, pushBurst, "VANTAGE_PUSH_BURST", PushSettings.DEFAULTS.burst()))
                .withReloadInterval(monitor.reloadInterval());
    }

    /** The Redis ingest's settings, or empty when no URL is set (it is off then); the consumer is the replica. */
    Optional<RedisIngestSettings> redisSettings(Environment env, MonitorSettings monitor) {
        return redis.settings(env, monitor.name());
    }

    private static double number(Environment env, String flag, String variable, double defaultValue) {
        var value = env.resolve(flag, variable);
        if (value.isEmpty()) {
            return defaultValue;
        }
        try {
            return Double.parseDouble(value.get().strip());
        } catch (NumberFormatException e) {
            throw new ConfigurationException(variable + ": expected a number, got '" + value.get() + "'");
        }
    }

    MonitorSettings settings(Environment env) {
        var connection = DbConnection.parse(env.require(db, "DB_CONN_STRING", "--db", "the database URL"));
        return new MonitorSettings(
                connection,
                env.resolve(name, "VANTAGE_MONITOR_NAME").orElseGet(MonitorCommand::defaultName),
                Duration.ofSeconds(AgentCommand.integer(env, reloadInterval, "VANTAGE_RELOAD_INTERVAL", 30)),
                Duration.ofSeconds(AgentCommand.integer(env, dbWait, "VANTAGE_DB_WAIT", 60)),
                Duration.ofSeconds(AgentCommand.integer(env, lostAfter, "VANTAGE_LOST_AFTER", 30)),
                AgentCommand.integer(env, batchSize, "VANTAGE_BATCH_SIZE", MonitorSettings.BATCH_SIZE),
                MonitorSettings.POLL,
                Duration.ofSeconds(AgentCommand.integer(env, notifyTimeout, "VANTAGE_NOTIFY_TIMEOUT", 10)),
                AgentCommand.integer(env, retentionDays, "VANTAGE_RETENTION_DAYS", MonitorSettings.RETENTION_DAYS),
                LeaseSettings.DEFAULTS,
                StateMetricsSettings.parse(
                        env.resolve(stateMetrics, "VANTAGE_MONITOR_STATE_METRICS"),
                        AgentCommand.integer(
                                env,
                                stateMetricsMax,
                                "VANTAGE_MONITOR_STATE_MAX_SERIES",
                                StateMetricsSettings.MAX_SERIES)));
    }

    @Option(
            names = "--state-metrics",
            paramLabel = "on|off",
            description = "Export vantage_monitor_state and vantage_monitor_up per monitor and datacenter from the"
                    + " evaluating replica (default: VANTAGE_MONITOR_STATE_METRICS, else on).")
    String stateMetrics;

    @Option(
            names = "--state-metrics-max",
            paramLabel = "N",
            description = "Monitor and datacenter pairs exported at most by the state gauges; the rest are counted in"
                    + " vantage_monitor_state_omitted (default: VANTAGE_MONITOR_STATE_MAX_SERIES, else 10000).")
    String stateMetricsMax;

    static String defaultName() {
        return dev.vantage.agent.AgentSettings.defaultName();
    }
}
