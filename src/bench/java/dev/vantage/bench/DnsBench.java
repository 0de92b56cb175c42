package dev.vantage.bench;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.vantage.probe.InvalidMonitorException;
import dev.vantage.probe.MonitorRegistry;
import dev.vantage.probe.MonitorSpec;
import dev.vantage.probe.PreparedProbe;
import dev.vantage.probe.ProbeContext;
import dev.vantage.probe.ProbeResult;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

/**
 * The query time of the {@code dns} type as an agent measures it (one warm JVM), to compare with {@code dig +stats}
 * against the same server: {@code java -cp target/vantage.jar dev.vantage.bench.DnsBench URL [n=20 warmup=200]}.
 * Prints each query time in ms, then the median. Run by {@code bench/dig-vs-probe.sh}.
 */
public final class DnsBench {
    private DnsBench() {}

    public static void main(String[] args) throws InvalidMonitorException {
        String url = args[0];
        int n = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        int warmup = args.length > 2 ? Integer.parseInt(args[2]) : 200;
        PreparedProbe<?> probe = MonitorRegistry.load()
                .prepare(new MonitorSpec(
                        0,
                        "dns bench",
                        "dns",
                        null,
                        url,
                        Map.of(),
                        null,
                        2000,
                        JsonNodeFactory.instance.objectNode(),
                        Duration.ofSeconds(2),
                        false));
        var context = new ProbeContext(Duration.ofSeconds(2), false);
        for (int i = 0; i < warmup; i++) {
            probe.run(context);
        }
        double[] ms = new double[n];
        for (int i = 0; i < n; i++) {
            LockSupport.parkNanos(Duration.ofMillis(50).toNanos()); // spaced like dig's runs, one at a time
            ProbeResult r = probe.run(context);
            if (!r.success()) {
                throw new IllegalStateException("probe " + i + " failed: " + r.errorType() + " " + r.errorMessage());
            }
            ms[i] = r.timings().total();
            System.out.printf(Locale.ROOT, "%.3f%n", ms[i]);
        }
        Arrays.sort(ms);
        double median = n % 2 == 1 ? ms[n / 2] : (ms[n / 2 - 1] + ms[n / 2]) / 2;
        System.out.printf(Locale.ROOT, "median %.3f%n", median);
    }
}
