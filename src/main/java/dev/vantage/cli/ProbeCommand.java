package dev.vantage.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.vantage.demo.DemoTargets;
import dev.vantage.probe.InvalidMonitorException;
import dev.vantage.probe.MonitorRegistry;
import dev.vantage.probe.MonitorSpec;
import dev.vantage.probe.PhaseReport;
import dev.vantage.probe.PreparedProbe;
import dev.vantage.probe.ProbeContext;
import dev.vantage.probe.ProbeResult;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code vantage probe URL}: probes one target once and prints its phases. Exit 0 success, 1 failure, 2 usage. */
@Command(
        name = "probe",
        mixinStandardHelpOptions = true,
        description = {
            "Probes one target once (http, https or tcp URL) and prints its phases, like httpstat.",
            "Before timing, one probe of the same kind runs against an in-process loopback target, so that JVM"
                    + " class loading is not counted as network time (a running agent is always warm)."
        })
public final class ProbeCommand implements Callable<Integer> {
    static final int FAILED = 1;
    static final int USAGE = 2;
    /** Enough for the JIT to compile the request path and the TLS record crypto (measured with bench/curl-vs-probe.sh). */
    private static final int WARMUP_PROBES = 20;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "URL", description = "http://…, https://… or tcp://host:port")
    String url;

    @Option(
            names = {"-X", "--method"},
            description = "HTTP method (default GET, or POST with --data)")
    String method;

    @Option(
            names = {"-H", "--header"},
            paramLabel = "'Name: value'",
            description = "request header, repeatable")
    List<String> headers = new ArrayList<>();

    @Option(
            names = {"-d", "--data"},
            description = "request body (tcp: text to send)")
    String data;

    @Option(
            names = "--timeout",
            defaultValue = "10000",
            description = "whole-probe timeout in ms (default ${DEFAULT-VALUE})")
    int timeoutMs;

    @Option(
            names = {"-k", "--insecure"},
            description = "do not verify the TLS certificate or host name")
    boolean insecure;

    @Option(names = "--max-redirects", description = "redirect hops to follow (0-20, default 5)")
    Integer maxRedirects;

    @Option(names = "--expect-status", paramLabel = "200,300-399", description = "accepted statuses (default 200-299)")
    String expectStatus;

    @Option(names = "--expect", description = "tcp: text that must be read back")
    String expect;

    @Option(names = "--json", description = "print the result as JSON")
    boolean json;

    @Option(names = "--no-warmup", description = "skip the loopback warm-up probe")
    boolean noWarmup;

    private final MonitorRegistry registry;

    public ProbeCommand() {
        this(MonitorRegistry.load());
    }

    ProbeCommand(MonitorRegistry registry) {
        this.registry = registry;
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        PreparedProbe<?> probe;
        MonitorSpec monitor;
        try {
            monitor = monitorSpec(url);
            probe = registry.prepare(monitor);
        } catch (InvalidMonitorException e) {
            err.println("vantage probe: " + e.getMessage());
            return USAGE;
        }
        if (!noWarmup) {
            warmUp(monitor.type());
        }
        ProbeResult result = probe.run(new ProbeContext(monitor.effectiveTimeout(), false));
        if (json) {
            out.println(new ObjectMapper()
                    .registerModule(new JavaTimeModule())
                    .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                    .enable(SerializationFeature.INDENT_OUTPUT)
                    .writeValueAsString(result));
        } else {
            out.print(PhaseReport.render(url, result));
        }
        out.flush();
        return result.success() ? 0 : FAILED;
    }

    MonitorSpec monitorSpec(String target) throws InvalidMonitorException {
        int colon = target.indexOf("://");
        String type = colon < 0 ? "" : target.substring(0, colon).toLowerCase(Locale.ROOT);
        if (!List.of("http", "https", "tcp").contains(type)) {
            throw new InvalidMonitorException(
                    "url", "must start with http://, https:// or tcp://, was '" + target + "'");
        }
        if (timeoutMs <= 0) {
            throw new InvalidMonitorException("--timeout", "must be a positive number of milliseconds");
        }
        ObjectNode settings = JsonNodeFactory.instance.objectNode();
        if (type.equals("tcp")) {
            if (method != null || !headers.isEmpty() || insecure || maxRedirects != null || expectStatus != null) {
                throw new InvalidMonitorException(
                        "options", "-X, -H, -k, --max-redirects and --expect-status apply to http and https only");
            }
            if (data != null) {
                settings.put("send", data);
            }
            if (expect != null) {
                settings.put("expect", expect);
            }
            return spec(type, null, target, Map.of(), null, settings);
        }
        if (expect != null) {
            throw new InvalidMonitorException("--expect", "applies to tcp only (for http use --expect-status)");
        }
        if (insecure) {
            settings.put("verify_tls", false);
        }
        if (maxRedirects != null) {
            settings.put("max_redirects", maxRedirects);
        }
        if (expectStatus != null) {
            var array = settings.putArray("expected_status");
            for (String part : expectStatus.split(",", -1)) {
                array.add(part.trim());
            }
        }
        String verb = method != null ? method : data != null ? "POST" : "GET";
        return spec(type, verb, target, parseHeaders(), data, settings);
    }

    private MonitorSpec spec(
            String type, String verb, String target, Map<String, String> hdrs, String body, ObjectNode settings) {
        return new MonitorSpec(
                0,
                "vantage probe",
                type,
                verb,
                target,
                hdrs,
                body,
                timeoutMs,
                settings,
                Duration.ofMillis(timeoutMs),
                false);
    }

    private Map<String, String> parseHeaders() throws InvalidMonitorException {
        Map<String, String> parsed = new LinkedHashMap<>();
        for (String h : headers) {
            int colon = h.indexOf(':');
            if (colon <= 0) {
                // no colon means no value, so nothing secret is echoed
                throw new InvalidMonitorException("--header", "'" + h + "' must look like 'Name: value'");
            }
            parsed.put(h.substring(0, colon).trim(), h.substring(colon + 1).trim());
        }
        return parsed;
    }

    /** Runs the same code path against loopback targets so the real probe finds classes loaded and code compiled. */
    private void warmUp(String type) {
        try (DemoTargets targets = DemoTargets.start()) {
            String target =
                    switch (type) {
                        case "tcp" -> targets.tcpUrl();
                        case "https" -> targets.httpsUrl("/fast");
                        default -> targets.httpUrl("/fast");
                    };
            ObjectNode settings = JsonNodeFactory.instance.objectNode();
            if (type.equals("https")) {
                settings.put("verify_tls", false);
            }
            var warm = new MonitorSpec(
                    0, "warm-up", type, null, target, Map.of(), null, 2000, settings, Duration.ofSeconds(2), false);
            PreparedProbe<?> probe = registry.prepare(warm);
            for (int i = 0; i < WARMUP_PROBES; i++) {
                probe.run(new ProbeContext(Duration.ofSeconds(2), false));
            }
            if (!type.equals("tcp")) {
                PreparedProbe<?> big = registry.prepare(new MonitorSpec(
                        0,
                        "warm-up",
                        type,
                        null,
                        target.replace("/fast", "/big"),
                        Map.of(),
                        null,
                        2000,
                        settings,
                        Duration.ofSeconds(2),
                        false));
                for (int i = 0; i < 3; i++) {
                    big.run(new ProbeContext(Duration.ofSeconds(2), false));
                }
            }
        } catch (InvalidMonitorException | RuntimeException e) {
            // A failed warm-up only costs accuracy on the first probe; the real probe still runs.
        }
    }
}
