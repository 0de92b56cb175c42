package dev.vantage.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vantage.Main;
import dev.vantage.demo.DemoTargets;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
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

    /** Through {@code vantage probe}, with Main's handlers, as a user runs it. */
    private int vantageProbe(String... args) {
        var cli = Main.commandLine();
        Main.everyCommand(cli, c -> c.setOut(new PrintWriter(out)).setErr(new PrintWriter(err)));
        var all = new ArrayList<>(List.of("probe", "--no-warmup"));
        all.addAll(List.of(args));
        return cli.execute(all.toArray(String[]::new));
    }

    @Test
    void throughVantageASuccessExitsZeroAFailureOneAndAUsageErrorTwo() {
        assertThat(vantageProbe(targets.httpUrl("/fast"))).as(err.toString()).isEqualTo(Main.EXIT_OK);
        assertThat(vantageProbe(targets.httpUrl("/status/503"))).isEqualTo(Main.EXIT_FAILED);
        assertThat(vantageProbe("--timeout", "0", targets.httpUrl("/fast"))).isEqualTo(Main.EXIT_USAGE);
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
    void aUrlOfNoKnownTypeIsOneLineAndExitCodeTwo() {
        int code = run("ftp://127.0.0.1/");

        assertThat(code).isEqualTo(2);
        assertThat(err.toString())
                .startsWith("vantage probe: url: no monitor type for 'ftp://127.0.0.1/' (known types: ")
                .endsWith("; the type is the URL's scheme, or --type)" + System.lineSeparator())
                .contains("http, ")
                .contains("tcp");
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void anUnknownTypeIsNamedWithTheKnownOnes() {
        int code = run("--type", "gopher", targets.httpUrl("/fast"));

        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).startsWith("vantage probe: --type: unknown monitor type 'gopher' (known types: ");
    }

    @Test
    void genericSettingsReachTheTypeAsJsonOrText() {
        int code = run(
                "--no-warmup",
                "-s",
                "expected_status=[503]",
                "-s",
                "body_contains=status 503",
                targets.httpUrl("/status/503"));

        assertThat(code).as(err.toString()).isZero();
        assertThat(out.toString()).contains("  status             503\n").contains("  result             OK\n");
    }

    @Test
    void aSettingTheTypeDoesNotKnowIsItsOwnOneLineError() {
        int code = run("-s", "no_such=1", targets.tcpUrl());

        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).startsWith("vantage probe: settings.no_such: unknown setting (known: expect, send)");
    }

    @Test
    void aShorthandAndASettingOfTheSameKeyAreRefused() {
        int code = run("-k", "-s", "verify_tls=true", targets.httpsUrl("/fast"));

        assertThat(code).isEqualTo(2);
        assertThat(err.toString())
                .isEqualTo("vantage probe: -s: sets settings.verify_tls, which another option set already"
                        + System.lineSeparator());
    }

    @Test
    void theTcpTypeSendsDataAndExpectsItsEcho() {
        int code = run("--no-warmup", "-d", "ping-7\n", "--expect", "ping-7", targets.tcpUrl());

        assertThat(code).as(err.toString()).isZero();
        assertThat(out.toString()).contains("  result             OK\n");
    }

    @Test
    void aRequestOptionTheTypeDoesNotReadIsRefusedNotDropped() {
        int code = run("-X", "POST", targets.tcpUrl());

        assertThat(code).isEqualTo(2);
        assertThat(err.toString())
                .isEqualTo("vantage probe: -X: sets the method, which a tcp monitor does not use (its settings go in -s"
                        + " key=value)" + System.lineSeparator());
    }

    @Test
    void aDnsProbePrintsItsDetailsOneKeyALine() {
        int code = run("-s", "record=TXT", targets.dnsUrl());

        assertThat(code).as(err.toString()).isZero();
        assertThat(out.toString())
                .contains("  result             OK\n\n")
                .contains("  record             TXT\n")
                .contains("  rcode              NOERROR\n")
                .contains("  answers            vantage demo\n");
    }

    @Test
    void typeOverridesTheScheme() {
        int code = run("--no-warmup", "--type", "TCP", targets.tcpUrl(), "-s", "expect=ready");

        assertThat(code).as(err.toString()).isZero();
    }

    @Test
    void aMalformedHeaderOptionIsAUsageError() {
        int code = run("-H", "NoColon", targets.httpUrl("/fast"));

        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("--header: 'NoColon' must look like 'Name: value'");
    }
}
