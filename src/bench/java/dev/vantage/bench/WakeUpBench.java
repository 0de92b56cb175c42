package dev.vantage.bench;

import dev.vantage.agent.Agent;
import dev.vantage.agent.AgentSettings;
import dev.vantage.db.Database;
import dev.vantage.heartbeat.HeartbeatWriterSettings;
import dev.vantage.lease.LeaseSettings;
import dev.vantage.probe.MonitorRegistry;
import dev.vantage.probe.MonitorSpec;
import dev.vantage.probe.PreparedProbe;
import dev.vantage.probe.ProbeContext;
import dev.vantage.schedule.SlotGrid;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Jdbi;

/**
 * Does waking a parked virtual thread after its blocking read add to the TTFB under load? On loopback only: {@code
 * java -cp target/vantage.jar dev.vantage.bench.WakeUpBench [others=2000 interval=1 warmup=20 samples=30]}. Runs an
 * agent in this JVM probing {@code others} monitors on {@code /fast} every {@code interval} s (the load) and one on
 * {@code /slow} (200 ms before the status line), and, in the same seconds, probes {@code /slow} with the same probe
 * code from a platform thread (woken by the kernel when the read returns) and from a virtual thread (woken by the JDK's
 * poller and scheduled onto a carrier that the load also uses), and with curl, each at its own quarter of the second.
 * Prints the medians of the four TTFBs: virtual minus platform is the wake-up's share.
 */
public final class WakeUpBench {
    private WakeUpBench() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> p =
                new HashMap<>(Map.of("others", "2000", "interval", "1", "warmup", "20", "samples", "30"));
        for (String arg : args) {
            String[] kv = arg.split("=", 2);
            if (kv.length != 2 || !p.containsKey(kv[0])) {
                System.err.println("usage: WakeUpBench [others=N interval=S warmup=S samples=N]; unknown: " + arg);
                System.exit(2);
            }
            p.put(kv[0], kv[1]);
        }
        System.out.printf(
                "wake-up bench %s, %d cores, JVM %s%n",
                p, Runtime.getRuntime().availableProcessors(), Runtime.version());
        Process targets = FirstProbesBench.startTargets();
        try (var pg = BenchPostgres.start(Map.of());
                var pool = Database.pool(pg.connection(), "bench", 2)) {
            String url = FirstProbesBench.readUrls(targets).get("http/slow");
            Jdbi jdbi = Database.jdbi(pool);
            long measured = FirstProbesBench.seed(
                    jdbi, url, Integer.parseInt(p.get("others")), Integer.parseInt(p.get("interval")));
            var settings = new AgentSettings(
                    pg.connection(),
                    "BENCH",
                    "wake-up",
                    512,
                    Duration.ofSeconds(30),
                    Duration.ofSeconds(10),
                    Duration.ofSeconds(10),
                    HeartbeatWriterSettings.DEFAULTS,
                    LeaseSettings.DEFAULTS);
            try (var agent =
                    Agent.start(settings, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), Clock.systemUTC())) {
                TimeUnit.SECONDS.sleep(Integer.parseInt(p.get("warmup")));
                measure(jdbi, url, measured, Integer.parseInt(p.get("samples")));
            }
        } finally {
            targets.destroy();
            targets.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static void measure(Jdbi jdbi, String url, long measured, int samples) throws Exception {
        PreparedProbe<?> probe = MonitorRegistry.load()
                .prepare(new MonitorSpec(
                        0, "wake-up", "http", null, url, Map.of(), null, 2000, null, Duration.ofSeconds(1), false));
        Callable<Double> ttfb = () -> probe.run(new ProbeContext(Duration.ofSeconds(2), false))
                .timings()
                .timeToFirstByte();
        SlotGrid grid = SlotGrid.of(measured, Duration.ofSeconds(1));
        List<Double> platform = new ArrayList<>();
        List<Double> virtual = new ArrayList<>();
        List<Double> curl = new ArrayList<>();
        Instant from = grid.slotAtOrAfter(Instant.now());
        Instant slot = from;
        for (int i = 0; i < samples; i++) {
            sleepUntil(slot.plusMillis(250));
            platform.add(onThread(Thread.ofPlatform(), ttfb));
            sleepUntil(slot.plusMillis(500));
            curl.add(FirstProbesBench.curl(url));
            sleepUntil(slot.plusMillis(750));
            virtual.add(onThread(Thread.ofVirtual(), ttfb));
            slot = grid.next(slot);
        }
        Instant to = slot;
        List<Double> agent = jdbi.withHandle(
                h -> h.createQuery("SELECT time_to_first_byte_ms FROM api_heartbeats WHERE monitor_id = :m"
                                + " AND scheduled_at >= :from AND scheduled_at < :to")
                        .bind("m", measured)
                        .bind("from", OffsetDateTime.ofInstant(from, java.time.ZoneOffset.UTC))
                        .bind("to", OffsetDateTime.ofInstant(to, java.time.ZoneOffset.UTC))
                        .mapTo(Double.class)
                        .list());
        double c = FirstProbesBench.median(curl);
        System.out.printf(
                Locale.ROOT,
                "TTFB medians over %d s: curl %.3f ms; platform thread %.3f (%+.3f); virtual thread %.3f (%+.3f);"
                        + " agent's heartbeats %.3f (%+.3f, %d rows); virtual minus platform %+.3f ms; load %s%n",
                samples,
                c,
                FirstProbesBench.median(platform),
                FirstProbesBench.median(platform) - c,
                FirstProbesBench.median(virtual),
                FirstProbesBench.median(virtual) - c,
                FirstProbesBench.median(agent),
                FirstProbesBench.median(agent) - c,
                agent.size(),
                FirstProbesBench.median(virtual) - FirstProbesBench.median(platform),
                java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg"))
                        .split(" ")[0]);
    }

    private static double onThread(Thread.Builder builder, Callable<Double> body) throws Exception {
        double[] out = new double[1];
        Exception[] failure = new Exception[1];
        Thread t = builder.start(() -> {
            try {
                out[0] = body.call();
            } catch (Exception e) {
                failure[0] = e;
            }
        });
        if (!t.join(Duration.ofSeconds(5))) {
            throw new IllegalStateException("a probe took more than 5 s");
        }
        if (failure[0] != null) {
            throw failure[0];
        }
        return out[0];
    }

    private static void sleepUntil(Instant at) throws InterruptedException {
        long ms = Duration.between(Instant.now(), at).toMillis();
        if (ms > 0) {
            Thread.sleep(ms);
        }
    }
}
