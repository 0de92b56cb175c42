package dev.vantage.cli;

import dev.vantage.config.ConfigurationException;
import dev.vantage.config.Environment;
import dev.vantage.demo.Demo;
import dev.vantage.web.HttpSettings;
import dev.vantage.web.Readiness;
import dev.vantage.web.WebServer;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code vantage demo}: the whole system on embedded defaults, until Ctrl+C. */
@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Run an embedded PostgreSQL 17, demo targets on loopback, one agent per demo datacenter and the"
                + " monitor module, which logs its notifications.",
        footerHeading = "%nExamples:%n",
        footer = {"  vantage demo", "  vantage demo --data-dir ./vantage-demo --pg-port 55432   # keeps the data"})
public final class DemoCommand implements Callable<Integer> {
    /** The demo's monitor replica: its name in logs, and its consumer name in the Redis group. */
    static final String DEMO_MONITOR = "demo-monitor";

    @Option(
            names = "--data-dir",
            paramLabel = "DIR",
            description = "Keep the database here (default: a temporary directory removed at exit).")
    Path dataDir;

    @Option(
            names = "--pg-port",
            paramLabel = "PORT",
            description = "Loopback port of the embedded PostgreSQL (default: any free port).")
    int pgPort;

    @Option(
            names = "--db",
            paramLabel = "URL",
            description = "Use this PostgreSQL (an empty database) instead of the embedded one, whose binaries ship"
                    + " for Linux amd64 and arm64 only: postgres://user:pass@host:5432/db or a JDBC URL.")
    String db;

    @Mixin
    HttpOptions http = new HttpOptions();

    @Mixin
    NatsOptions nats = new NatsOptions();

    /** Beats from Redis streams too, when a URL is given (the demo starts no Redis of its own). */
    @Mixin
    RedisOptions redis = new RedisOptions();

    @Override
    public Integer call() throws InterruptedException {
        var env = Environment.system();
        var httpSettings = http.settings(env, HttpSettings.MONITOR_PORT); // a wrong flag stops here
        var natsSettings = nats.settings(env);
        var redisSettings = redis.settings(env, DEMO_MONITOR).orElse(null);
        if (db != null && (dataDir != null || pgPort != 0)) {
            throw new ConfigurationException("--db: the demo's database is then yours; --data-dir and --pg-port are"
                    + " for the embedded PostgreSQL only");
        }
        var demo = db == null
                ? Demo.start(dataDir, pgPort, natsSettings, redisSettings)
                : Demo.start(db, natsSettings, redisSettings);
        var web = startHttp(httpSettings, demo, System.out);
        demo.startBeats(web.map(WebServer::url).orElse(null));
        var stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            demo.close();
                            web.ifPresent(WebServer::close);
                            stopped.countDown();
                        },
                        "demo-shutdown"));
        printWelcome(System.out, demo, web);
        stopped.await();
        return 0;
    }

    /**
     * The monitor module's HTTP server. A taken port does not stop the demo, whose point is the rest of the system: it
     * says so in one line and runs without the server.
     */
    static Optional<WebServer> startHttp(HttpSettings settings, Demo demo, PrintStream out) {
        var readiness = new Readiness(Readiness.DEFAULT_TIMEOUT);
        readiness.started(new Readiness.Target(demo.monitor().dataSource(), demo.monitor()::leaseKnown));
        try {
            var web = HttpOptions.start(settings, demo.monitorMeters(), readiness);
            web.ifPresent(w -> {
                StatusRoutes.mount(w, demo.monitor().dataSource(), dev.vantage.monitor.EvaluationProgress.STALL_AFTER);
                demo.push().mount(w);
            });
            return web;
        } catch (ConfigurationException e) {
            out.println("vantage demo: " + e.getMessage() + "; the demo runs without its HTTP server");
            out.flush();
            return Optional.empty();
        }
    }

    static void printWelcome(PrintStream out, Demo demo, Optional<WebServer> web) {
        out.println();
        out.println("Vantage demo is running. Press Ctrl+C to stop.");
        out.println();
        out.println("  Database (JDBC):   " + demo.jdbcUrl());
        out.println("  DB_CONN_STRING:    " + demo.libpqUrl());
        out.println("  psql:              psql '" + demo.libpqUrl().replace("?sslmode=disable", "") + "'");
        out.println("  Data directory:    " + demo.dataDirectory());
        web.ifPresent(w -> {
            out.println("  Status page:       " + w.url() + "/ (JSON: /api/status)");
            out.println("  Badges:            " + w.url() + "/badge/fast-api/status.svg, /badge/checkout/uptime.svg");
            out.println("  Monitor HTTP:      " + w.url() + " (/healthz, /readyz, /metrics)");
            out.println("  Push pings:        " + w.url() + "/ping/<push_token> (see docs/push.md)");
        });
        if (demo.natsSettings() != null) {
            out.println("  NATS beats:        " + demo.natsSettings().address() + " subject "
                    + demo.natsSettings().subscription() + " (see docs/push.md, NATS)"
                    + (demo.natsHeartbeatSubject() == null
                            ? ""
                            : "; the demo's service publishes on " + demo.natsHeartbeatSubject()));
        }
        if (demo.redis() != null) {
            out.println("  Redis beats:       " + demo.redis().where() + " (see docs/push.md, Redis)");
        }
        out.println();
        out.println("Queries to try:");
        out.println();
        out.println("  -- the latest heartbeat of every monitor in every datacenter");
        out.println("  SELECT DISTINCT ON (h.monitor_id, d.code) d.code AS dc, m.name, h.success,");
        out.println("         h.response_status_code AS status, round(h.response_time_ms::numeric, 3) AS ms,");
        out.println("         h.error_type, h.error_message");
        out.println("  FROM api_heartbeats h JOIN api_monitors m ON m.id = h.monitor_id");
        out.println("  JOIN datacenters d ON d.id = h.datacenter_id");
        out.println("  ORDER BY h.monitor_id, d.code, h.scheduled_at DESC;");
        out.println();
        out.println("  -- phases of the slow target: DNS, connect, TLS, server processing, transfer (ms)");
        out.println("  SELECT scheduled_at, dns_lookup_ms, tcp_connect_ms, tls_handshake_ms, server_processing_ms,");
        out.println("         content_transfer_ms, time_to_first_byte_ms, response_time_ms");
        out.println("  FROM api_heartbeats WHERE monitor_id = (SELECT id FROM api_monitors WHERE name LIKE 'Slow%')");
        out.println("  ORDER BY scheduled_at DESC LIMIT 5;");
        out.println();
        out.println("  -- failures by error type over the last 10 minutes");
        out.println("  SELECT error_type, count(*) FROM api_heartbeats");
        out.println("  WHERE NOT success AND scheduled_at > now() - interval '10 minutes'");
        out.println("  GROUP BY error_type ORDER BY count(*) DESC;");
        out.println();
        out.println("  -- the state of every monitor, globally and in each datacenter");
        out.println("  SELECT m.name, coalesce(d.code, 'global') AS dc, s.state, s.since, s.details");
        out.println("  FROM monitor_states s JOIN api_monitors m ON m.id = s.monitor_id");
        out.println("  LEFT JOIN datacenters d ON d.id = s.datacenter_id");
        out.println("  ORDER BY m.name, s.datacenter_id NULLS FIRST;");
        out.println();
        out.println("  -- incidents, open and resolved, with the datacenters that were down");
        out.println("  SELECT i.id, m.name, i.scope, i.opened_at, i.resolved_at, i.error_type,");
        out.println("         (SELECT string_agg(code, ',') FROM datacenters WHERE id = ANY (i.datacenters)) AS dcs");
        out.println("  FROM incidents i LEFT JOIN api_monitors m ON m.id = i.monitor_id ORDER BY i.id;");
        out.println();
        out.println("  -- maintenance windows, and the heartbeats they covered");
        out.println("  SELECT id, reason, monitor_ids, starts_at, ends_at, weekdays, start_time, duration, time_zone");
        out.println("  FROM maintenance_windows ORDER BY id;");
        out.println("  SELECT count(*) FILTER (WHERE in_maintenance) AS in_maintenance, count(*) FROM api_heartbeats;");
        out.println();
        out.println("  -- notifications and their delivery (the demo's only channel writes them to this log)");
        out.println("  -- (group_id: the notifications sent together as one notice share it)");
        out.println("  SELECT n.id, n.incident_id, n.event, n.status, n.group_id, n.created_at, n.delivered_at");
        out.println("  FROM notifications n ORDER BY n.id;");
        out.println();
        out.println("'" + Demo.OUTAGE_MONITOR + "' fails in VA and NY from about 10 s to 40 s after start:");
        out.println(
                "its incident fires, then resolves, within the first minute. Notifications appear in the log below");
        out.println(
                "(logger dev.vantage.notify.log, message 'incident vantage-incident-N firing: ...', then 'resolved').");
        out.println("The monitors that fail on purpose (TLS, refused, timeout, DNS, broken row) go DOWN and stay");
        out.println("so: each has an open incident of its own. The 503 page is under a maintenance window: it shows");
        out.println(
                "MAINTENANCE (DOWN underneath) and notifies nothing; `vantage maintenance list` and the status page");
        out.println("show that window and a weekly one. End it with `vantage maintenance stop <id>` and it fires.");
        out.println("The log channel groups incidents that open within 5 s, so those that fail together arrive as");
        out.println("one notice ('incident vantage-group-<id> firing: <n> monitors DOWN: ...').");
        out.println();
        out.println("Edit api_monitors or schedules with psql: the agents apply changes within a second.");
        out.println();
        out.flush();
    }
}
