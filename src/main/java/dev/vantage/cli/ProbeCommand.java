package dev.vantage.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.vantage.probe.InvalidMonitorException;
import dev.vantage.probe.Monitor;
import dev.vantage.probe.MonitorRegistry;
import dev.vantage.probe.MonitorSpec;
import dev.vantage.probe.PhaseReport;
import dev.vantage.probe.PreparedProbe;
import dev.vantage.probe.ProbeContext;
import dev.vantage.probe.ProbeResult;
import dev.vantage.probe.warm.WarmUp;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code vantage probe URL}: probes one target once and prints its phases. Exit 0 success, 1 failure, 2 usage.
 *
 * <p>The type comes from the {@link MonitorRegistry}, by {@code --type} or else the URL's scheme, so a new type needs
 * nothing here. The options fill a monitor row as the agent would read it: {@code -X}, {@code -H} and {@code -d} its
 * request columns (refused for a type that does not read them, see {@link Monitor#requestColumns()}), {@code -s
 * key=value} its settings, and the older options are shorthands for settings ({@code -k} is {@code -s
 * verify_tls=false}); the type validates the row with the same one-line errors an agent logs.
 */
@Command(
        name = "probe",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = {
            "Probes one target once and prints its phases, like httpstat. The type is the URL's scheme (http, https,"
                    + " tcp, ...) or --type.",
            "Before timing, probes of the same kind run against in-process loopback targets, so that JVM"
                    + " class loading is not counted as network time (a running agent is always warm)."
        },
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {"0:the probe succeeded", "1:the probe failed", "2:usage error", "3:unexpected internal error"},
        footerHeading = "%nExamples:%n",
        footer = {
            "  vantage probe http://127.0.0.1:8080/healthz",
            "  vantage probe --json --expect-status 200 http://127.0.0.1:8081/healthz",
            "  vantage probe tcp://127.0.0.1:5432"
        })
public final class ProbeCommand implements Callable<Integer> {
    static final int FAILED = 1;
    static final int USAGE = 2;

    private static final Duration WARM_UP_BUDGET = Duration.ofSeconds(10);
    private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "URL", description = "http://…, https://…, tcp://host:port, …")
    String url;

    @Option(
            names = {"-t", "--type"},
            description = "monitor type (default: the URL's scheme)")
    String type;

    @Option(
            names = {"-s", "--setting"},
            paramLabel = "key=value",
            description = "a key of the type's settings, repeatable; the value is JSON when it parses as JSON"
                    + " (false, 5, [\"200\"], \"5\"), else text")
    List<String> settings = new ArrayList<>();

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
            description = "do not verify the TLS certificate or host name (-s verify_tls=false)")
    boolean insecure;

    @Option(names = "--max-redirects", description = "redirect hops to follow (-s max_redirects=N)")
    Integer maxRedirects;

    @Option(
            names = "--expect-status",
            paramLabel = "200,300-399",
            description = "accepted statuses (-s expected_status=[...])")
    String expectStatus;

    @Option(names = "--expect", description = "tcp: text that must be read back (-s expect=TEXT)")
    String expect;

    @Option(names = "--json", description = "print the result as JSON")
    boolean json;

    @Option(names = "--no-warmup", description = "skip the loopback warm-up probes")
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
            String scheme = scheme(url);
            warmUp(scheme.isEmpty() ? monitor.type() : scheme);
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

    /** The monitor row these options describe; its type's own validation comes after. */
    MonitorSpec monitorSpec(String target) throws InvalidMonitorException {
        String name = type != null ? type.trim() : scheme(target);
        Monitor<?> monitor = registry.find(name)
                .orElseThrow(() -> new InvalidMonitorException(
                        type != null ? "--type" : "url",
                        (type != null ? "unknown monitor type '" + type + "'" : "no monitor type for '" + target + "'")
                                + " (known types: " + String.join(", ", registry.types())
                                + "; the type is the URL's scheme, or --type)"));
        if (timeoutMs <= 0) {
            throw new InvalidMonitorException("--timeout", "must be a positive number of milliseconds");
        }
        var columns = monitor.requestColumns();
        refuse(method != null && !columns.contains("method"), "-X", "method", monitor);
        refuse(!headers.isEmpty() && !columns.contains("headers"), "-H", "headers", monitor);
        refuse(data != null && !columns.contains("body"), "-d", "body", monitor);

        ObjectNode values = JsonNodeFactory.instance.objectNode();
        if (insecure) {
            put(values, "verify_tls", JsonNodeFactory.instance.booleanNode(false), "-k");
        }
        if (maxRedirects != null) {
            put(values, "max_redirects", JsonNodeFactory.instance.numberNode(maxRedirects), "--max-redirects");
        }
        if (expectStatus != null) {
            var array = JsonNodeFactory.instance.arrayNode();
            for (String part : expectStatus.split(",", -1)) {
                array.add(part.trim());
            }
            put(values, "expected_status", array, "--expect-status");
        }
        if (expect != null) {
            put(values, "expect", TextNode.valueOf(expect), "--expect");
        }
        for (String setting : settings) {
            int eq = setting.indexOf('=');
            if (eq <= 0) {
                throw new InvalidMonitorException("--setting", "'" + setting + "' must look like key=value");
            }
            put(values, setting.substring(0, eq).trim(), value(setting.substring(eq + 1)), "-s");
        }
        String verb = method != null ? method : data != null && columns.contains("method") ? "POST" : null;
        return new MonitorSpec(
                0,
                "vantage probe",
                name,
                verb,
                target,
                parseHeaders(),
                data,
                timeoutMs,
                values,
                Duration.ofMillis(timeoutMs),
                false);
    }

    private static String scheme(String target) {
        int colon = target.indexOf("://");
        return colon < 0 ? "" : target.substring(0, colon).toLowerCase(Locale.ROOT);
    }

    private static void refuse(boolean refused, String option, String column, Monitor<?> monitor)
            throws InvalidMonitorException {
        if (refused) {
            throw new InvalidMonitorException(
                    option,
                    "sets the " + column + ", which a " + monitor.type()
                            + " monitor does not use (its settings go in -s key=value)");
        }
    }

    private static void put(ObjectNode values, String key, JsonNode value, String option)
            throws InvalidMonitorException {
        if (values.has(key)) {
            throw new InvalidMonitorException(option, "sets settings." + key + ", which another option set already");
        }
        values.set(key, value);
    }

    /** JSON when the text is JSON ({@code false}, {@code 5}, {@code ["200"]}, {@code "5"}), else the text itself. */
    static JsonNode value(String text) {
        try {
            JsonNode node = JSON.readTree(text);
            return node == null || node.isMissingNode() ? TextNode.valueOf(text) : node;
        } catch (JsonProcessingException e) {
            return TextNode.valueOf(text);
        }
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

    /**
     * Runs the same type against in-process loopback targets ({@link WarmUp}, as the agent does before its first
     * slot), so that the real probe finds classes loaded and code compiled. A failed warm-up only costs accuracy.
     */
    private void warmUp(String typeName) {
        WarmUp.run(registry, Set.of(typeName), WARM_UP_BUDGET);
    }
}
