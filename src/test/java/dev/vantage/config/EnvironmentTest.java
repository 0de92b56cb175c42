package dev.vantage.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EnvironmentTest {

    @Test
    void aFlagWinsOverTheVariable() {
        var env = Environment.of(Map.of("DATACENTER_ID", "VA"));

        assertThat(env.resolve("NY", "DATACENTER_ID")).contains("NY");
        assertThat(env.resolve(null, "DATACENTER_ID")).contains("VA");
        assertThat(env.resolve(" ", "DATACENTER_ID")).contains("VA");
    }

    @Test
    void aSecretIsReadFromTheFileNamedByTheFileVariable(@TempDir Path dir) throws Exception {
        Path secret = dir.resolve("db");
        Files.writeString(secret, "postgres://u:p@h/d\n");

        var env = Environment.of(Map.of("DB_CONN_STRING_FILE", secret.toString()));

        assertThat(env.get("DB_CONN_STRING")).contains("postgres://u:p@h/d");
    }

    @Test
    void bothTheVariableAndItsFileIsAnError(@TempDir Path dir) {
        var env = Environment.of(Map.of("DB_CONN_STRING", "x", "DB_CONN_STRING_FILE", dir.toString()));

        assertThatThrownBy(() -> env.get("DB_CONN_STRING"))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("DB_CONN_STRING and DB_CONN_STRING_FILE are both set; set only one");
    }

    @Test
    void anUnreadableSecretFileNamesTheVariableAndTheFile(@TempDir Path dir) {
        Path missing = dir.resolve("missing");
        var env = Environment.of(Map.of("DB_CONN_STRING_FILE", missing.toString()));

        assertThatThrownBy(() -> env.get("DB_CONN_STRING"))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageStartingWith("DB_CONN_STRING_FILE: cannot read " + missing);
    }

    @Test
    void aMissingRequiredSettingSaysHowToGiveIt() {
        assertThatThrownBy(() -> Environment.of(Map.of())
                        .require(null, "DATACENTER_ID", "--datacenter", "the datacenter id or code"))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("DATACENTER_ID is not set: give the datacenter id or code with --datacenter or the"
                        + " DATACENTER_ID variable");
    }
}
