package dev.vantage.bench;

import dev.vantage.db.Database;
import dev.vantage.demo.DemoTargets;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Jdbi;

/**
 * Datacenter failover with real agent processes: three replicas of {@code vantage agent} (child JVMs of this one,
 * {@code -Xmx128m}) for one datacenter, against an embedded PostgreSQL 17 and loopback targets in this JVM.
 *
 * <ul>
 *   <li>{@code steady minutes=10}: nothing is done to them; reports leader changes (there should be none), rows,
 *       and slots missing or filled twice.
 *   <li>{@code kill rounds=20}: SIGKILLs the leader, measures the takeover (kill to the new epoch's first heartbeat
 *       row), starts a replacement replica, repeats; reports each figure, the median and the largest gap.
 * </ul>
 *
 * Run: {@code java -cp target/vantage.jar dev.vantage.bench.LeaseBench steady minutes=10}.
 */
public final class LeaseBench {
    private static final int MONITORS = 20;

    private LeaseBench() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> p = new HashMap<>(Map.of("minutes", "10", "rounds", "20"));
        String scenario = args.length > 0 ? args[0] : "";
        if (!scenario.equals("steady") && !scenario.equals("kill")) {
            System.err.println("usage: LeaseBench <steady [minutes=10]|kill [rounds=20]>");
            System.exit(2);
        }
        for (int i = 1; i < args.length; i++) {
            String[] kv = args[i].split("=", 2);
            p.put(kv[0], kv[1]);
        }
        Path jar = Path.of("target", "vantage.jar").toAbsolutePath();
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("build the jar first: ./mvnw -q -DskipTests package");
        }
        Path logs = Files.createTempDirectory("vantage-lease-bench");
        System.out.printf("scenario %s %s, %d cores, agent logs in %s%n", scenario, p, cores(), logs);
        try (var targets = DemoTargets.start();
                var pg = BenchPostgres.start(Map.of());
                var pool = Database.pool(pg.connection(), "bench", 2)) {
            var jdbi = Database.jdbi(pool);
            seed(jdbi, targets.httpUrl("/fast"));
            var replicas = new ArrayList<Process>();
            try {
                for (int i = 0; i < 3; i++) {
                    replicas.add(startAgent(jar, pg.url(), logs, i));
                }
                if (scenario.equals("steady")) {
                    steady(jdbi, Duration.ofMinutes(Long.parseLong(p.get("minutes"))));
                } else {
                    kill(jdbi, jar, pg.url(), logs, replicas, Integer.parseInt(p.get("rounds")));
                }
            } finally {
                for (Process r : replicas) {
                    r.destroyForcibly();
                }
            }
        }
    }

    private static int cores() {
        return Runtime.getRuntime().availableProcessors();
    }

    private static void seed(Jdbi jdbi, String url) {
        jdbi.useTransaction(h -> {
            h.execute("INSERT INTO datacenters (code, name) VALUES ('VA', 'Virginia')");
            h.execute("INSERT INTO schedules (name, interval) VALUES ('every second', 1)");
            h.createUpdate(
                            """
                            INSERT INTO api_monitors (name, type, method, url, schedule_id)
                            SELECT 'bench ' || g, 'http', 'GET', :url, 1 FROM generate_series(1, :n) g
                            """)
                    .bind("url", url)
                    .bind("n", MONITORS)
                    .execute();
            h.execute("INSERT INTO datacenter_monitors (datacenter_id, monitor_id) SELECT 1, id FROM api_monitors");
        });
    }

    private static Process startAgent(Path jar, String db, Path logs, int n) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        var pb = new ProcessBuilder(java, "-Xmx128m", "-jar", jar.toString(), "agent");
        pb.environment().put("DB_CONN_STRING", db);
        pb.environment().put("DATACENTER_ID", "VA");
        pb.environment().put("VANTAGE_AGENT_NAME", "va-" + n);
        pb.redirectOutput(logs.resolve("va-" + n + ".log").toFile());
        pb.redirectError(logs.resolve("va-" + n + ".err").toFile());
        return pb.start();
    }

    private static void steady(Jdbi jdbi, Duration length) throws InterruptedException {
        long epoch0 = awaitEpoch(jdbi, 0, Duration.ofSeconds(60));
        Instant from = dbNow(jdbi).plusSeconds(5);
        System.out.printf("leader elected (epoch %d); running %d min%n", epoch0, length.toMinutes());
        Thread.sleep(length.plusSeconds(5).toMillis()); // the bench's own duration, not a wait for a condition
        Instant to = dbNow(jdbi).minusSeconds(5);
        long changes = jdbi.withHandle(h -> h.createQuery("SELECT count(*) - 1 FROM datacenter_lease_history")
                .mapTo(Long.class)
                .one());
        report(jdbi, from, to);
        System.out.printf("leader changes in %d min: %d%n", length.toMinutes(), changes);
    }

    private static void kill(Jdbi jdbi, Path jar, String db, Path logs, List<Process> replicas, int rounds)
            throws Exception {
        long epoch = awaitEpoch(jdbi, 0, Duration.ofSeconds(60));
        awaitFirstRow(jdbi, epoch, Duration.ofSeconds(30));
        Instant from = dbNow(jdbi);
        var takeovers = new ArrayList<Double>();
        for (int round = 1; round <= rounds; round++) {
            Thread.sleep(3_000); // let the new leader settle before the next kill: part of the scenario
            long leaderPid = jdbi.withHandle(h -> h.createQuery(
                            "SELECT a.pid FROM datacenter_leases l JOIN agents a ON a.id = l.holder_agent_id")
                    .mapTo(Long.class)
                    .one());
            Process leader = replicas.stream()
                    .filter(r -> r.pid() == leaderPid)
                    .findFirst()
                    .orElseThrow();
            Instant killed = dbNow(jdbi);
            leader.destroyForcibly();
            leader.waitFor(10, TimeUnit.SECONDS);
            replicas.remove(leader);
            long next = awaitEpoch(jdbi, epoch, Duration.ofSeconds(15));
            Instant first = awaitFirstRow(jdbi, next, Duration.ofSeconds(15));
            double seconds = Duration.between(killed, first).toNanos() / 1e9;
            takeovers.add(seconds);
            System.out.printf(
                    "round %2d: epoch %d -> %d, first heartbeat %.3f s after SIGKILL%n", round, epoch, next, seconds);
            epoch = next;
            replicas.add(startAgent(jar, db, logs, 10 + round));
        }
        Thread.sleep(3_000);
        report(jdbi, from, dbNow(jdbi).minusSeconds(2));
        var sorted = takeovers.stream().sorted().toList();
        System.out.printf(
                "takeover over %d kills: median %.3f s, max %.3f s%n",
                rounds, (sorted.get((rounds - 1) / 2) + sorted.get(rounds / 2)) / 2, sorted.getLast());
    }

    /** Per monitor over [from, to): rows, slots missing, largest gap, and rows of one slot from two epochs. */
    private static void report(Jdbi jdbi, Instant from, Instant to) {
        jdbi.useHandle(h -> {
            var row = h.createQuery(
                            """
                            WITH s AS (
                                SELECT monitor_id, scheduled_at,
                                       scheduled_at - lag(scheduled_at) OVER (PARTITION BY monitor_id ORDER BY scheduled_at) AS step
                                FROM api_heartbeats WHERE scheduled_at >= :from AND scheduled_at < :to)
                            SELECT count(*) AS rows,
                                   coalesce(sum(greatest(extract(epoch FROM step)::int - 1, 0)), 0) AS missing,
                                   coalesce(max(extract(epoch FROM step)), 0) AS largest_step
                            FROM s
                            """)
                    .bind("from", from)
                    .bind("to", to)
                    .mapToMap()
                    .one();
            System.out.printf(
                    "window %s .. %s: %s rows, %s slots missing, largest step between slots %s s (1 s = no gap)%n",
                    from, to, row.get("rows"), row.get("missing"), row.get("largest_step"));
        });
    }

    private static long awaitEpoch(Jdbi jdbi, long after, Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < deadline) {
            var epoch = jdbi.withHandle(h -> h.createQuery("SELECT max(epoch) FROM datacenter_leases")
                    .mapTo(Long.class)
                    .findOne());
            if (epoch.isPresent() && epoch.get() != null && epoch.get() > after) {
                return epoch.get();
            }
            Thread.sleep(20);
        }
        throw new IllegalStateException("no lease epoch after " + after + " within " + within);
    }

    private static Instant awaitFirstRow(Jdbi jdbi, long epoch, Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < deadline) {
            var first = jdbi.withHandle(
                    h -> h.createQuery("SELECT min(inserted_at) FROM api_heartbeats WHERE lease_epoch = :e")
                            .bind("e", epoch)
                            .mapTo(Instant.class)
                            .findOne());
            if (first.isPresent() && first.get() != null) {
                return first.get();
            }
            Thread.sleep(20);
        }
        throw new IllegalStateException("no heartbeat of epoch " + epoch + " within " + within);
    }

    private static Instant dbNow(Jdbi jdbi) {
        return jdbi.withHandle(h ->
                h.createQuery("SELECT clock_timestamp()").mapTo(Instant.class).one());
    }
}
