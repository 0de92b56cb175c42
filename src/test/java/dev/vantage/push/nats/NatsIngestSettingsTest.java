package dev.vantage.push.nats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vantage.config.ConfigurationException;
import dev.vantage.heartbeat.BeatKind;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** NATS ingest's settings, and what an unknown subject registers. */
class NatsIngestSettingsTest {

    @Test
    void credentialsAreHeldApartFromTheServersAndNeverShown() {
        var s = NatsIngestSettings.of(
                "nats://vantage:s3cr%2Ft@nats.internal,nats://nats2:4223", null, null, null, null);

        assertThat(s.servers()).containsExactly("nats://nats.internal:4222", "nats://nats2:4223");
        assertThat(s.user().reveal()).isEqualTo("vantage");
        assertThat(s.password().reveal()).isEqualTo("s3cr/t");
        assertThat(s.address()).isEqualTo("nats://nats.internal:4222,nats://nats2:4223");
        assertThat(s.toString()).doesNotContain("s3cr").doesNotContain("vantage:");
        assertThat(NatsIngestSettings.of("nats://tok3n@h:1", null, null, null, null)
                        .token()
                        .reveal())
                .isEqualTo("tok3n");
    }

    @Test
    void theDefaultsAreTheGoMonitorsPrefixAndOneQueueGroup() {
        var s = NatsIngestSettings.of("nats://127.0.0.1:4222", null, null, " ", null);

        assertThat(s.subscription()).isEqualTo("heartbeat.>");
        assertThat(s.queue()).isEqualTo("vantage-ingest");
        assertThat(s.primeStream()).isNull();
        assertThat(s.autoRegister()).isTrue();
        assertThat(NatsIngestSettings.of("nats://h", "beats", null, null, false).subscription())
                .isEqualTo("beats.>");
        assertThat(NatsIngestSettings.of("nats://h", "", null, null, false).subscription())
                .isEqualTo(">");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "http://user:pw@h:4222 | VANTAGE_NATS_URL: must be nats://",
                "nats://user:pw@h:4222/path | VANTAGE_NATS_URL: a nats:// URL has no path",
                "nats://user:pw@ | VANTAGE_NATS_URL: must be nats://"
            })
    void aWrongUrlIsNamedButNotShown(String url, String message) {
        assertThatThrownBy(() -> NatsIngestSettings.of(url, null, null, null, null))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageStartingWith(message)
                .hasMessageNotContaining("pw");
    }

    @Test
    void aWildcardPrefixOrABlankQueueIsRefused() {
        assertThatThrownBy(() -> NatsIngestSettings.of("nats://h", "heartbeat.*.", null, null, null))
                .hasMessageStartingWith("VANTAGE_NATS_SUBJECT_PREFIX");
        assertThatThrownBy(() -> NatsIngestSettings.of("nats://h", null, "two words", null, null))
                .hasMessageStartingWith("VANTAGE_NATS_QUEUE");
    }

    private static HeartbeatMessage message(Duration interval, Duration grace, String description) {
        return new HeartbeatMessage(
                "heartbeat.x",
                Instant.parse("2024-06-01T12:00:00Z"),
                interval,
                grace,
                null,
                description,
                BeatKind.SUCCESS,
                null,
                null,
                null);
    }

    @Test
    void aRegistrationRoundsUpToWholeSecondsAndKeepsIntervalPlusGracePastADay() {
        assertThat(SubjectRegistry.Registration.of(message(Duration.ofSeconds(15), Duration.ofSeconds(30), "API")))
                .isEqualTo(new SubjectRegistry.Registration("heartbeat.x", "API", 15, 30));
        assertThat(SubjectRegistry.Registration.of(message(Duration.ofMillis(500), null, null)))
                .isEqualTo(new SubjectRegistry.Registration("heartbeat.x", "heartbeat.x", 1, null));
        assertThat(SubjectRegistry.Registration.of(message(Duration.ofDays(2), Duration.ofHours(1), null)))
                .isEqualTo(new SubjectRegistry.Registration("heartbeat.x", "heartbeat.x", 86_400, 86_400 + 3_600));
        assertThat(SubjectRegistry.Registration.of(message(Duration.ofSeconds(1), Duration.ofDays(30), null))
                        .graceSeconds())
                .isEqualTo(604_800);
        String longName = "d".repeat(120);
        assertThat(SubjectRegistry.Registration.of(message(Duration.ofSeconds(1), null, longName))
                        .name())
                .hasSize(100);
        assertThat(List.of(SubjectRegistry.Registration.of(message(Duration.ofSeconds(1), null, "é".repeat(100)))
                        .name()
                        .length()))
                .containsExactly(100);
    }
}
