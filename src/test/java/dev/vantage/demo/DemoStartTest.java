package dev.vantage.demo;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vantage.config.ConfigurationException;
import org.junit.jupiter.api.Test;

/** What {@code vantage demo --db} refuses before it starts anything (DemoIT runs it on a real database). */
class DemoStartTest {
    @Test
    void aDatabaseUrlThatIsNotPostgresStopsTheDemoBeforeAnythingStarts() {
        assertThatThrownBy(() -> Demo.start("mysql://localhost/x", null, null))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("DB_CONN_STRING");
    }
}
