package dev.vantage.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vantage.demo.DemoTargets;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import picocli.CommandLine;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ProbeCommandIT {
    private DemoTargets targets;
    private StringWriter out;
    private StringWriter err;

    @BeforeAll
    void start() {
        targets = DemoTargets.start();
    }

    @AfterAll
    void stop() {
        targets.close();
    }

    @BeforeEach
    void freshOutput() {
        out = new StringWriter();
        err = new StringWriter();
    }

    private int run(String... args) {
        return new CommandLine(new ProbeCommand())
                .setOut(new PrintWriter(out))
                .setErr(new PrintWriter(err))
                .execute(args);
    }

    @Test
    void aHealthyTargetExitsZeroAndPrintsThePhases() {
        int code = run("--no-warmup", targets.httpUrl("/fast"));

        assertThat(code).isZero();
        assertThat(out.toString()).contains("  status             200\n").contains("  result             OK\n");
    }

    @Test
    void aFailingTargetExitsOneWithItsErrorInJson() {
        int code = run("--json", "--no-warmup", "-k", targets.httpsUrl("/status/503"));

        assertThat(code).isEqualTo(1);
        assertThat(out.toString())
                .contains("\"errorType\" : \"HTTP_STATUS\"")
                .contains("\"errorMessage\" : \"status 503, expected 200-299\"");
    }

    @Test
    void optionsBecomeTheRequestAndItsChecks() {
        int code = run(
                "--no-warmup",
                "-X",
                "PATCH",
                "-H",
                "Content-Type: text/x-demo",
                "-d",
                "hi",
                "--expect-status",
                "200",
                targets.httpUrl("/echo"));

        assertThat(code).as(err.toString()).isZero();
    }

    @Test
    void aBadUrlIsOneLineAndExitCodeTwo() {
        int code = run("ftp://127.0.0.1/");

        assertThat(code).isEqualTo(2);
        assertThat(err.toString())
                .isEqualTo("vantage probe: url: must start with http://, https:// or tcp://, was 'ftp://127.0.0.1/'"
                        + System.lineSeparator());
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void aMalformedHeaderOptionIsAUsageError() {
        int code = run("-H", "NoColon", targets.httpUrl("/fast"));

        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("--header: 'NoColon' must look like 'Name: value'");
    }
}
