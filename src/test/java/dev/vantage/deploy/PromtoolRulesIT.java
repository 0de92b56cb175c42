package dev.vantage.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * deploy/prometheus/vantage-rules.yml as Prometheus itself reads it: {@code promtool check rules} (syntax, PromQL,
 * templates) and {@code promtool test rules} on vantage-rules.test.yml (each alert fires on the series it is meant
 * for, after its {@code for}, with its labels and summary). promtool comes from Debian's {@code prometheus} package,
 * which .ci/run installs; without it this test fails, never skips.
 */
class PromtoolRulesIT {
    private static final Path RULES_DIR = Path.of("deploy", "prometheus");

    @Test
    void theRulesLoadInPrometheus() throws Exception {
        var result = promtool("check", "rules", "vantage-rules.yml");

        assertThat(result.exit()).as(result.output()).isZero();
        assertThat(result.output()).contains("SUCCESS");
    }

    @Test
    void eachAlertFiresOnItsSeriesAndOnlyAfterItsFor() throws Exception {
        var result = promtool("test", "rules", "vantage-rules.test.yml");

        assertThat(result.exit()).as(result.output()).isZero();
        assertThat(result.output()).contains("SUCCESS").doesNotContain("FAILED");
    }

    private static Promtool.Result promtool(String... arguments) throws Exception {
        return Promtool.run(RULES_DIR, "", arguments);
    }
}
