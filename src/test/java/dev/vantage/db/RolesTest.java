package dev.vantage.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vantage.config.ConfigurationException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class RolesTest {

    @ParameterizedTest
    @CsvSource({"agent, vantage_agent", "MONITOR, vantage_monitor", "vantage_reader, vantage_reader"})
    void aGroupIsNamedShortOrInFull(String value, String role) {
        assertThat(Roles.Group.parse(value).roleName()).isEqualTo(role);
    }

    @ParameterizedTest
    @ValueSource(strings = {"VA_agent", "x; DROP TABLE agents", "a\"b", "pg_agent", "1agent", ""})
    void aLoginNameThatWouldNeedQuotingOrIsReservedIsRefused(String name) {
        assertThatThrownBy(() -> new Roles.Login(name, Roles.Group.AGENT, "60s", "60s"))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageStartingWith("--name: ");
    }

    @ParameterizedTest
    @ValueSource(strings = {"60", "1 min", "5m", "-1s", "60s; RESET ALL", "soon"})
    void aTimeoutIsADurationWithAUnit(String timeout) {
        assertThatThrownBy(() -> new Roles.Login("va_agent", Roles.Group.AGENT, timeout, "60s"))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("--idle-in-transaction-timeout: expected a duration such as 60s, 5min, 500ms or 0 (none),"
                        + " got '" + timeout + "'");
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "500ms", "60s", "5min", "1h"})
    void theseTimeoutsAreAccepted(String timeout) {
        assertThat(new Roles.Login("va_agent", Roles.Group.MONITOR, "60s", timeout).statementTimeout())
                .isEqualTo(timeout);
    }
}
