package dev.vantage.bench;

import dev.vantage.db.Database;
import dev.vantage.schedule.SlotGrid;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Jdbi;

/**
 * The TTFB of an agent's first probes against curl's, on loopback only: {@code java -cp target/vantage.jar
 * dev.vantage.bench.FirstProbesBench [key=value ...]} (bench/first-probes-vs-curl.sh runs it). Starts an embedded
 * PostgreSQL and the demo targets in a separate JVM, inserts one measured monitor on {@code /slow} (200 ms before the
 * status line) and {@code others} monitors on {@code /fast} in one datacenter, then {@code rounds} times: starts a
 * fresh {@code vantage agent} process, waits for the measured monitor's first {@code probes} heartbeats from it, and
 * meanwhile runs curl against the same URL once per slot, half an interval after the agent's slot (interleaved, so
 * that the two never share the target or a core at the same moment). Per round and overall it prints the medians of
 * the agent's {@code time_to_first_byte_ms} and of curl's {@code time_starttransfer}, and their difference.
 *
 * <p>Keys: {@code rounds} (5), {@code probes} (10), {@code others} (20), {@code othersInterval} (s, 1), {@code jars}
 * (comma-separated agent jars, used in turn round by round: a side-by-side of two builds in one run; default this
 * bench's own class path), {@code agentEnv} (comma-separated NAME=value for the agent, e.g. VANTAGE_WARMUP=false),
 * {@code agentJvm} (space-separated JVM flags for the agent).
 */
public final class FirstProbesBench {
    private FirstProbesBench() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> p = new HashMap<>(Map.of(
                "rounds", "5", "probes", "10", "others", "20", "othersInterval", "1", "agentEnv", "", "agentJvm", ""));
        p.put("jars", System.getProperty("java.class.path"));
        for (String arg : args) {
            String[] kv = arg.split("=", 2);
            if (kv.length != 2 || !p.containsKey(kv[0])) {
                System.err.println("usage: FirstProbesBench [rounds=N probes=N others=N othersInterval=S"
                        + " jars=A.jar,B.jar agentEnv=K=V,... agentJvm='-Xmx128m ...']; unknown: " + arg);
                System.exit(2);
            }
            p.put(kv[0], kv[1]);
        }
        System.out.printf("first-probes bench %s, %d cores, JVM %s%n", p, cores(), Runtime.version());
        Process targets = startTargets();
        try (var pg = BenchPostgres.start(Map.of());
                var pool = Database.pool(pg.connection(), "bench", 2)) {
            String url = readUrls(targets).get("http/slow");
            if (url == null || !url.startsWith("http://127.0.0.1:")) {
                throw new IllegalStateException("no loopback URL for http/slow");
            }
            Jdbi jdbi = Database.jdbi(pool);
            long measured =
                    seed(jdbi, url, Integer.parseInt(p.get("others")), Integer.parseInt(p.get("othersInterval")));
            for (int i = 0; i < 5; i++) {
                curl(url); // the target JVM's own first requests are not the agent's concern
            }
            run(jdbi, pg.url(), url, measured, p);
        } finally {
            targets.destroy();
            targets.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private record Round(String jar, List<Double> agent, List<Double> curl) {}

    private static void run(Jdbi jdbi, String dbUrl, String url, long measured, Map<String, String> p)
            throws Exception {
        int rounds = Integer.parseInt(p.get("rounds"));
        int probes = Integer.parseInt(p.get("probes"));
        List<String> jars = List.of(p.get("jars").split(","));
        SlotGrid grid = SlotGrid.of(measured, Duration.ofSeconds(1));
        List<Round> results = new ArrayList<>();
        for (int r = 1; r <= rounds; r++) {
            String jar = jars.get((r - 1) % jars.size());
            String name = "first-probes-" + r;
            Map<Instant, Double> curlBySlot = new ConcurrentHashMap<>();
            Process agent = startAgent(jar, dbUrl, name, p);
            Thread curls = Thread.ofPlatform().name("curl").start(() -> curlEachSlot(url, grid, curlBySlot));
            List<Map.Entry<Instant, Double>> beats;
            try {
                beats = awaitHeartbeats(jdbi, measured, name, probes, agent);
                Instant last = beats.getLast().getKey();
                for (int i = 0; i < 30 && !curlBySlot.containsKey(last); i++) {
                    Thread.sleep(100); // curl's run for the last slot, half an interval after it
                }
            } finally {
                curls.interrupt();
                curls.join();
                agent.destroy(); // SIGTERM: the agent releases its lease, so the next round's takes over at once
                if (!agent.waitFor(30, TimeUnit.SECONDS)) {
                    agent.destroyForcibly();
                }
            }
            List<Double> agentTtfb = new ArrayList<>();
            List<Double> curlTtfb = new ArrayList<>();
            for (var beat : beats) {
                if (beat.getValue().isNaN()) {
                    System.out.printf("round %d: the probe of slot %s failed; left out%n", r, beat.getKey());
                    continue;
                }
                agentTtfb.add(beat.getValue());
                Double c = curlBySlot.get(beat.getKey()); // curl's run half an interval after this slot
                if (c != null) {
                    curlTtfb.add(c);
                }
            }
            var round = new Round(jar, agentTtfb, curlTtfb);
            results.add(round);
            System.out.printf(
                    Locale.ROOT,
                    "round %d (%s): agent ttfb %s ms; curl %s ms; median agent %.3f, curl %.3f, difference %+.3f ms;"
                            + " load %s%n",
                    r,
                    Path.of(jar).getFileName(),
                    format(agentTtfb),
                    format(curlTtfb),
                    median(agentTtfb),
                    median(curlTtfb),
                    median(agentTtfb) - median(curlTtfb),
                    load());
        }
        for (String jar : jars) {
            var mine = results.stream().filter(x -> x.jar().equals(jar)).toList();
            List<Double> diffs =
                    mine.stream().map(x -> median(x.agent()) - median(x.curl())).toList();
            List<Double> agentAll =
                    mine.stream().flatMap(x -> x.agent().stream()).toList();
            List<Double> curlAll = mine.stream().flatMap(x -> x.curl().stream()).toList();
            List<Double> firsts = mine.stream().map(x -> x.agent().getFirst()).toList();
            System.out.printf(
                    Locale.ROOT,
                    "%s: %d rounds; per-round differences %s ms (median %+.3f); all first-%d probes: agent median %.3f,"
                            + " curl median %.3f, difference %+.3f ms; first probe of each round %s ms%n",
                    Path.of(jar).getFileName(),
                    mine.size(),
                    format(diffs),
                    median(diffs),
                    probes,
                    median(agentAll),
                    median(curlAll),
                    median(agentAll) - median(curlAll),
                    format(firsts));
        }
    }

    /** The measured monitor's first {@code n} heartbeats from agent {@code name}: slot and time to first byte. */
    private static List<Map.Entry<Instant, Double>> awaitHeartbeats(
            Jdbi jdbi, long monitor, String name, int n, Process agent) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60 + n);
        while (System.nanoTime() < deadline) {
            var rows = jdbi.withHandle(h -> h.createQuery(
                            """
                            SELECT h.scheduled_at, h.time_to_first_byte_ms, h.success
                            FROM api_heartbeats h JOIN agents a ON a.id = h.agent_id
                            WHERE h.monitor_id = :monitor AND a.name = :name
                            ORDER BY h.scheduled_at LIMIT :n
                            """)
                    .bind("monitor", monitor)
                    .bind("name", name)
                    .bind("n", n)
                    .map((rs, ctx) -> Map.entry(
                            rs.getObject(1, OffsetDateTime.class).toInstant(),
                            // a failed probe (a timeout on an overloaded machine) has no TTFB to compare: NaN
                            rs.getBoolean(3) ? rs.getDouble(2) : Double.NaN))
                    .list());
            if (rows.size() >= n) {
                return rows;
            }
            if (!agent.isAlive()) {
                throw new IllegalStateException("the agent process ended with " + agent.exitValue());
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("agent " + name + " did not write " + n + " heartbeats in time");
    }

    /** curl once per slot of {@code grid}, half an interval after it, until interrupted; results by slot. */
    private static void curlEachSlot(String url, SlotGrid grid, Map<Instant, Double> bySlot) {
        Instant slot = grid.slotAtOrAfter(Instant.now());
        try {
            while (!Thread.currentThread().isInterrupted()) {
                Instant at = slot.plusMillis(grid.intervalMillis() / 2);
                long wait = Duration.between(Instant.now(), at).toMillis();
                if (wait > 0) {
                    Thread.sleep(wait);
                }
                if (wait > -100) {
                    bySlot.put(slot, curl(url));
                }
                slot = grid.next(slot);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            System.err.println("curl failed: " + e.getMessage());
        }
    }

    /** curl's time_starttransfer in ms: one process, one new connection, HTTP/1.1, as bench/curl-vs-probe.sh runs it. */
    static double curl(String url) throws Exception {
        Process curl = new ProcessBuilder(
                        "curl", "-s", "-o", "/dev/null", "--http1.1", "-w", "%{time_starttransfer}", url)
                .redirectErrorStream(true)
                .start();
        String out = new String(curl.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).strip();
        if (curl.waitFor() != 0) {
            throw new IllegalStateException("curl " + url + " exited " + curl.exitValue() + ": " + out);
        }
        return Double.parseDouble(out) * 1000;
    }

    private static Process startAgent(String jar, String dbUrl, String name, Map<String, String> p) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java));
        for (String flag : p.get("agentJvm").split(" ")) {
            if (!flag.isBlank()) {
                command.add(flag);
            }
        }
        command.addAll(List.of("-cp", jar, "dev.vantage.Main", "agent"));
        var builder = new ProcessBuilder(command)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD);
        var env = builder.environment();
        env.put("DB_CONN_STRING", dbUrl);
        env.put("DATACENTER_ID", "BENCH");
        env.put("VANTAGE_AGENT_NAME", name);
        env.put("VANTAGE_HTTP", "off");
        env.put("VANTAGE_JOURNAL_DIR", "off");
        for (String kv : p.get("agentEnv").split(",")) {
            if (!kv.isBlank()) {
                String[] parts = kv.split("=", 2);
                env.put(parts[0].strip(), parts.length > 1 ? parts[1] : "");
            }
        }
        return builder.start();
    }

    /** One measured monitor on {@code url} every second, and {@code others} on /fast every {@code interval} s. */
    static long seed(Jdbi jdbi, String slowUrl, int others, int interval) {
        String fast = slowUrl.replace("/slow", "/fast");
        return jdbi.inTransaction(h -> {
            h.execute("INSERT INTO datacenters (code, name) VALUES ('BENCH', 'Benchmark')");
            h.execute("INSERT INTO schedules (name, interval) VALUES ('measured', 1)");
            h.createUpdate("INSERT INTO schedules (name, interval) VALUES ('others', :interval)")
                    .bind("interval", interval)
                    .execute();
            long measured = h.createQuery(
                            """
                            INSERT INTO api_monitors (name, type, method, url, schedule_id)
                            VALUES ('measured', 'http', 'GET', :url, (SELECT id FROM schedules WHERE name = 'measured'))
                            RETURNING id
                            """)
                    .bind("url", slowUrl)
                    .mapTo(Long.class)
                    .one();
            h.createUpdate(
                            """
                            INSERT INTO api_monitors (name, type, method, url, schedule_id)
                            SELECT 'other ' || g, 'http', 'GET', :url, (SELECT id FROM schedules WHERE name = 'others')
                            FROM generate_series(1, :n) g
                            """)
                    .bind("url", fast)
                    .bind("n", others)
                    .execute();
            h.execute("INSERT INTO datacenter_monitors (datacenter_id, monitor_id)"
                    + " SELECT d.id, m.id FROM datacenters d CROSS JOIN api_monitors m");
            System.out.printf(
                    "measured monitor %d on %s, %,d others on %s every %d s%n",
                    measured, slowUrl, others, fast, interval);
            return measured;
        });
    }

    static Process startTargets() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), "dev.vantage.demo.DemoTargets")
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
    }

    static Map<String, String> readUrls(Process targets) throws Exception {
        var in = new BufferedReader(new InputStreamReader(targets.getInputStream(), StandardCharsets.UTF_8));
        Map<String, String> urls = new LinkedHashMap<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!urls.containsKey("tcp") && System.nanoTime() < deadline) {
            String line = in.readLine();
            if (line == null) {
                throw new IllegalStateException("the targets process ended: " + targets.waitFor());
            }
            String[] parts = line.split(" ", 2);
            if (parts.length == 2) {
                urls.put(parts[0], parts[1]);
            }
        }
        return urls;
    }

    static double median(List<Double> values) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        var sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    private static String format(List<Double> values) {
        return values.stream()
                .map(v -> String.format(Locale.ROOT, "%.2f", v))
                .toList()
                .toString();
    }

    private static String load() {
        try {
            return java.nio.file.Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (Exception e) {
            return "?";
        }
    }

    private static int cores() {
        return Runtime.getRuntime().availableProcessors();
    }
}
