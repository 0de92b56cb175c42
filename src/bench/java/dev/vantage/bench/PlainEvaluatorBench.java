package dev.vantage.bench;

import dev.vantage.evaluate.*;
import java.time.*;
import java.util.*;

/**
 * The pure evaluator, in memory, over MonitorBench's workload shape (1,000 monitors x 3 datacenters x {@code slots}
 * one-minute slots, 2% with an outage, 1% lone failures, 1% slow), drained every 10,000 heartbeats as the module does.
 * Not a test: it prints the best rate of {@code reps} runs. It uses only API that schema 14's evaluator has too, so the
 * same file compiled against an older jar measures that one.
 *
 * <pre>
 * java -cp target/vantage.jar dev.vantage.bench.PlainEvaluatorBench [reps] [slots]
 * </pre>
 */
public final class PlainEvaluatorBench {
    private PlainEvaluatorBench() {}

    public static void main(String[] args) {
        int reps = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        int slots = args.length > 1 ? Integer.parseInt(args[1]) : 2000;
        int monitors = 1000, dcs = 3;
        Instant t0 = Instant.parse("2026-11-23T10:00:00Z");
        var configs = new ArrayList<MonitorConfig>();
        for (int m = 1; m <= monitors; m++) {
            configs.add(new MonitorConfig(
                    m,
                    "m" + m,
                    Policy.of(60, dcs, null, null, null, 3600, null, null, null),
                    Set.of(1, 2, 3),
                    List.of(1)));
        }
        var obs = new ArrayList<Observation>(monitors * dcs * slots);
        long id = 0;
        for (int s = 0; s < slots; s++) {
            for (int dc = 1; dc <= dcs; dc++) {
                for (int m = 1; m <= monitors; m++) {
                    boolean failed = (m % 50 == 0
                                    && dc <= 2
                                    && s - (m * 7) % (slots - 10) >= 0
                                    && s - (m * 7) % (slots - 10) <= 4)
                            || (m * 31 + s * 17 + dc * 7) % 100 == 0;
                    boolean slow = (m * 13 + s * 11 + dc) % 100 == 0;
                    obs.add(new Observation(
                            ++id,
                            m,
                            dc,
                            t0.plusSeconds(60L * s),
                            !failed,
                            slow ? 750.0 : 40.0 + (m * 7 + s) % 90,
                            500,
                            2000,
                            failed ? "HTTP_STATUS" : null,
                            failed ? "status 503" : null));
                }
            }
        }
        double best = 0;
        for (int r = 0; r < reps; r++) {
            var e = new Evaluator(Duration.ofSeconds(30), t0);
            e.configure(configs, Map.of(1, "VA", 2, "NY", 3, "LON"), List.of(1), t0);
            e.drain();
            long start = System.nanoTime();
            int i = 0;
            for (Observation o : obs) {
                e.apply(o);
                if (++i % 10_000 == 0) {
                    e.drain(); // one drain per batch of 10,000, as the module does
                }
            }
            e.drain();
            double rate = obs.size() / ((System.nanoTime() - start) / 1e9);
            best = Math.max(best, rate);
        }
        System.out.printf("%,d observations, best of %d: %,.0f/s%n", obs.size(), reps, best);
    }
}
