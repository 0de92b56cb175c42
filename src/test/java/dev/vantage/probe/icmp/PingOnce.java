package dev.vantage.probe.icmp;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.vantage.probe.MonitorSpec;
import dev.vantage.probe.ProbeContext;
import java.time.Duration;
import java.util.Map;

/**
 * One icmp probe per argument, in a JVM of its own, for {@link IcmpPermissionsIT}: it runs this with fewer
 * privileges than the test's. Prints {@code url|success|error type|socket|message} per line.
 */
public final class PingOnce {
    private PingOnce() {}

    public static void main(String[] urls) throws Exception {
        var monitor = new IcmpMonitor();
        for (String url : urls) {
            var spec = new MonitorSpec(
                    1,
                    "once",
                    "icmp",
                    null,
                    url,
                    Map.of(),
                    null,
                    null,
                    JsonNodeFactory.instance.objectNode(),
                    Duration.ofSeconds(5),
                    false);
            IcmpMonitor.Ping p = monitor.ping(monitor.configure(spec), new ProbeContext(Duration.ofSeconds(5), false));
            System.out.println(String.join(
                    "|",
                    url,
                    String.valueOf(p.result().success()),
                    String.valueOf(p.result().errorType()),
                    p.stats() == null
                            ? "-"
                            : p.stats().socket() + " " + p.stats().received() + "/"
                                    + p.stats().sent(),
                    String.valueOf(p.result().errorMessage())));
        }
    }
}
