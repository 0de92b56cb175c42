package dev.vantage.probe.warm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vantage.config.ConfigurationException;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class WarmUpSettingsTest {

    @ParameterizedTest
    @CsvSource({
        "true,true",
        "TRUE,true",
        " on ,true",
        "yes,true",
        "1,true",
        "false,false",
        "Off,false",
        "no,false",
        "0,false"
    })
    void vantageWarmupReadsTrueOrFalse(String text, boolean enabled) {
        assertThat(WarmUpSettings.parseEnabled(text)).isEqualTo(enabled);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "maybe", "2"})
    void anythingElseIsRefusedWithTheVariablesName(String text) {
        assertThatThrownBy(() -> WarmUpSettings.parseEnabled(text))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("VANTAGE_WARMUP: expected true or false, got '" + text + "'");
    }

    @ParameterizedTest
    @ValueSource(longs = {0, -1})
    void aBudgetMustBePositive(long millis) {
        assertThatThrownBy(() -> WarmUpSettings.DEFAULTS.withBudget(Duration.ofMillis(millis)))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageStartingWith("warm-up budget must be positive");
    }

    @ParameterizedTest
    @ValueSource(longs = {0, 999})
    void theIdleIntervalIsAtLeastASecond(long millis) {
        assertThatThrownBy(() -> WarmUpSettings.DEFAULTS.withIdleEvery(Duration.ofMillis(millis)))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageStartingWith("warm-up idle interval must be at least 1 s");
    }
}
