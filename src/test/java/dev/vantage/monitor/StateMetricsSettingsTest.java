package dev.vantage.monitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vantage.config.ConfigurationException;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class StateMetricsSettingsTest {

    @Test
    void theGaugesAreOnWithTenThousandPairsUnlessSaidOtherwise() {
        assertThat(StateMetricsSettings.parse(Optional.empty(), StateMetricsSettings.MAX_SERIES))
                .isEqualTo(new StateMetricsSettings(true, 10_000));
        assertThat(StateMetricsSettings.parse(Optional.of(" OFF "), 5)).isEqualTo(new StateMetricsSettings(false, 5));
        assertThat(StateMetricsSettings.parse(Optional.of("on"), 1)).isEqualTo(new StateMetricsSettings(true, 1));
    }

    @Test
    void aWrongValueNamesTheSettingAndWhatItGot() {
        assertThatThrownBy(() -> StateMetricsSettings.parse(Optional.of("yes please"), 10))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("VANTAGE_MONITOR_STATE_METRICS: expected on or off, got 'yes please'");
        assertThatThrownBy(() -> new StateMetricsSettings(true, 0))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("VANTAGE_MONITOR_STATE_MAX_SERIES must be between 1 and 1000000, was 0");
    }
}
