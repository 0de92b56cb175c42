package dev.vantage.bench;

import dev.vantage.evaluate.Evaluator;
import dev.vantage.evaluate.MonitorConfig;
import dev.vantage.evaluate.Observation;
import dev.vantage.evaluate.Phase;
import dev.vantage.evaluate.PhaseThreshold;
import dev.vantage.evaluate.Policy;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The pure evaluator alone, without the database: heartbeats applied per second, with and without slow-response alerts,
 * in alternating rounds of one JVM so that the ratio is measured side by side. Not a test: it prints its figures.
 *
 * <pre>
 * java -cp target/vantage.jar dev.vantage.bench.EvaluatorBench [monitors] [slots] [rounds]
 * </pre>
 *
 * <p>The backlog is MonitorBench's: {@code monitors × 3 datacenters × slots} heartbeats a minute apart, 2% of the
 * monitors with a 5-slot outage in two datacenters, 1% failing alone, 1% slow; every heartbeat carries the four phases.
 * <b>plain</b> monitors have no phase thresholds; <b>phases</b> monitors have a DNS threshold for every datacenter, a
 * first-byte threshold for VA and {@code notify_degraded_after = 3}, none of which the phases pass, so both arms reach
 * the same states and only the judging differs. Each round applies the backlog to a new evaluator and drains every
 * 10,000 heartbeats, as the module does.
 */
public final class EvaluatorBench {
    private static final int DATACENTERS = 3;
    private static final int DRAIN_EVERY = 10_000;

    private EvaluatorBench() {}

    public static void main(String[] args) {
        int monitors = args.length > 0 ? Integer.parseInt(args[0]) : 1_000;
        int slots = args.length > 1 ? Integer.parseInt(args[1]) : 200;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 15;
        Instant base = Instant.parse("2026-12-01T00:00:00Z");
        Observation[] backlog = backlog(monitors, slots, base);
        var plain = configs(monitors, false);
        var phases = configs(monitors, true);
        double[] plainRates = new double[rounds];
        double[] phaseRates = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            plainRates[r] = run(plain, backlog, base);
            phaseRates[r] = run(phases, backlog, base);
            System.out.printf(
                    "round %d: plain %,.0f/s, phases %,.0f/s, ratio %.3f%n",
                    r + 1, plainRates[r], phaseRates[r], phaseRates[r] / plainRates[r]);
        }
        // The first round warms the JIT up. On a shared machine the best round is the least disturbed one: both the
        // median and the best are printed.
        double[] plainWarm = Arrays.copyOfRange(plainRates, 1, rounds);
        double[] phaseWarm = Arrays.copyOfRange(phaseRates, 1, rounds);
        double p = median(plainWarm);
        double q = median(phaseWarm);
        double pBest = Arrays.stream(plainWarm).max().orElseThrow();
        double qBest = Arrays.stream(phaseWarm).max().orElseThrow();
        System.out.printf(
                "%,d heartbeats, rounds 2-%d: median plain %,.0f/s, phases %,.0f/s, ratio %.3f;"
                        + " best plain %,.0f/s, phases %,.0f/s, ratio %.3f%n",
                backlog.length, rounds, p, q, q / p, pBest, qBest, qBest / pBest);
    }

    private static double run(List<MonitorConfig> configs, Observation[] backlog, Instant base) {
        var evaluator = new Evaluator(Duration.ofSeconds(30), base);
        evaluator.configure(configs, Map.of(1, "VA", 2, "NY", 3, "LON"), List.of(1), base);
        evaluator.drain();
        long start = System.nanoTime();
        long notices = 0;
        for (int i = 0; i < backlog.length; i++) {
            evaluator.apply(backlog[i]);
            if ((i + 1) % DRAIN_EVERY == 0) {
                notices += evaluator.drain().notices().size();
            }
        }
        notices += evaluator.drain().notices().size();
        double seconds = (System.nanoTime() - start) / 1e9;
        if (notices != 40) {
            throw new IllegalStateException("expected 40 notices (20 firing, 20 resolved), got " + notices);
        }
        return backlog.length / seconds;
    }

    private static List<MonitorConfig> configs(int monitors, boolean phases) {
        var thresholds = phases
                ? List.of(
                        new PhaseThreshold(Phase.DNS_LOOKUP, null, 100),
                        new PhaseThreshold(Phase.TIME_TO_FIRST_BYTE, 1, 1000))
                : List.<PhaseThreshold>of();
        var out = new ArrayList<MonitorConfig>();
        for (int m = 1; m <= monitors; m++) {
            // Grace of a day: the backlog's slots are old, and the bench never ticks.
            var policy = Policy.of(60, DATACENTERS, null, null, null, 86_400, null, null, null);
            out.add(new MonitorConfig(
                    m, "bench " + m, policy, Set.of(1, 2, 3), List.of(1), phases ? 3 : null, thresholds));
        }
        return out;
    }

    /** MonitorBench's backlog, in the order the agents commit it: slot by slot, datacenter by datacenter. */
    private static Observation[] backlog(int monitors, int slots, Instant base) {
        var out = new Observation[monitors * DATACENTERS * slots];
        int n = 0;
        for (int s = 0; s < slots; s++) {
            for (int dc = 1; dc <= DATACENTERS; dc++) {
                for (int m = 1; m <= monitors; m++) {
                    boolean failed = (m % 50 == 0 && dc <= 2 && inRange(s - (m * 7) % (slots - 10)))
                            || (m * 31 + s * 17 + dc * 7) % 100 == 0;
                    boolean slow = (m * 13 + s * 11 + dc) % 100 == 0;
                    out[n] = new Observation(
                            n + 1L,
                            m,
                            dc,
                            base.plusSeconds(60L * s),
                            !failed,
                            slow ? 750.0 : 40.0 + (m * 7 + s) % 90,
                            500,
                            2000,
                            failed ? "HTTP_STATUS" : null,
                            failed ? "status 503, expected 200-299" : null,
                            null,
                            null,
                            null,
                            1.2,
                            0.8,
                            6.5,
                            38.9);
                    n++;
                }
            }
        }
        return out;
    }

    private static boolean inRange(int offset) {
        return offset >= 0 && offset <= 4;
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int mid = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}
