package dev.vantage.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * deploy/grafana/vantage-health.json, Vantage's own health on a Prometheus data source: importable like vantage.json
 * (the data source is an input), every panel on it, every query PromQL that names Vantage's, HikariCP's or the JVM's
 * series. MetricsIT checks that each series it names exists on a real agent's or monitor's /metrics.
 */
class GrafanaHealthDashboardTest {
    static final Path DASHBOARD = Path.of("deploy", "grafana", "vantage-health.json");
    private static final Pattern METRIC = Pattern.compile("\\b(?:vantage|hikaricp|jvm|process|system)_[a-z0-9_]+");

    @Test
    void itIsImportableWithAPrometheusDataSourceOnEveryPanel() throws IOException {
        JsonNode dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());

        assertThat(dashboard.path("__inputs").get(0).path("name").asText()).isEqualTo("DS_PROMETHEUS");
        assertThat(dashboard.path("__inputs").get(0).path("pluginId").asText()).isEqualTo("prometheus");
        assertThat(dashboard.path("uid").asText()).isEqualTo("vantage-health");
        var ids = new TreeSet<Integer>();
        for (JsonNode panel : dashboard.path("panels")) {
            assertThat(ids.add(panel.path("id").asInt()))
                    .as("panel ids are unique")
                    .isTrue();
            if (panel.path("type").asText().equals("row")) {
                continue;
            }
            assertThat(panel.path("datasource").path("uid").asText())
                    .as(panel.path("title").asText())
                    .isEqualTo("${DS_PROMETHEUS}");
            assertThat(panel.path("targets")).as(panel.path("title").asText()).isNotEmpty();
            for (JsonNode target : panel.path("targets")) {
                assertThat(target.path("expr").asText()).isNotBlank();
            }
        }
    }

    @Test
    void itCoversEvaluationLeasesWriterJournalOutboxSaturationPoolsAndTheJvm() {
        assertThat(metrics())
                .contains(
                        "vantage_evaluate_rounds_seconds_bucket",
                        "vantage_evaluate_lag_seconds",
                        "vantage_lease_leader",
                        "vantage_heartbeats_written_rows_total",
                        "vantage_heartbeats_journal_records",
                        "vantage_outbox_pending",
                        "vantage_schedule_slots_skipped_total",
                        "hikaricp_connections_active",
                        "jvm_memory_used_bytes");
    }

    /** Every series name the dashboard's queries name. */
    static Set<String> metrics() {
        try {
            var names = new TreeSet<String>();
            for (String expr :
                    expressions(new ObjectMapper().readTree(DASHBOARD.toFile()).path("panels"))) {
                var m = METRIC.matcher(expr);
                while (m.find()) {
                    names.add(m.group());
                }
            }
            return names;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<String> expressions(JsonNode panels) {
        var all = new ArrayList<String>();
        for (JsonNode panel : panels) {
            all.addAll(expressions(panel.path("panels")));
            for (JsonNode target : panel.path("targets")) {
                all.add(target.path("expr").asText());
            }
        }
        return all;
    }
}
