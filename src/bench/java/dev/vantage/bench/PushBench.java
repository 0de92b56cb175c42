package dev.vantage.bench;

import ch.qos.logback.classic.Level;
import dev.vantage.Meters;
import dev.vantage.db.Database;
import dev.vantage.heartbeat.HeartbeatMeters;
import dev.vantage.push.PushIngest;
import dev.vantage.push.PushSettings;
import dev.vantage.web.HttpAuth;
import dev.vantage.web.WebServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.LoggerFactory;

/**
 * Sustained HTTP ping ingest of one monitor replica: {@code java -cp target/vantage.jar dev.vantage.bench.PushBench
 * [seconds] [connections] [monitors] [body bytes] [journal]}. Starts an embedded PostgreSQL on loopback (default
 * durability: fsync and synchronous_commit on), inserts push monitors, serves their ping URLs as {@code vantage
 * monitor} does, and loads them with <a href="https://github.com/wg/wrk">wrk</a> (Debian: {@code apt-get install
 * wrk}) for a bounded time after a 5 s warm-up: each request pings a random monitor, a GET, or a POST with a body of
 * the given size. Every beat answered 200 is committed (or, with {@code journal}, committed or journaled) before its
 * answer, so the rows written are the beats accepted. Prints beats per second, wrk's latency percentiles and the CPU
 * time per beat of the JVM and of PostgreSQL. Not a test.
 *
 * <p>The per-monitor rate limit is raised to 1,000/s for the bench (the default 5/s would cap 2,000 monitors at
 * 10,000/s and measure the limiter's 429s).
 */
public final class PushBench {
    private static final long CLOCK_TICKS_PER_SECOND = 100; // USER_HZ on Linux

    private PushBench() {}

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        int connections = args.length > 1 ? Integer.parseInt(args[1]) : 64;
        int monitors = args.length > 2 ? Integer.parseInt(args[2]) : 2_000;
        int bodyBytes = args.length > 3 ? Integer.parseInt(args[3]) : 0;
        boolean journal = args.length > 4 && args[4].equals("journal");
        if (seconds < 1 || seconds > 600) {
            throw new IllegalArgumentException("seconds: 1 to 600");
        }
        quietLogs();
        System.out.printf(
                "%d s, %d connections, %,d push monitors, body %d bytes, journal %s, %d cores, JVM %s%n",
                seconds,
                connections,
                monitors,
                bodyBytes,
                journal ? "on" : "off",
                Runtime.getRuntime().availableProcessors(),
                Runtime.version());
        Path work = Files.createTempDirectory("vantage-push-bench");
        try (var pg = BenchPostgres.start(Map.of())) {
            Path tokens = insertMonitors(pg, monitors, work.resolve("tokens.txt"));
            Path script = script(work.resolve("ping.lua"), tokens, bodyBytes);
            var settings = PushSettings.DEFAULTS.withRate(1_000, 1_000);
            if (journal) {
                settings = settings.withJournal(work.resolve("journal"), 1L << 30);
            }
            var registry = new SimpleMeterRegistry();
            try (var ingest = PushIngest.start(settings, pg.connection(), "bench", registry, Clock.systemUTC());
                    var web = WebServer.start("127.0.0.1", 0, HttpAuth.NONE)) {
                ingest.mount(web);
                wrk(web.url(), script, 8, 5, false); // warm-up: JIT, pool, partitions
                long rowsBefore = rows(pg);
                double batchesBefore = registry.counter(HeartbeatMeters.BATCHES).count();
                long jvmBefore = jvmCpuNanos();
                long pgBefore = postgresCpuNanos(pg.dataDirectory());
                long[] machineBefore = machineJiffies();
                long start = System.nanoTime();
                List<String> report = wrk(web.url(), script, connections, seconds, true);
                long elapsed = System.nanoTime() - start;
                long jvm = jvmCpuNanos() - jvmBefore;
                long postgres = postgresCpuNanos(pg.dataDirectory()) - pgBefore;
                long[] machineAfter = machineJiffies();
                long beats = rows(pg) - rowsBefore;
                double batches = registry.counter(HeartbeatMeters.BATCHES).count() - batchesBefore;
                report.forEach(line -> System.out.println("  wrk| " + line));
                double perSecond = beats / (elapsed / 1e9);
                System.out.printf(
                        "beats written %,d in %.1f s: %,.0f beats/s; %,.0f transactions (%.1f beats each)%n",
                        beats, elapsed / 1e9, perSecond, batches, beats / Math.max(1, batches));
                System.out.printf(
                        "CPU per beat: JVM %.1f µs, PostgreSQL %.1f µs; machine busy %.0f%% of %d cores%n",
                        jvm / 1e3 / beats,
                        postgres / 1e3 / beats,
                        100.0 * (machineAfter[0] - machineBefore[0]) / Math.max(1, machineAfter[1] - machineBefore[1]),
                        Runtime.getRuntime().availableProcessors());
                nginxBaseline(work, script, connections, seconds, perSecond);
                System.out.printf(
                        "answers: %s%n",
                        registry.get(Meters.PUSH_BEATS).counters().stream()
                                .filter(c -> c.count() > 0)
                                .map(c -> c.getId().getTag("outcome") + "=" + (long) c.count())
                                .toList());
            }
        } finally {
            deleteRecursively(work);
        }
    }

    private static Path insertMonitors(BenchPostgres pg, int monitors, Path file) throws IOException {
        try (var pool = Database.pool(pg.connection(), "bench-seed", 1)) {
            List<String> tokens = Database.jdbi(pool).inTransaction(h -> {
                h.execute("INSERT INTO schedules (id, name, interval) VALUES (1, 'every minute', 60)");
                return h.createQuery(
                                """
                                INSERT INTO api_monitors (name, type, schedule_id)
                                SELECT 'push ' || g, 'push', 1 FROM generate_series(1, :n) g
                                RETURNING push_token
                                """)
                        .bind("n", monitors)
                        .mapTo(String.class)
                        .list();
            });
            return Files.write(file, tokens, StandardCharsets.US_ASCII);
        }
    }

    /** A wrk script: each request pings a random monitor, with a body of {@code bodyBytes} (none: a GET). */
    private static Path script(Path file, Path tokens, int bodyBytes) throws IOException {
        String lua =
                """
                local tokens = {}
                for line in io.lines("%s") do tokens[#tokens + 1] = line end
                local body = string.rep("x", %d)
                math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16))
                request = function()
                  local path = "/ping/" .. tokens[math.random(#tokens)]
                  if #body == 0 then
                    return wrk.format("GET", path)
                  end
                  return wrk.format("POST", path, nil, body)
                end
                """
                        .formatted(tokens.toAbsolutePath(), bodyBytes);
        return Files.writeString(file, lua);
    }

    /** Runs wrk (one thread: the other core is the server's and PostgreSQL's) and returns its report. */
    /**
     * The same wrk load against nginx serving a static 200 on loopback, in the same run, when nginx is installed
     * (Debian: {@code apt-get install nginx-light}): the goal is a ping rate of at least 0.3 times nginx's.
     */
    private static void nginxBaseline(Path work, Path script, int connections, int seconds, double pingsPerSecond)
            throws IOException, InterruptedException {
        Path nginx = Path.of("/usr/sbin/nginx");
        if (!Files.isExecutable(nginx)) {
            System.out.println("nginx baseline: skipped (no /usr/sbin/nginx; apt-get install nginx-light)");
            return;
        }
        int port;
        try (var socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        Path dir = Files.createDirectories(work.resolve("nginx"));
        Path conf = Files.writeString(
                dir.resolve("nginx.conf"),
                """
                worker_processes auto;
                daemon off;
                pid %1$s/nginx.pid;
                error_log %1$s/error.log warn;
                events { worker_connections 1024; }
                http {
                  access_log off;
                  client_body_temp_path %1$s/body;
                  server {
                    listen 127.0.0.1:%2$d;
                    location / { return 200 "OK\\n"; }
                  }
                }
                """
                        .formatted(dir, port));
        Process server = new ProcessBuilder(nginx.toString(), "-c", conf.toString(), "-p", dir.toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("stdout.log").toFile())
                .start();
        try {
            String url = "http://127.0.0.1:" + port;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!listening(port)) {
                if (System.nanoTime() > deadline || !server.isAlive()) {
                    throw new IllegalStateException("nginx did not start; see " + dir.resolve("error.log"));
                }
                TimeUnit.MILLISECONDS.sleep(20); // polling for the port, with a deadline
            }
            wrk(url, script, 8, 3, false); // warm-up
            List<String> report = wrk(url, script, connections, seconds, true);
            double nginxPerSecond = report.stream()
                    .filter(l -> l.startsWith("Requests/sec:"))
                    .mapToDouble(l -> Double.parseDouble(
                            l.substring("Requests/sec:".length()).strip()))
                    .findFirst()
                    .orElse(Double.NaN);
            report.stream()
                    .filter(l -> l.contains("Latency") || l.contains("99%"))
                    .forEach(l -> System.out.println("  nginx wrk| " + l));
            System.out.printf(
                    "nginx static 200, same load, same run: %,.0f requests/s; pings persisted / nginx = %.2f%n",
                    nginxPerSecond, pingsPerSecond / nginxPerSecond);
        } finally {
            server.destroy();
            server.waitFor(5, TimeUnit.SECONDS);
            server.destroyForcibly();
        }
    }

    private static boolean listening(int port) {
        try (var socket = new java.net.Socket()) {
            socket.connect(new java.net.InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static List<String> wrk(String url, Path script, int connections, int seconds, boolean latency)
            throws IOException, InterruptedException {
        var command = new ArrayList<>(List.of(
                "wrk", "-t1", "-c" + connections, "-d" + seconds + "s", "--timeout", "10s", "-s", script.toString()));
        if (latency) {
            command.add("--latency");
        }
        command.add(url);
        Process wrk = new ProcessBuilder(command).redirectErrorStream(true).start();
        var out = new String(wrk.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!wrk.waitFor(seconds + 30L, TimeUnit.SECONDS) || wrk.exitValue() != 0) {
            wrk.destroyForcibly();
            throw new IllegalStateException("wrk failed: " + out);
        }
        return out.lines().toList();
    }

    private static long rows(BenchPostgres pg) {
        try (var pool = Database.pool(pg.connection(), "bench-count", 1)) {
            return Database.jdbi(pool).withHandle(h -> h.createQuery("SELECT count(*) FROM api_heartbeats")
                    .mapTo(Long.class)
                    .one());
        }
    }

    static long jvmCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    /** CPU time of the postmaster and its children (the backends), from /proc. */
    static long postgresCpuNanos(Path dataDirectory) throws IOException {
        long postmaster = Long.parseLong(Files.readAllLines(dataDirectory.resolve("postmaster.pid"))
                .getFirst()
                .strip());
        long ticks = 0;
        try (var processes = Files.list(Path.of("/proc"))) {
            for (Path p : processes
                    .filter(p -> p.getFileName().toString().matches("\\d+"))
                    .toList()) {
                try {
                    String[] stat = stat(Files.readString(p.resolve("stat")));
                    long pid = Long.parseLong(p.getFileName().toString());
                    if (pid == postmaster || Long.parseLong(stat[1]) == postmaster) {
                        ticks += Long.parseLong(stat[11]) + Long.parseLong(stat[12]); // utime, stime
                    }
                } catch (IOException | RuntimeException gone) {
                    // a process that ended while listed
                }
            }
        }
        return ticks * 1_000_000_000L / CLOCK_TICKS_PER_SECOND;
    }

    /** The fields of /proc/<pid>/stat after the command name: [0] state, [1] ppid, …, [11] utime, [12] stime. */
    private static String[] stat(String line) {
        return line.substring(line.lastIndexOf(')') + 2).split(" ");
    }

    /** Busy and total jiffies of the whole machine, from /proc/stat. */
    static long[] machineJiffies() throws IOException {
        String[] cpu = Files.readAllLines(Path.of("/proc/stat")).getFirst().split("\\s+");
        long total = 0;
        for (int i = 1; i < cpu.length; i++) {
            total += Long.parseLong(cpu[i]);
        }
        long idle = Long.parseLong(cpu[4]) + Long.parseLong(cpu[5]);
        return new long[] {total - idle, total};
    }

    static void quietLogs() {
        var root = (ch.qos.logback.classic.Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.WARN);
        ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger("dev.vantage")).setLevel(Level.WARN);
    }

    static void deleteRecursively(Path dir) throws IOException {
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
