package dev.vantage.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vantage.config.ConfigurationException;
import dev.vantage.config.Environment;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

class MonitorCommandTest {

    private static MonitorCommand parse(String... args) {
        var command = new MonitorCommand();
        new CommandLine(command).parseArgs(args);
        return command;
    }

    private static Environment env(String retention) {
        var variables = new HashMap<>(Map.of("DB_CONN_STRING", "postgres://vantage@db.example:5432/vantage"));
        if (retention != null) {
            variables.put("VANTAGE_RETENTION_DAYS", retention);
        }
        return Environment.of(variables);
    }

    @ParameterizedTest(name = "flag {0}, variable {1}: {2} days")
    @CsvSource(
            nullValues = "-",
            value = {"-, -, 30", "-, 90, 90", "7, 90, 7", "1, -, 1", "36500, -, 36500"})
    void theRetentionComesFromTheFlagElseTheVariableElseThirtyDays(String flag, String variable, int days) {
        var command = flag == null ? parse() : parse("--retention-days", flag);

        assertThat(command.settings(env(variable)).retentionDays()).isEqualTo(days);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "0     | VANTAGE_RETENTION_DAYS must be between 1 and 36500 days, was 0",
                "36501 | VANTAGE_RETENTION_DAYS must be between 1 and 36500 days, was 36501",
                "-3    | VANTAGE_RETENTION_DAYS must be between 1 and 36500 days, was -3",
                "month | VANTAGE_RETENTION_DAYS: expected a whole number, got 'month'"
            })
    void aWrongRetentionIsOneClearError(String value, String message) {
        assertThatThrownBy(() -> parse("--retention-days", value).settings(env(null)))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage(message);
    }
}
