package dev.vantage.push.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vantage.config.ConfigurationException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The Redis ingest's settings: the URL's parts, the defaults, and one clear error per wrong value. */
class RedisIngestSettingsTest {
    private static final String PASSWORD = "s3cret+pa%40ss";

    @Test
    void theDefaultsReadVantageBeatsAsGroupVantageAndRegisterUnknownSubjects() {
        var settings = RedisIngestSettings.of("redis://127.0.0.1", null, null, null, "monitor-a");

        assertThat(settings.host()).isEqualTo("127.0.0.1");
        assertThat(settings.port()).isEqualTo(6379);
        assertThat(settings.database()).isZero();
        assertThat(settings.user()).isNull();
        assertThat(settings.password()).isNull();
        assertThat(settings.tls()).isFalse();
        assertThat(settings.streams()).containsExactly("vantage:beats");
        assertThat(settings.group()).isEqualTo("vantage");
        assertThat(settings.consumer()).isEqualTo("monitor-a");
        assertThat(settings.autoRegister()).isTrue();
        assertThat(settings.block()).isEqualTo(RedisIngestSettings.BLOCK);
        assertThat(settings.claimMinIdle()).hasSeconds(30);
    }

    @Test
    void everyPartOfTheUrlIsReadAndThePasswordIsNeverShown() {
        var settings = RedisIngestSettings.of(
                "rediss://alerts:" + PASSWORD + "@[::1]:6380/2", " events, logs ,notifications", "pulse", "FALSE", "m");

        assertThat(settings.host()).isEqualTo("::1");
        assertThat(settings.port()).isEqualTo(6380);
        assertThat(settings.database()).isEqualTo(2);
        assertThat(settings.user()).isEqualTo("alerts");
        assertThat(settings.password()).isEqualTo("s3cret+pa@ss");
        assertThat(settings.tls()).isTrue();
        assertThat(settings.streams()).containsExactly("events", "logs", "notifications");
        assertThat(settings.group()).isEqualTo("pulse");
        assertThat(settings.autoRegister()).isFalse();
        assertThat(settings.where()).isEqualTo("rediss://[::1]:6380/2");
        assertThat(settings.toString())
                .contains("rediss://[::1]:6380/2", "password=(secret)", "user=(secret)")
                .doesNotContain("s3cret", "alerts");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "http://h:6379 | VANTAGE_REDIS_URL: must be redis://[[user]:password@]host[:port][/database] or"
                        + " rediss://… (value not shown: it may hold a password)",
                "redis://:" + PASSWORD + "@h/x | VANTAGE_REDIS_URL: the path must be a database number, as in"
                        + " redis://host/2",
                "redis://" + PASSWORD + "@h | VANTAGE_REDIS_URL: user info must be user:password or :password (value"
                        + " not shown)",
                "redis://:" + PASSWORD + "@h?db=1 | VANTAGE_REDIS_URL: a redis:// URL has no query or fragment (value"
                        + " not shown)",
                "redis://:%zz@h | VANTAGE_REDIS_URL: must be redis://[[user]:password@]host[:port][/database] or"
                        + " rediss://… (value not shown: it may hold a password)"
            })
    void aWrongUrlIsOneErrorThatNeverShowsIt(String url, String message) {
        assertThatThrownBy(() -> RedisIngestSettings.of(url, null, null, null, "m"))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage(message);
    }

    @ParameterizedTest(name = "streams {0}, group {1}, auto-register {2}")
    @CsvSource(
            delimiter = '|',
            quoteCharacter = '"',
            nullValues = "-",
            value = {
                "a,,b  | -       | -     | VANTAGE_REDIS_STREAMS: an empty name in the list (streams are separated by"
                        + " commas)",
                "a,a   | -       | -     | VANTAGE_REDIS_STREAMS: a stream is named twice",
                "a b   | -       | -     | VANTAGE_REDIS_STREAMS: a stream name is 1 to 255 characters without blanks,"
                        + " got 'a b'",
                "-     | my group| -     | VANTAGE_REDIS_GROUP: 1 to 255 characters without blanks",
                "-     | -       | maybe | VANTAGE_REDIS_AUTO_REGISTER: expected true or false, got 'maybe'"
            })
    void aWrongStreamGroupOrSwitchIsOneErrorNamingIt(String streams, String group, String auto, String message) {
        assertThatThrownBy(() -> RedisIngestSettings.of("redis://h", streams, group, auto, "m"))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage(message);
    }

    @Test
    void oneStreamIsEnough() {
        assertThat(RedisIngestSettings.of("redis://h:1", "beats", null, "true", "m")
                        .streams())
                .isEqualTo(List.of("beats"));
    }
}
