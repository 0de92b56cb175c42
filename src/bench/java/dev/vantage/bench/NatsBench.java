package dev.vantage.bench;

import dev.vantage.Meters;
import dev.vantage.beat.Rfc3339;
import dev.vantage.db.Database;
import dev.vantage.heartbeat.HeartbeatMeters;
import dev.vantage.push.PushIngest;
import dev.vantage.push.PushSettings;
import dev.vantage.push.nats.NatsIngest;
import dev.vantage.push.nats.NatsIngestSettings;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.nats.client.Connection;
import io.nats.client.Nats;
import io.nats.client.Options;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Sustained NATS ingest of one monitor replica: {@code java -cp target/vantage.jar dev.vantage.bench.NatsBench
 * [seconds] [subjects] [window] [in flight]}. Starts an embedded PostgreSQL on loopback (default durability, plus
 * {@code track_commit_timestamp} to time commits) and a {@code nats-server} on loopback (Debian's package), inserts
 * push monitors with subjects {@code bench.s1} … (so nothing is registered during the run), takes {@code bench.>} as
 * {@code vantage monitor} does ({@link PushIngest} and {@link NatsIngest}), and publishes Go-agent messages from an
 * in-process jnats connection, round robin over the subjects, for a bounded time after a 5 s warm-up. The publisher
 * keeps at most {@code window} beats published and not yet taken (core NATS has no backpressure: past jnats's pending
 * limits the subscriber would drop, and the bench would measure drops). Prints beats/s persisted (rows written during
 * the run over its wall time), publish→commit percentiles (the row's commit timestamp minus its key, which is the
 * message's generated_at, stamped just before the publish), and CPU per beat. Not a test.
 *
 * <p>The per-monitor rate limit is raised to 1,000/s for the bench, as PushBench does.
 */
public final class NatsBench {
    private NatsBench() {}

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        int subjects = args.length > 1 ? Integer.parseInt(args[1]) : 2_000;
        int window = args.length > 2 ? Integer.parseInt(args[2]) : 1_024;
        int inFlight = args.length > 3 ? Integer.parseInt(args[3]) : NatsIngestSettings.DEFAULT_IN_FLIGHT;
        if (seconds < 1 || seconds > 600) {
            throw new IllegalArgumentException("seconds: 1 to 600");
        }
        PushBench.quietLogs();
        System.out.printf(
                "%d s, %,d subjects, window %,d, %,d in flight, %d cores, JVM %s%n",
                seconds, subjects, window, inFlight, Runtime.getRuntime().availableProcessors(), Runtime.version());
        Path work = Files.createTempDirectory("vantage-nats-bench");
        Process server = null;
        try (var pg = BenchPostgres.start(Map.of("track_commit_timestamp", "on"))) {
            insertMonitors(pg, subjects);
            int port = freePort();
            server = new ProcessBuilder("nats-server", "--addr", "127.0.0.1", "--port", Integer.toString(port))
                    .redirectErrorStream(true)
                    .redirectOutput(work.resolve("nats-server.log").toFile())
                    .start();
            String url = "nats://127.0.0.1:" + port;
            var registry = new SimpleMeterRegistry();
            var settings = PushSettings.DEFAULTS.withRate(1_000, 1_000);
            try (var publisher = connect(url);
                    var push = PushIngest.start(settings, pg.connection(), "bench", registry, Clock.systemUTC());
                    var nats = NatsIngest.start(
                            NatsIngestSettings.of(url, "bench.", "bench", null, false)
                                    .withInFlight(inFlight),
                            push,
                            "bench",
                            registry,
                            Clock.systemUTC())) {
                Collection<Counter> taken = awaitSubscribed(publisher, registry);
                var load = new Load(publisher, subjects, window, taken);
                load.run(Duration.ofSeconds(5)); // warm-up: JIT, pool, partitions, tokens
                long rowsBefore = rows(pg);
                double batchesBefore = registry.counter(HeartbeatMeters.BATCHES).count();
                long jvmBefore = PushBench.jvmCpuNanos();
                long pgBefore = PushBench.postgresCpuNanos(pg.dataDirectory());
                long[] machineBefore = PushBench.machineJiffies();
                Instant runStart = Instant.now();
                long start = System.nanoTime();
                long publishedBefore = load.published.get();
                long publisherCpu = load.run(Duration.ofSeconds(seconds));
                long elapsed = System.nanoTime() - start;
                long jvm = PushBench.jvmCpuNanos() - jvmBefore;
                long postgres = PushBench.postgresCpuNanos(pg.dataDirectory()) - pgBefore;
                long[] machineAfter = PushBench.machineJiffies();
                long beats = rows(pg) - rowsBefore;
                double batches = registry.counter(HeartbeatMeters.BATCHES).count() - batchesBefore;
                double[] latency = latencyMillis(pg, runStart);
                System.out.printf(
                        "published %,d; beats written %,d in %.1f s: %,.0f beats/s; %,.0f transactions (%.1f beats"
                                + " each)%n",
                        load.published.get() - publishedBefore,
                        beats,
                        elapsed / 1e9,
                        beats / (elapsed / 1e9),
                        batches,
                        beats / Math.max(1, batches));
                System.out.printf(
                        "publish -> commit: p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms%n",
                        latency[0], latency[1], latency[2], latency[3]);
                System.out.printf(
                        "CPU per beat: JVM %.1f µs (of which the publisher thread %.1f µs), PostgreSQL %.1f µs;"
                                + " machine busy %.0f%% of %d cores%n",
                        jvm / 1e3 / beats,
                        publisherCpu / 1e3 / beats,
                        postgres / 1e3 / beats,
                        100.0 * (machineAfter[0] - machineBefore[0]) / Math.max(1, machineAfter[1] - machineBefore[1]),
                        Runtime.getRuntime().availableProcessors());
                System.out.printf(
                        "outcomes: %s; dropped by the client: %.0f%n",
                        registry.get(Meters.PUSH_BEATS).tags("source", "nats").counters().stream()
                                .filter(c -> c.count() > 0)
                                .map(c -> c.getId().getTag("outcome") + "=" + (long) c.count())
                                .toList(),
                        registry.get(Meters.PUSH_NATS_DROPPED).functionCounter().count());
            }
        } finally {
            if (server != null) {
                server.destroy();
                server.waitFor(10, TimeUnit.SECONDS);
            }
            PushBench.deleteRecursively(work);
        }
    }

    /** Publishes round robin, keeping at most {@code window} beats in flight, from one thread. */
    private static final class Load {
        private final Connection publisher;
        private final int subjects;
        private final int window;
        private final Collection<Counter> taken;
        final AtomicLong published = new AtomicLong();
        private int next;

        Load(Connection publisher, int subjects, int window, Collection<Counter> taken) {
            this.publisher = publisher;
            this.subjects = subjects;
            this.window = window;
            this.taken = taken;
        }

        /** Runs for {@code duration}; returns the publishing thread's CPU time. */
        long run(Duration duration) throws InterruptedException {
            var cpu = new AtomicLong();
            var failed = new AtomicBoolean();
            Thread t = Thread.ofPlatform().name("bench-publisher").start(() -> {
                var threads = ManagementFactory.getThreadMXBean();
                long cpuBefore = threads.getCurrentThreadCpuTime();
                long end = System.nanoTime() + duration.toNanos();
                long sent = 0;
                int checkEvery = Math.max(1, Math.min(256, window / 8)); // the window is overshot by this at most
                try {
                    while (System.nanoTime() < end) {
                        if (sent % checkEvery == 0) {
                            while (published.get() - taken() > window && System.nanoTime() < end) {
                                Thread.onSpinWait();
                                Thread.sleep(0, 100_000);
                            }
                        }
                        String subject = "bench.s" + (1 + next);
                        next = (next + 1) % subjects;
                        publisher.publish(subject, message(subject, Instant.now()));
                        published.incrementAndGet();
                        sent++;
                    }
                    publisher.flush(Duration.ofSeconds(10));
                } catch (Exception e) {
                    failed.set(true);
                    e.printStackTrace();
                }
                cpu.set(threads.getCurrentThreadCpuTime() - cpuBefore);
            });
            t.join();
            if (failed.get()) {
                throw new IllegalStateException("the publisher failed");
            }
            return cpu.get();
        }

        private long taken() {
            double sum = 0;
            for (Counter c : taken) {
                sum += c.count();
            }
            return (long) sum;
        }
    }

    /** The Go agent's message, as its encoding/json writes it. */
    private static byte[] message(String subject, Instant generatedAt) {
        return ("{\"subject\":\"" + subject + "\",\"generated_at\":\"" + Rfc3339.format(generatedAt)
                        + "\",\"interval\":60000000000,\"host\":\"bench\",\"description\":\"bench\"}")
                .getBytes(StandardCharsets.UTF_8);
    }

    private static Connection connect(String url) throws Exception {
        long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true) {
            try {
                return Nats.connect(new Options.Builder().server(url).build());
            } catch (IOException e) {
                if (System.nanoTime() > end) {
                    throw new IllegalStateException("nats-server did not start: is it installed?", e);
                }
                Thread.sleep(50);
            }
        }
    }

    /** Waits until the ingest has subscribed (a probe beat is taken); returns the beats counters of NATS. */
    private static Collection<Counter> awaitSubscribed(Connection publisher, SimpleMeterRegistry registry)
            throws Exception {
        long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < end) {
            var counters =
                    registry.find(Meters.PUSH_BEATS).tags("source", "nats").counters();
            if (counters.stream().mapToDouble(Counter::count).sum() > 0) {
                return List.copyOf(counters);
            }
            publisher.publish("bench.s1", message("bench.s1", Instant.now()));
            publisher.flush(Duration.ofSeconds(5));
            Thread.sleep(100);
        }
        throw new IllegalStateException("NATS ingest did not subscribe within 30 s");
    }

    private static void insertMonitors(BenchPostgres pg, int subjects) {
        try (var pool = Database.pool(pg.connection(), "bench-seed", 1)) {
            Database.jdbi(pool).useTransaction(h -> {
                h.execute("INSERT INTO schedules (id, name, interval) VALUES (1, 'every minute', 60)");
                h.createUpdate(
                                """
                                INSERT INTO api_monitors (name, type, schedule_id, push_subject)
                                SELECT 'nats ' || g, 'push', 1, 'bench.s' || g FROM generate_series(1, :n) g
                                """)
                        .bind("n", subjects)
                        .execute();
            });
        }
    }

    private static long rows(BenchPostgres pg) {
        try (var pool = Database.pool(pg.connection(), "bench-count", 1)) {
            return Database.jdbi(pool).withHandle(h -> h.createQuery("SELECT count(*) FROM api_heartbeats")
                    .mapTo(Long.class)
                    .one());
        }
    }

    /** p50, p90, p99 and max of commit time minus key (the publish time) over the rows keyed since {@code since}. */
    private static double[] latencyMillis(BenchPostgres pg, Instant since) {
        try (var pool = Database.pool(pg.connection(), "bench-latency", 1)) {
            return Database.jdbi(pool).withHandle(h -> h.createQuery(
                            """
                            WITH d AS (
                                SELECT extract(epoch FROM pg_xact_commit_timestamp(xmin) - scheduled_at) * 1000 AS ms
                                FROM api_heartbeats WHERE scheduled_at >= :since)
                            SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY ms),
                                   percentile_cont(0.9) WITHIN GROUP (ORDER BY ms),
                                   percentile_cont(0.99) WITHIN GROUP (ORDER BY ms), max(ms)
                            FROM d
                            """)
                    .bind("since", since.atOffset(java.time.ZoneOffset.UTC))
                    .map((rs, ctx) -> new double[] {rs.getDouble(1), rs.getDouble(2), rs.getDouble(3), rs.getDouble(4)})
                    .one());
        }
    }

    private static int freePort() throws IOException {
        try (var socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
