package dev.vantage.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DbConnectionTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "postgres://inframirror:inframirror@localhost:5432/inframirror?sslmode=disable"
                        + "| jdbc:postgresql://localhost:5432/inframirror?sslmode=disable | inframirror | inframirror",
                "postgresql://u@db.internal/vantage | jdbc:postgresql://db.internal:5432/vantage | u | ",
                "postgres://u:p%40ss%3Aw0rd@10.0.0.5:6432/v?sslmode=require&connect_timeout=3"
                        + "| jdbc:postgresql://10.0.0.5:6432/v?sslmode=require&connectTimeout=3 | u | p@ss:w0rd",
                "postgres://[::1]:5433/v?user=a&password=b | jdbc:postgresql://[::1]:5433/v | a | b",
                "jdbc:postgresql://h:5432/d?user=x | jdbc:postgresql://h:5432/d?user=x | | ",
            })
    void parsesTheLibpqAndJdbcForms(String value, String jdbcUrl, String user, String password) {
        var c = DbConnection.parse(value);

        assertThat(c.jdbcUrl()).isEqualTo(jdbcUrl);
        assertThat(c.user()).isEqualTo(user);
        assertThat(c.password()).isEqualTo(password);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "mysql://u:secret@h/d | DB_CONN_STRING: expected postgres://user:pass@host:5432/db or"
                        + " jdbc:postgresql://host:5432/db, got a value starting with 'mysql:'",
                "postgres://u:secret@/d | DB_CONN_STRING: no host in the URL",
                "postgres://u:secret@h:5432 | DB_CONN_STRING: no database name after the host (…:5432/dbname)",
                "postgres://u:secret@h/d?pool=3 | DB_CONN_STRING: unsupported parameter 'pool' (supported:"
                        + " application_name, connect_timeout, options, sslcert, sslkey, sslmode, sslrootcert,"
                        + " target_session_attrs)",
                "postgres://u:sec ret@h/d | DB_CONN_STRING: not a valid URL (Illegal character in authority);"
                        + " percent-encode special characters in the password",
            })
    void rejectsWhatItCannotUseWithOneLineThatNeverShowsThePassword(String value, String message) {
        assertThatThrownBy(() -> DbConnection.parse(value))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage(message)
                .message()
                .doesNotContain("secret", "sec ret");
    }

    @org.junit.jupiter.api.Test
    void toStringHidesThePassword() {
        assertThat(DbConnection.parse("postgres://u:hunter2@h/d").toString()).doesNotContain("hunter2");
    }
}
