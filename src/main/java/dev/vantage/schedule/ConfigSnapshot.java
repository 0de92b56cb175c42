package dev.vantage.schedule;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vantage.probe.InvalidMonitorException;
import dev.vantage.probe.MonitorRegistry;
import dev.vantage.probe.MonitorSpec;
import dev.vantage.store.MonitorRow;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The monitors one datacenter runs, validated, immutable. A reload builds a new one and the scheduler diffs them. */
public record ConfigSnapshot(Map<Long, ScheduledMonitor> monitors) {
    private static final ObjectMapper JSON = new ObjectMapper();

    public ConfigSnapshot {
        monitors = Map.copyOf(monitors);
    }

    public static ConfigSnapshot empty() {
        return new ConfigSnapshot(Map.of());
    }

    /** Validates every enabled row; one bad row never hides the others. */
    public static ConfigSnapshot build(List<MonitorRow> rows, MonitorRegistry registry) {
        var monitors = new LinkedHashMap<Long, ScheduledMonitor>();
        for (MonitorRow row : rows) {
            if (row.enabled()) {
                monitors.put(row.id(), schedule(row, registry));
            }
        }
        return new ConfigSnapshot(monitors);
    }

    public List<ScheduledMonitor> invalid() {
        return monitors.values().stream().filter(m -> !m.valid()).toList();
    }

    static ScheduledMonitor schedule(MonitorRow row, MonitorRegistry registry) {
        var grid = SlotGrid.of(row.id(), Duration.ofSeconds(row.intervalSeconds()));
        var headers = new LinkedHashMap<String, String>();
        String headersProblem = parseHeaders(row.headersJson(), headers);
        JsonNode settings = null;
        String settingsProblem = null;
        try {
            settings = row.settingsJson() == null ? null : JSON.readTree(row.settingsJson());
            if (settings != null && !settings.isObject() && !settings.isNull()) {
                settingsProblem = "settings: must be a JSON object, e.g. {\"expected_status\": [200]}";
                settings = null;
            }
        } catch (JsonProcessingException e) {
            settingsProblem = "settings: not valid JSON";
        }
        var spec = new MonitorSpec(
                row.id(),
                row.name(),
                row.type(),
                row.method(),
                row.url(),
                headers,
                row.body(),
                row.timeoutMs(),
                settings,
                Duration.ofSeconds(row.intervalSeconds()),
                row.includeResponseBody());
        String problem =
                row.oversized() != null ? row.oversized() : headersProblem != null ? headersProblem : settingsProblem;
        if (problem == null) {
            try {
                return new ScheduledMonitor(
                        spec, grid, registry.prepare(spec), null, row.thresholdsWarning(), row.thresholdsCritical());
            } catch (InvalidMonitorException e) {
                problem = e.getMessage();
            }
        }
        return new ScheduledMonitor(spec, grid, null, problem, row.thresholdsWarning(), row.thresholdsCritical());
    }

    /** Fills {@code into} from the headers column; returns the problem, or null when the column is valid. */
    private static String parseHeaders(String json, Map<String, String> into) {
        if (json == null) {
            return null;
        }
        JsonNode node;
        try {
            node = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            return "headers: not valid JSON";
        }
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isObject()) {
            return "headers: must be a JSON object of strings, e.g. {\"Accept\": \"application/json\"}";
        }
        for (var it = node.properties().iterator(); it.hasNext(); ) {
            var e = it.next();
            if (!e.getValue().isTextual()) {
                return "headers: the value of '" + e.getKey() + "' must be a string";
            }
            into.put(e.getKey(), e.getValue().asText());
        }
        return null;
    }
}
