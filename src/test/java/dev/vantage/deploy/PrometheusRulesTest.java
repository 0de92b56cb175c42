package dev.vantage.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * deploy/prometheus/vantage-rules.yml: the shape Prometheus loads (groups of rules, each with an alert, an expression,
 * a severity and a summary), every Vantage metric an expression names is one docs/metrics.md documents, and every alert
 * has a unit test in vantage-rules.test.yml. This is no substitute for {@code promtool check rules} and {@code promtool
 * test rules}: PromtoolRulesIT runs them.
 */
class PrometheusRulesTest {
    private static final Path RULES = Path.of("deploy", "prometheus", "vantage-rules.yml");
    private static final Path RULE_TESTS = Path.of("deploy", "prometheus", "vantage-rules.test.yml");
    private static final Pattern METRIC = Pattern.compile("\\bvantage_[a-z_]+");

    @Test
    @SuppressWarnings("unchecked")
    void everyRuleHasAnAlertAnExpressionASeverityAndASummaryOnDocumentedMetrics() throws IOException {
        Map<String, Object> file = new Yaml().load(Files.readString(RULES));
        var groups = (List<Map<String, Object>>) file.get("groups");
        assertThat(groups).isNotEmpty();
        String reference = Files.readString(Path.of("docs", "metrics.md"));
        var alerts = new ArrayList<String>();
        for (var group : groups) {
            assertThat(group).containsKeys("name", "rules");
            for (var rule : (List<Map<String, Object>>) group.get("rules")) {
                assertThat(rule).as(rule.toString()).containsKeys("alert", "expr", "labels", "annotations");
                assertThat((Map<String, Object>) rule.get("labels")).containsKey("severity");
                assertThat((Map<String, Object>) rule.get("annotations")).containsKey("summary");
                alerts.add((String) rule.get("alert"));
                var metrics = METRIC.matcher((String) rule.get("expr"));
                while (metrics.find()) {
                    String documented = metrics.group().replaceAll("_total$", "");
                    assertThat(reference)
                            .as("%s names %s, which docs/metrics.md does not", rule.get("alert"), documented)
                            .contains("`" + documented);
                }
            }
        }
        // A lost agent, a stuck evaluator, an outbox backlog, a journal not draining (docs/metrics.md, Alert rules).
        assertThat(alerts)
                .contains(
                        "VantageInstanceDown",
                        "VantageDatacenterWithoutLeader",
                        "VantageEvaluationStalled",
                        "VantageNotificationsStuck",
                        "VantageOutboxBacklog",
                        "VantageJournalNotDraining")
                .doesNotHaveDuplicates();
        String tests = Files.readString(RULE_TESTS);
        assertThat(alerts).allSatisfy(alert -> assertThat(tests)
                .as("a unit test of %s in vantage-rules.test.yml", alert)
                .contains("alertname: " + alert + "\n"));
    }
}
