package dev.vantage.bench;

import dev.vantage.db.Database;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
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
 * Shard leases with real agent processes: {@code agents} replicas of {@code vantage agent} (child JVMs,
 * {@code -Xmx128m}) share one datacenter of {@code shards} shards and {@code monitors} TCP monitors (connect only) on a
 * loopback accept-and-close target in this JVM, against an embedded PostgreSQL 17. Every figure comes from the
 * heartbeat rows:
 *
 * <ol>
 *   <li>steady: after the agents balanced and a warm-up, every slot of a window written exactly once;
 *   <li>SIGKILL of one agent: for each of its shards, the first heartbeat under a later epoch (inserted_at) after the
 *       kill; the median and the largest, and the slots missing around it;
 *   <li>a new agent: how long until it holds its share and writes, and whether any slot was missed or doubled while
 *       shards moved to it.
 * </ol>
 *
 * Run: {@code java -cp target/vantage.jar dev.vantage.bench.ShardBench agents=4 monitors=8000 interval=1 shards=16}.
 */
public final class ShardBench {
    private ShardBench() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> p = new HashMap<>(Map.of(
                "agents", "4", "monitors", "8000", "interval", "1", "shards", "16", "warmup", "20", "window", "20"));
        for (String arg : args) {
            String[] kv = arg.split("=", 2);
            if (kv.length != 2 || !p.containsKey(kv[0])) {
                System.err.println("usage: ShardBench [agents=4] [monitors=8000] [interval=1] [shards=16] [warmup=20]"
                        + " [window=20]; unknown: " + arg);
                System.exit(2);
            }
            p.put(kv[0], kv[1]);
        }
        int agents = Integer.parseInt(p.get("agents"));
        int monitors = Integer.parseInt(p.get("monitors"));
        int interval = Integer.parseInt(p.get("interval"));
        int shards = Integer.parseInt(p.get("shards"));
        Duration warmup = Duration.ofSeconds(Long.parseLong(p.get("warmup")));
        Duration window = Duration.ofSeconds(Long.parseLong(p.get("window")));
        Path jar = Path.of("target", "vantage.jar").toAbsolutePath();
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("build the jar first: ./mvnw -q -DskipTests package");
        }
        Path logs = Files.createTempDirectory("vantage-shard-bench");
        System.out.printf(
                "ShardBench %s, %d cores, agent logs in %s%n",
                p, Runtime.getRuntime().availableProcessors(), logs);
        try (var target = AcceptAndClose.start();
                var pg = BenchPostgres.start(Map.of("max_connections", "300"));
                var pool = Database.pool(pg.connection(), "bench", 2)) {
            var jdbi = Database.jdbi(pool);
            seed(jdbi, "tcp://127.0.0.1:" + target.port(), monitors, interval, shards);
            var replicas = new ArrayList<Process>();
            try {
                for (int i = 0; i < agents; i++) {
                    replicas.add(startAgent(jar, pg.url(), logs, "a" + i));
                }
                Instant balanced = awaitBalanced(jdbi, shards, agents, Duration.ofSeconds(120));
                System.out.printf("balanced: %s%n", holders(jdbi));
                Thread.sleep(warmup.toMillis()); // the bench's warm-up: part of the scenario
                long cpuBefore = cpuMillis(replicas);
                long pgBefore = PushBench.postgresCpuNanos(pg.dataDirectory());
                Instant from = dbNow(jdbi);
                Thread.sleep(window.toMillis());
                Instant to = dbNow(jdbi);
                long agentCpu = cpuMillis(replicas) - cpuBefore;
                double pgCpu = (PushBench.postgresCpuNanos(pg.dataDirectory()) - pgBefore) / 1e6;
                Thread.sleep(3_000); // rows of the window's last slots are written within the writer's linger
                long rows = report(jdbi, "steady", from, to, monitors, interval, List.of());
                double seconds = Duration.between(from, to).toMillis() / 1000.0;
                System.out.printf(
                        "steady window: agents' CPU %.3f ms per probe (%.2f cores for %d agents), PostgreSQL %.3f ms"
                                + " per row (%.2f cores)%n",
                        (double) agentCpu / rows,
                        agentCpu / 1000.0 / seconds,
                        agents,
                        pgCpu / rows,
                        pgCpu / 1000.0 / seconds);

                // SIGKILL one agent.
                Process victim = replicas.getFirst();
                int victimId = agentId(jdbi, victim.pid());
                List<Integer> orphans = shardsOf(jdbi, victimId);
                Instant killed = dbNow(jdbi);
                victim.destroyForcibly();
                victim.waitFor(10, TimeUnit.SECONDS);
                replicas.remove(victim);
                var retaken = awaitRetaken(jdbi, orphans, victimId, shards, killed, Duration.ofSeconds(30));
                var sorted = retaken.stream().sorted().toList();
                System.out.printf(
                        "SIGKILL of agent %d (shards %s): first heartbeat of each shard under a new epoch after"
                                + " %s s; median %.3f s, max %.3f s%n",
                        victimId,
                        orphans,
                        sorted.stream().map(d -> String.format("%.3f", d)).toList(),
                        (sorted.get((sorted.size() - 1) / 2) + sorted.get(sorted.size() / 2)) / 2,
                        sorted.getLast());
                awaitBalanced(jdbi, shards, agents - 1, Duration.ofSeconds(60));
                Thread.sleep(5_000);
                Instant afterKill = dbNow(jdbi);
                report(jdbi, "around the kill", killed.minusSeconds(5), afterKill, monitors, interval, orphans);

                // A new agent.
                Instant joined = dbNow(jdbi);
                replicas.add(startAgent(jar, pg.url(), logs, "a" + agents));
                Instant rebalanced = awaitBalanced(jdbi, shards, agents, Duration.ofSeconds(120));
                Instant registered =
                        jdbi.withHandle(h -> h.createQuery("SELECT started_at FROM agents ORDER BY id DESC LIMIT 1")
                                .mapTo(Instant.class)
                                .one());
                System.out.printf(
                        "new agent: shards balanced again %.1f s after its process started, %.1f s after it"
                                + " registered: %s%n",
                        Duration.between(joined, rebalanced).toMillis() / 1000.0,
                        Duration.between(registered, rebalanced).toMillis() / 1000.0,
                        holders(jdbi));
                Thread.sleep(10_000);
                report(
                        jdbi,
                        "around the join",
                        joined.minusSeconds(5),
                        dbNow(jdbi).minusSeconds(2),
                        monitors,
                        interval,
                        List.of());
                fenceViolations(jdbi);
                System.out.printf("balanced at %s; agent CPU at the end: %s%n", balanced, cpu(replicas));
            } finally {
                for (Process r : replicas) {
                    r.destroyForcibly();
                }
            }
        }
    }

    private static void seed(Jdbi jdbi, String url, int monitors, int interval, int shards) {
        jdbi.useTransaction(h -> {
            h.createUpdate("INSERT INTO datacenters (code, name, shards) VALUES ('VA', 'Virginia', :shards)")
                    .bind("shards", shards)
                    .execute();
            h.createUpdate("INSERT INTO schedules (name, interval) VALUES ('bench', :i)")
                    .bind("i", interval)
                    .execute();
            h.createUpdate(
                            """
                            INSERT INTO api_monitors (name, type, url, schedule_id)
                            SELECT 'bench ' || g, 'tcp', :url, 1 FROM generate_series(1, :n) g
                            """)
                    .bind("url", url)
                    .bind("n", monitors)
                    .execute();
            h.execute("INSERT INTO datacenter_monitors (datacenter_id, monitor_id) SELECT 1, id FROM api_monitors");
        });
    }

    private static Process startAgent(Path jar, String db, Path logs, String name) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        var pb = new ProcessBuilder(java, "-Xmx128m", "-jar", jar.toString(), "agent");
        pb.environment().put("DB_CONN_STRING", db);
        pb.environment().put("DATACENTER_ID", "VA");
        pb.environment().put("VANTAGE_AGENT_NAME", name);
        pb.environment().put("VANTAGE_HTTP_PORT", "0");
        pb.environment().put("VANTAGE_JOURNAL_DIR", logs.resolve("journal").toString());
        pb.redirectOutput(logs.resolve(name + ".log").toFile());
        pb.redirectError(logs.resolve(name + ".err").toFile());
        return pb.start();
    }

    /** Shards whose lock is held, by holder (from the ledger), e.g. {1=[0, 1, 2, 3], 2=[4, 5, 6, 7]}. */
    private static Map<Integer, List<Integer>> holders(Jdbi jdbi) {
        var byAgent = new java.util.TreeMap<Integer, List<Integer>>();
        jdbi.useHandle(h -> h.createQuery(
                        """
                        SELECT s.holder_agent_id, s.shard FROM datacenter_leases s
                        WHERE EXISTS (SELECT 1 FROM pg_locks l WHERE l.locktype = 'advisory' AND l.granted
                                        AND l.classid = (1447120468 + s.shard)::oid AND l.objid = s.datacenter_id::oid
                                        AND l.objsubid = 2)
                        ORDER BY s.shard
                        """)
                .map((rs, ctx) -> Map.entry(rs.getInt(1), rs.getInt(2)))
                .forEach(e -> byAgent.computeIfAbsent(e.getKey(), k -> new ArrayList<>())
                        .add(e.getValue())));
        return byAgent;
    }

    private static Instant awaitBalanced(Jdbi jdbi, int shards, int agents, Duration within)
            throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < deadline) {
            var held = holders(jdbi);
            int total = held.values().stream().mapToInt(List::size).sum();
            if (total == shards
                    && held.size() == agents
                    && held.values().stream()
                            .allMatch(s -> s.size() >= shards / agents
                                    && s.size() <= shards / agents + (shards % agents == 0 ? 0 : 1))) {
                return dbNow(jdbi);
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException(
                "shards not balanced over " + agents + " agents within " + within + ": " + holders(jdbi));
    }

    private static int agentId(Jdbi jdbi, long pid) {
        return jdbi.withHandle(h -> h.createQuery("SELECT id FROM agents WHERE pid = :pid ORDER BY id DESC LIMIT 1")
                .bind("pid", pid)
                .mapTo(Integer.class)
                .one());
    }

    private static List<Integer> shardsOf(Jdbi jdbi, int agentId) {
        return holders(jdbi).getOrDefault(agentId, List.of());
    }

    /** Seconds from the kill to the first row of each orphaned shard under a later epoch. */
    private static List<Double> awaitRetaken(
            Jdbi jdbi, List<Integer> orphans, int victimId, int shards, Instant killed, Duration within)
            throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        var found = new HashMap<Integer, Double>();
        while (System.nanoTime() < deadline && found.size() < orphans.size()) {
            for (int shard : orphans) {
                if (found.containsKey(shard)) {
                    continue;
                }
                var first = jdbi.withHandle(h -> h.createQuery(
                                """
                                SELECT min(b.inserted_at) FROM api_heartbeats b
                                JOIN datacenter_leases s ON s.datacenter_id = b.datacenter_id AND s.shard = :shard
                                  AND b.lease_epoch = s.epoch
                                WHERE b.monitor_id % :shards = :shard AND s.holder_agent_id <> :victim
                                  AND b.inserted_at >= :killed
                                """)
                        .bind("shard", shard)
                        .bind("shards", shards)
                        .bind("victim", victimId)
                        .bind("killed", killed)
                        .mapTo(Instant.class)
                        .findOne());
                first.ifPresent(
                        t -> found.put(shard, Duration.between(killed, t).toNanos() / 1e9));
            }
            Thread.sleep(50);
        }
        if (found.size() < orphans.size()) {
            throw new IllegalStateException("shards " + orphans + " not retaken within " + within + ": " + found);
        }
        return new ArrayList<>(found.values());
    }

    /**
     * Over [from, to): rows, rows expected (every monitor once per interval), slots missing, and the monitors with a
     * missing slot outside {@code excusedShards} (the killed agent's).
     */
    private static long report(
            Jdbi jdbi, String what, Instant from, Instant to, int monitors, int interval, List<Integer> excusedShards) {
        return jdbi.withHandle(h -> {
            var row = h.createQuery(
                            """
                            WITH s AS (
                                SELECT monitor_id, scheduled_at,
                                       scheduled_at - lag(scheduled_at) OVER (PARTITION BY monitor_id ORDER BY scheduled_at) AS step
                                FROM api_heartbeats WHERE scheduled_at >= :from AND scheduled_at < :to),
                            m AS (
                                SELECT monitor_id, count(*) AS n,
                                       coalesce(sum(greatest(round(extract(epoch FROM step) / :interval)::int - 1, 0)), 0) AS missing
                                FROM s GROUP BY monitor_id)
                            SELECT (SELECT count(*) FROM s) AS rows,
                                   (SELECT count(*) FROM (SELECT 1 FROM s GROUP BY monitor_id, scheduled_at HAVING count(*) > 1) d) AS doubled,
                                   coalesce(sum(missing), 0) AS missing,
                                   count(*) FILTER (WHERE missing > 0 AND NOT (monitor_id % (SELECT shards FROM datacenters WHERE id = 1)) = ANY (:excused)) AS unexcused_monitors,
                                   (SELECT count(*) FROM m) AS monitors_seen
                            FROM m
                            """)
                    .bind("from", from)
                    .bind("to", to)
                    .bind("interval", interval)
                    .bind("excused", excusedShards.toArray(new Integer[0]))
                    .mapToMap()
                    .one();
            double seconds = Duration.between(from, to).toMillis() / 1000.0;
            System.out.printf(
                    "%s, %s .. %s (%.1f s): %s rows (%,.0f expected), %s doubled, %s slots missing inside the window"
                            + " (%s monitors with a missing slot outside the killed agent's shards), %s of %d monitors"
                            + " seen, %,.0f rows/s%n",
                    what,
                    from,
                    to,
                    seconds,
                    row.get("rows"),
                    monitors * seconds / interval,
                    row.get("doubled"),
                    row.get("missing"),
                    row.get("unexcused_monitors"),
                    row.get("monitors_seen"),
                    monitors,
                    ((Number) row.get("rows")).doubleValue() / seconds);
            return ((Number) row.get("rows")).longValue();
        });
    }

    private static void fenceViolations(Jdbi jdbi) {
        long n = jdbi.withHandle(h -> h.createQuery(
                        """
                        SELECT count(*) FROM api_heartbeats b
                        JOIN datacenter_lease_history l ON l.datacenter_id = b.datacenter_id
                          AND l.shard = vantage_monitor_shard(b.monitor_id, (SELECT shards FROM datacenters WHERE id = 1))
                          AND l.epoch > b.lease_epoch
                        WHERE b.scheduled_at >= l.acquired_at
                        """)
                .mapTo(Long.class)
                .one());
        System.out.printf("rows of an older epoch in a slot a later epoch of its shard covers (fence): %d%n", n);
    }

    private static long cpuMillis(List<Process> replicas) {
        long total = 0;
        for (Process r : replicas) {
            total += r.info().totalCpuDuration().map(Duration::toMillis).orElse(0L);
        }
        return total;
    }

    private static String cpu(List<Process> replicas) {
        var out = new ArrayList<String>();
        for (Process r : replicas) {
            r.info().totalCpuDuration().ifPresent(d -> out.add(String.format("%.1f s", d.toMillis() / 1000.0)));
        }
        return out.toString();
    }

    private static Instant dbNow(Jdbi jdbi) {
        return jdbi.withHandle(h ->
                h.createQuery("SELECT clock_timestamp()").mapTo(Instant.class).one());
    }

    /** A loopback TCP target that accepts and closes at once: what a TCP connect probe needs, at little cost. */
    private static final class AcceptAndClose implements AutoCloseable {
        private final ServerSocket server;
        private final Thread thread;

        private AcceptAndClose(ServerSocket server) {
            this.server = server;
            this.thread = Thread.ofPlatform().daemon().name("accept-and-close").start(this::run);
        }

        static AcceptAndClose start() throws IOException {
            var server = new ServerSocket();
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 4096);
            return new AcceptAndClose(server);
        }

        int port() {
            return server.getLocalPort();
        }

        private void run() {
            while (!server.isClosed()) {
                try (Socket s = server.accept()) {
                    s.setSoLinger(true, 0);
                } catch (IOException e) {
                    if (server.isClosed()) {
                        return;
                    }
                }
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
            try {
                thread.join(2_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
