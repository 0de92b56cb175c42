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

    @org.junit.jupiter.api.Test
    void thePushSettingsComeFromTheFlagsElseTheVariablesElseTheDefaults() {
        var variables = new HashMap<>(Map.of(
                "DB_CONN_STRING", "postgres://vantage@db.example:5432/vantage",
                "VANTAGE_PUSH_JOURNAL_DIR", "/var/lib/vantage/journal",
                "VANTAGE_PUSH_RATE", "0.5",
                "VANTAGE_RELOAD_INTERVAL", "7"));
        var env = Environment.of(variables);
        var command = parse("--push-burst", "3", "--push-journal-max-mb", "64");

        var push = command.pushSettings(env, command.settings(env));

        assertThat(push.journalDir()).isEqualTo(java.nio.file.Path.of("/var/lib/vantage/journal"));
        assertThat(push.journalMaxBytes()).isEqualTo(64L << 20);
        assertThat(push.ratePerSecond()).isEqualTo(0.5);
        assertThat(push.burst()).isEqualTo(3);
        assertThat(push.reloadInterval()).isEqualTo(java.time.Duration.ofSeconds(7));
        var defaults = parse().pushSettings(env(null), parse().settings(env(null)));
        assertThat(defaults.journalDir()).isNull();
        assertThat(defaults.ratePerSecond()).isEqualTo(5);
        assertThat(defaults.burst()).isEqualTo(50);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "--push-rate=0      | VANTAGE_PUSH_RATE must be a number of beats per second above 0, was 0.0",
                "--push-rate=often  | VANTAGE_PUSH_RATE: expected a number, got 'often'",
                "--push-burst=0     | VANTAGE_PUSH_BURST must be between 1 and 1000000, was 0",
                "--push-journal-max-mb=1 | VANTAGE_PUSH_JOURNAL_MAX_MB must be at least 4 (MiB), was 1"
            })
    void aWrongPushSettingIsOneClearError(String flag, String message) {
        var command = parse(flag);
        assertThatThrownBy(() -> command.pushSettings(env(null), command.settings(env(null))))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage(message);
    }

    @org.junit.jupiter.api.Test
    void redisIsOffWithoutAUrlAndItsSettingsComeFromTheFlagsElseTheVariables() {
        var variables = new HashMap<>(Map.of(
                "DB_CONN_STRING", "postgres://vantage@db.example:5432/vantage",
                "VANTAGE_MONITOR_NAME", "monitor-b",
                "VANTAGE_REDIS_URL", "redis://:pw@redis.internal:6380/1",
                "VANTAGE_REDIS_STREAMS", "events,logs",
                "VANTAGE_REDIS_AUTO_REGISTER", "false"));
        var env = Environment.of(variables);
        var command = parse("--redis-group", "pulse", "--redis-streams", "beats");

        var redis = command.redisSettings(env, command.settings(env)).orElseThrow();

        assertThat(redis.where()).isEqualTo("redis://redis.internal:6380/1");
        assertThat(redis.streams()).as("the flag wins").containsExactly("beats");
        assertThat(redis.group()).isEqualTo("pulse");
        assertThat(redis.consumer()).as("the replica's name").isEqualTo("monitor-b");
        assertThat(redis.autoRegister()).isFalse();
        assertThat(parse().redisSettings(env(null), parse().settings(env(null))))
                .isEmpty();
    }

    @org.junit.jupiter.api.Test
    void natsIngestIsOffWithoutAUrlAndFallsBackToTheGoToolsNatsUrl() {
        assertThat(parse().natsOptions.settings(env(null))).isNull();

        var goTools = Environment.of(Map.of("NATS_URL", "nats://nats.internal:4222"));
        var fromGo = parse().natsOptions.settings(goTools);
        assertThat(fromGo.address()).isEqualTo("nats://nats.internal:4222");
        assertThat(fromGo.subscription()).isEqualTo("heartbeat.>");
        assertThat(fromGo.queue()).isEqualTo("vantage-ingest");
        assertThat(fromGo.autoRegister()).isTrue();

        var ours = Environment.of(Map.of(
                "NATS_URL", "nats://ignored:4222",
                "VANTAGE_NATS_URL", "nats://u:p@ours:4222",
                "VANTAGE_NATS_SUBJECT_PREFIX", "beats.",
                "VANTAGE_NATS_QUEUE", "q",
                "VANTAGE_NATS_PRIME_STREAM", "HEARTBEATS",
                "VANTAGE_NATS_AUTO_REGISTER", "false"));
        var settings = parse().natsOptions.settings(ours);
        assertThat(settings.address()).isEqualTo("nats://ours:4222");
        assertThat(settings.subscription()).isEqualTo("beats.>");
        assertThat(settings.queue()).isEqualTo("q");
        assertThat(settings.primeStream()).isEqualTo("HEARTBEATS");
        assertThat(settings.autoRegister()).isFalse();
        assertThat(parse("--nats-auto-register", "yes", "--nats-queue", "flag")
                        .natsOptions
                        .settings(ours))
                .extracting(s -> s.autoRegister(), s -> s.queue())
                .containsExactly(true, "flag");
        assertThatThrownBy(
                        () -> parse("--nats-auto-register", "maybe").natsOptions.settings(ours))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("VANTAGE_NATS_AUTO_REGISTER: expected true or false, got 'maybe'");
    }
}
