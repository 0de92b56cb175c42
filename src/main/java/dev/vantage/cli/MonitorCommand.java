package dev.vantage.cli;

import dev.vantage.config.DbConnection;
import dev.vantage.config.Environment;
import dev.vantage.lease.LeaseSettings;
import dev.vantage.monitor.MonitorModule;
import dev.vantage.monitor.MonitorSettings;
import dev.vantage.web.HttpSettings;
import dev.vantage.web.Readiness;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code vantage monitor}: evaluates heartbeats, manages incidents and delivers notifications until SIGTERM. */
@Command(
        name = "monitor",
        description = "Evaluate heartbeats into states and incidents and deliver notifications."
                + " Run two or more replicas: one leads, the others stand by.")
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

    @Mixin
    HttpOptions http = new HttpOptions();

    @Override
    public Integer call() throws InterruptedException {
        var env = Environment.system();
        var settings = settings(env);
        var httpSettings = http.settings(env, HttpSettings.MONITOR_PORT);
        var meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        UntilSigterm.run("monitor", settings.dbWait().plusSeconds(30), () -> {
            var served = Served.start(
                    httpSettings,
                    meters,
                    () -> MonitorModule.start(settings, meters, Clock.systemUTC()),
                    module -> new Readiness.Target(module.dataSource(), module::leaseKnown));
            served.web()
                    .ifPresent(web -> StatusRoutes.mount(web, served.process().dataSource()));
            return served;
        });
        return 0;
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
                LeaseSettings.DEFAULTS);
    }

    static String defaultName() {
        return dev.vantage.agent.AgentSettings.defaultName();
    }
}
