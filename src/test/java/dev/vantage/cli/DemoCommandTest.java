package dev.vantage.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vantage.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DemoCommandTest {

    @ParameterizedTest
    @ValueSource(strings = {"--data-dir=/tmp/vantage-demo-unused", "--pg-port=15432"})
    void theEmbeddedDatabaseFlagsBesideDbAreAUsageErrorBeforeAnythingStarts(String embeddedFlag) {
        var err = new StringWriter();
        int exit = Main.commandLine()
                .setErr(new PrintWriter(err, true))
                .execute("demo", "--no-http", "--db", "postgres://vantage@127.0.0.1:1/vantage", embeddedFlag);

        assertThat(exit).isEqualTo(2);
        assertThat(err.toString())
                .contains("--db: the demo's database is then yours; --data-dir and --pg-port are for the embedded"
                        + " PostgreSQL only");
    }
}
