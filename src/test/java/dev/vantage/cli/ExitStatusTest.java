package dev.vantage.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.vantage.Main;
import dev.vantage.config.ConfigurationException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The exit status through the real {@link Main#commandLine()} handlers: 2 for what the user can fix, 3 and a logged
 * stack trace for a bug. 0 and 1 are asserted by the commands' own ITs (StatusCommandIT, ProbeCommandIT).
 */
class ExitStatusTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    /** A command of the test's own, registered beside the real ones, that throws what it is given. */
    @Command(name = "throws")
    static final class Throws implements Callable<Integer> {
        private final Exception exception;

        Throws(Exception exception) {
            this.exception = exception;
        }

        @Override
        public Integer call() throws Exception {
            throw exception;
        }
    }

    private int vantage(Exception thrown, String... args) {
        var cli = Main.commandLine();
        if (thrown != null) {
            cli.addSubcommand(new CommandLine(new Throws(thrown)));
        }
        Main.everyCommand(cli, command -> command.setOut(new PrintWriter(out)).setErr(new PrintWriter(err)));
        return cli.execute(args);
    }

    @Test
    void anUnknownFlagIsAUsageError() {
        int exit = vantage(null, "agent", "--no-such-flag");

        assertThat(exit).isEqualTo(Main.EXIT_USAGE);
        assertThat(err.toString()).startsWith("Unknown option: '--no-such-flag'");
    }

    @Test
    void aBadSettingIsAUsageErrorOnOneLine() {
        int exit = vantage(null, "agent", "--db", "postgres://u:hunter2@/db", "--datacenter", "VA");

        assertThat(exit).isEqualTo(Main.EXIT_USAGE);
        assertThat(err.toString())
                .isEqualTo("vantage agent: DB_CONN_STRING: no host in the URL" + System.lineSeparator());
    }

    @Test
    void aConfigurationExceptionIsAUsageError() {
        int exit = vantage(new ConfigurationException("VANTAGE_SOMETHING: expected on or off"), "throws");

        assertThat(exit).isEqualTo(Main.EXIT_USAGE);
        assertThat(err.toString())
                .isEqualTo("vantage throws: VANTAGE_SOMETHING: expected on or off" + System.lineSeparator());
    }

    @Test
    void anUnreachableDatabaseAtAnyDepthIsAUsageError() {
        var refused = new SQLException("Connection to 127.0.0.1:1 refused.", "08001");
        var poolGaveUp = new SQLTransientConnectionException("vantage-migrate - Connection is not available", refused);

        int exit = vantage(new RuntimeException("Unable to obtain connection from database", poolGaveUp), "throws");

        assertThat(exit).isEqualTo(Main.EXIT_USAGE);
        assertThat(err.toString())
                .isEqualTo("vantage throws: cannot reach the database: Connection to 127.0.0.1:1 refused."
                        + System.lineSeparator());
    }

    @Test
    void aWrongPasswordIsAUsageError() {
        var auth = new SQLException("password authentication failed for user \"va_agent\"", "28P01");

        assertThat(vantage(new IllegalStateException("flyway", auth), "throws")).isEqualTo(Main.EXIT_USAGE);
    }

    @Test
    void anotherSqlErrorIsAnInternalError() {
        var constraint = new SQLException("duplicate key value violates unique constraint", "23505");

        assertThat(vantage(new IllegalStateException("insert", constraint), "throws"))
                .isEqualTo(Main.EXIT_INTERNAL);
    }

    @Test
    void anUnexpectedExceptionIsExitThreeWithOneLineOnStderrAndTheStackTraceInTheLog() {
        var logger = (Logger) org.slf4j.LoggerFactory.getLogger(Main.class);
        var log = new ListAppender<ILoggingEvent>();
        log.start();
        logger.addAppender(log);
        var bug = new IllegalStateException("the schedule has no slots\nsecond line");
        try {
            int exit = vantage(bug, "throws");

            assertThat(exit).isEqualTo(Main.EXIT_INTERNAL);
        } finally {
            logger.detachAppender(log);
        }
        assertThat(err.toString())
                .isEqualTo("vantage throws: unexpected error: java.lang.IllegalStateException: the schedule has no"
                        + " slots second line (a bug: the stack trace is in the log)" + System.lineSeparator());
        assertThat(log.list).singleElement().satisfies(event -> {
            assertThat(event.getLevel()).isEqualTo(Level.ERROR);
            assertThat(event.getFormattedMessage()).isEqualTo("vantage throws stopped by an unexpected error");
            assertThat(event.getThrowableProxy().getMessage()).isEqualTo(bug.getMessage());
        });
    }

    @Test
    void anErrorThrownByAHandlerMapsToThreeToo() {
        var cli = Main.commandLine();

        assertThat(cli.getExitCodeExceptionMapper().getExitCode(new IllegalStateException("handler")))
                .isEqualTo(Main.EXIT_INTERNAL);
        assertThat(cli.getExitCodeExceptionMapper().getExitCode(new ConfigurationException("X: wrong")))
                .isEqualTo(Main.EXIT_USAGE);
    }
}
