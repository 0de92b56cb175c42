package dev.vantage.web;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class HttpSettingsTest {

    @Test
    void aPortOutOfRangeNamesTheSetting() {
        assertThatThrownBy(() -> HttpSettings.on("127.0.0.1", 70_000, HttpAuth.NONE))
                .hasMessage("VANTAGE_HTTP_PORT: expected a port from 0 to 65535, got 70000");
        assertThatThrownBy(() -> HttpSettings.on("127.0.0.1", -1, HttpAuth.NONE))
                .hasMessage("VANTAGE_HTTP_PORT: expected a port from 0 to 65535, got -1");
    }
}
