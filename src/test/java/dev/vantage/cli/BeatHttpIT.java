package dev.vantage.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vantage.Main;
import dev.vantage.testing.HttpReceiver;
import dev.vantage.testing.HttpReceiver.Answer;
import dev.vantage.testing.HttpReceiver.Request;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code vantage beat} against a loopback HTTP receiver standing in for the monitor's ping endpoint. */
@Timeout(60)
class BeatHttpIT {
    private static final String TOKEN = "Xk3_9aQ-planted-ping-token-0123456789abcde";
    private static final String RID = "3f2b8c1e-7d4a-4c55-9b1e-2f6a0c9d8e71";
    private static final Pattern UUID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

    private HttpReceiver receiver;
    private String ping;

    @BeforeEach
    void start() {
        receiver = HttpReceiver.start();
        ping = receiver.uri("/ping/" + TOKEN).toString();
    }

    @AfterEach
    void stop() {
        receiver.close();
    }

    @Test
    void eachKindGoesToItsPathWithItsMethodBodyAndRunId() {
        record Case(List<String> flags, String method, String path, String body) {}
        String p = "/ping/" + TOKEN;
        for (Case c : List.of(
                new Case(List.of(), "GET", p, ""),
                new Case(List.of("--start"), "GET", p + "/start", ""),
                new Case(List.of("--fail"), "GET", p + "/fail", ""),
                new Case(List.of("--log", "--message", "rotated logs"), "POST", p + "/log", "rotated logs"),
                new Case(List.of("--exit-status", "0"), "GET", p + "/0", ""),
                new Case(List.of("--exit-status", "3"), "GET", p + "/3", ""),
                new Case(List.of("--message", "all good ✓"), "POST", p, "all good ✓"),
                new Case(
                        List.of("--fail", "--message", "disk full", "--rid", RID),
                        "POST",
                        p + "/fail?rid=" + RID,
                        "disk full"),
                new Case(List.of("--start", "--rid", RID), "GET", p + "/start?rid=" + RID, ""))) {
            int before = receiver.requests().size();
            var args = new java.util.ArrayList<>(c.flags());
            args.add(ping);

            var run = BeatCli.run(args.toArray(String[]::new));

            assertThat(run.exit()).as("%s: %s", c, run.err()).isZero();
            assertThat(run.err()).as("%s", c).isEmpty();
            assertThat(run.out()).as("%s", c).isEmpty();
            Request r = receiver.requests().get(before);
            assertThat(receiver.requests()).as("%s", c).hasSize(before + 1);
            assertThat(r.method()).as("%s", c).isEqualTo(c.method());
            assertThat(r.path()).as("%s", c).isEqualTo(c.path());
            assertThat(r.body()).as("%s", c).isEqualTo(c.body());
            if (c.method().equals("POST")) {
                assertThat(r.header("Content-Type")).as("%s", c).isEqualTo("text/plain; charset=utf-8");
            }
            assertThat(r.header("User-Agent")).as("%s", c).startsWith("vantage-beat/");
        }
    }

    @Test
    void aMessageFileSendsItsContent(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("report.txt"), "line 1\nline 2\n");

        var run = BeatCli.run("--message-file", file.toString(), ping);

        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(receiver.requests()).singleElement().satisfies(r -> {
            assertThat(r.method()).isEqualTo("POST");
            assertThat(r.body()).isEqualTo("line 1\nline 2\n");
        });
    }

    @Test
    void theUrlComesFromTheEnvironmentWhenNotGiven() {
        var run = BeatCli.run(Map.of("VANTAGE_BEAT_URL", ping), "--fail");

        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(receiver.requests())
                .singleElement()
                .extracting(Request::path)
                .isEqualTo("/ping/" + TOKEN + "/fail");
    }

    @Test
    void a503OrA429IsRetriedUntilDelivered() {
        receiver.thenAnswer(Answer.status(503), Answer.status(429), Answer.status(503));

        var run = BeatCli.run(ping);

        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(receiver.requests()).extracting(Request::answered).containsExactly(503, 429, 503, 200);
    }

    @Test
    void retryAfterIsWaitedFor() {
        receiver.thenAnswer(Answer.status(429).withHeader("Retry-After", "1"));

        var run = BeatCli.run(ping);

        assertThat(run.exit()).as(run.err()).isZero();
        List<Request> requests = receiver.requests();
        assertThat(requests).hasSize(2);
        assertThat(Duration.between(
                        requests.get(0).receivedAt(), requests.get(1).receivedAt()))
                .isGreaterThanOrEqualTo(Duration.ofMillis(950));
    }

    @Test
    void aRetryAfterPastTheDeadlineGivesUpAtOnce() {
        receiver.answer(Answer.status(429).withHeader("Retry-After", "30"));

        var run = BeatCli.run("--timeout", "5s", ping);

        assertThat(run.exit()).isEqualTo(BeatCommand.NOT_DELIVERED);
        assertThat(receiver.requests()).hasSize(1);
        assertThat(run.took()).isLessThan(Duration.ofSeconds(3));
        assertThat(run.errLines())
                .singleElement()
                .asString()
                .startsWith(
                        "vantage beat: not delivered: http://127.0.0.1:" + receiver.port()
                                + "/ping/<token> answered HTTP 429; asked to retry after 30s, past the deadline (1 attempt in ");
    }

    @Test
    void a503ForEverEndsWithinTheTimeoutAfterSeveralAttempts() {
        receiver.answer(503);

        var run = BeatCli.run("--timeout", "1500ms", ping);

        assertThat(run.exit()).isEqualTo(BeatCommand.NOT_DELIVERED);
        assertThat(run.took()).isLessThan(Duration.ofMillis(2500));
        assertThat(receiver.requests().size()).isBetween(3, 10);
        assertThat(run.errLines())
                .singleElement()
                .asString()
                .contains("answered HTTP 503 (" + receiver.requests().size() + " attempts in ")
                .doesNotContain(TOKEN);
    }

    @Test
    void a404IsNotRetriedAndSaysTheTokenIsUnknownWithoutShowingIt() {
        receiver.answer(404);

        var run = BeatCli.run(ping);

        assertThat(run.exit()).isEqualTo(BeatCommand.NOT_DELIVERED);
        assertThat(receiver.requests()).hasSize(1);
        assertThat(run.errLines())
                .containsExactly("vantage beat: not delivered: http://127.0.0.1:" + receiver.port()
                        + "/ping/<token> answered HTTP 404: no push monitor has this token (is the URL complete and"
                        + " current?)");
    }

    @Test
    void a400IsNotRetriedAndQuotesTheServersReasonWithTheTokenMasked() {
        receiver.answer(new Answer(400, Map.of(), "invalid rid for " + TOKEN + "\nmore text"));

        var run = BeatCli.run(ping);

        assertThat(run.exit()).isEqualTo(BeatCommand.NOT_DELIVERED);
        assertThat(receiver.requests()).hasSize(1);
        assertThat(run.errLines())
                .containsExactly("vantage beat: not delivered: http://127.0.0.1:" + receiver.port()
                        + "/ping/<token> answered HTTP 400: invalid rid for <token>");
    }

    @Test
    void aServerThatIsDownIsRetriedUntilTheTimeoutThenExits1() throws IOException {
        int port;
        try (var socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }

        var run = BeatCli.run("--timeout", "1s", "http://127.0.0.1:" + port + "/ping/" + TOKEN);

        assertThat(run.exit()).isEqualTo(BeatCommand.NOT_DELIVERED);
        assertThat(run.took()).isLessThan(Duration.ofSeconds(2));
        assertThat(run.errLines())
                .singleElement()
                .asString()
                .startsWith("vantage beat: not delivered: http://127.0.0.1:" + port
                        + "/ping/<token>: cannot connect (connection refused or host unreachable) (")
                .containsPattern("\\(([2-9]|1[0-9]) attempts in \\d+ms\\)$");
    }

    @Test
    void usageErrorsAreOneLineNamingTheFlagAndExit2() {
        record Case(List<String> args, String line) {}
        for (Case c : List.of(
                new Case(
                        List.of("--fail", "--start", ping),
                        "vantage beat: --fail, --start are mutually exclusive (specify only one) (see vantage beat"
                                + " --help)"),
                new Case(
                        List.of("--exit-status", "256", ping),
                        "vantage beat: --exit-status: must be 0 to 255, was 256"),
                new Case(
                        List.of("--rid", "run-1", ping),
                        "vantage beat: --rid: must be a UUID such as 3f2b8c1e-7d4a-4c55-9b1e-2f6a0c9d8e71, was"
                                + " 'run-1'"),
                new Case(
                        List.of("--timeout", "ten", ping),
                        "vantage beat: Invalid value for option '--timeout': 'ten' is not a duration: use e.g. 15s,"
                                + " 1m30s, 500ms, 1h or 15 (seconds) (see vantage beat --help)"),
                new Case(List.of("--every", "50ms", ping), "vantage beat: --every: must be at least 100ms"),
                new Case(
                        List.of("--every", "1s", "--fail", ping),
                        "vantage beat: --every sends success beats: --fail, --start, --log and --exit-status cannot go"
                                + " with it"),
                new Case(
                        List.of("--subject", "a.b", ping),
                        "vantage beat: --subject (or SUBJECT): a ping URL names its monitor by its token; a subject is"
                                + " for nats:// and redis:// URLs"),
                new Case(List.of("--url", ping, ping), "vantage beat: give the URL once: as an argument or with --url"),
                new Case(
                        List.of(),
                        "vantage beat: no URL: give it as an argument, with --url, or in VANTAGE_BEAT_URL (or"
                                + " NATS_URL)"),
                new Case(
                        List.of("--colour", ping),
                        "vantage beat: Unknown option: '--colour' (see vantage beat --help)"))) {
            var run = BeatCli.run(c.args().toArray(String[]::new));

            assertThat(run.exit()).as("%s", c).isEqualTo(BeatCommand.USAGE);
            assertThat(run.errLines()).as("%s", c).containsExactly(c.line());
        }
        assertThat(receiver.requests()).isEmpty();
    }

    @Test
    void underMainAParseErrorIsOneLineToo() {
        var err = new StringWriter();
        int exit = Main.commandLine().setErr(new PrintWriter(err, true)).execute("beat", "--start", "--log", ping);

        assertThat(exit).isEqualTo(Main.EXIT_USAGE);
        assertThat(err.toString().lines())
                .containsExactly(
                        "vantage beat: --start, --log are mutually exclusive (specify only one) (see vantage beat"
                                + " --help)");
    }

    @Test
    void helpShowsTwoExamplesAndTheExitStatuses() {
        var run = BeatCli.run("--help");

        assertThat(run.exit()).isZero();
        assertThat(run.out())
                .contains("vantage beat run https://vantage.example.com/ping/<token>")
                .contains("vantage beat --every 15s --subject heartbeat.service.api")
                .contains("1   the beat could not be delivered (after retries)");
    }

    // beat run

    @Test
    void runSendsStartThenTheExitStatusWithTheOutputAndTheSameRunId() {
        var run = BeatCli.run("run", ping, "--", "sh", "-c", "echo hi; echo oops >&2; exit 3");

        assertThat(run.exit()).as(run.err()).isEqualTo(3);
        assertThat(run.err()).isEmpty();
        assertThat(run.jobOut()).isEqualTo("hi\n");
        assertThat(run.jobErr()).isEqualTo("oops\n");
        List<Request> requests = receiver.requests();
        assertThat(requests).hasSize(2);
        Request start = requests.get(0);
        Request end = requests.get(1);
        assertThat(start.method()).isEqualTo("GET");
        assertThat(start.path()).matches(Pattern.quote("/ping/" + TOKEN + "/start?rid=") + UUID.pattern());
        String rid = start.path().substring(start.path().indexOf("?rid="));
        assertThat(end.method()).isEqualTo("POST");
        assertThat(end.path()).isEqualTo("/ping/" + TOKEN + "/3" + rid);
        assertThat(end.body()).contains("hi\n").contains("oops\n").hasSize("hi\noops\n".length());
    }

    @Test
    void runOfASuccessfulCommandSendsExitStatus0AndExits0() {
        var run = BeatCli.run("run", "--timeout", "5s", ping, "--", "true");

        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(receiver.requests())
                .extracting(r -> r.path().replaceFirst("\\?rid=.*", ""))
                .containsExactly("/ping/" + TOKEN + "/start", "/ping/" + TOKEN + "/0");
        assertThat(receiver.requests().get(1).method()).as("no output, no body").isEqualTo("GET");
    }

    @Test
    void runSendsOnlyTheLastLinesOfALongOutput() {
        var run = BeatCli.run("run", ping, "--", "seq", "1", "200");

        assertThat(run.exit()).isZero();
        String body = receiver.requests().get(1).body();
        assertThat(body).startsWith("[… 492 bytes cut]\n151\n").endsWith("\n200\n");
        assertThat(body.lines()).hasSize(51);
    }

    @Test
    void aCommandThatCannotStartSendsFailWithTheReasonAndExits127() {
        var run = BeatCli.run("run", ping, "--", "no-such-command-for-vantage-tests", "x");

        assertThat(run.exit()).isEqualTo(127);
        assertThat(run.errLines())
                .containsExactly(
                        "vantage beat run: cannot run no-such-command-for-vantage-tests: No such file or directory");
        List<Request> requests = receiver.requests();
        assertThat(requests).hasSize(2);
        String rid = requests.get(0).path().substring(requests.get(0).path().indexOf("?rid="));
        assertThat(requests.get(0).path()).startsWith("/ping/" + TOKEN + "/start?rid=");
        assertThat(requests.get(1).method()).isEqualTo("POST");
        assertThat(requests.get(1).path()).isEqualTo("/ping/" + TOKEN + "/fail" + rid);
        assertThat(requests.get(1).body())
                .isEqualTo("cannot run no-such-command-for-vantage-tests: No such file or directory");
    }

    @Test
    void aCommandThatIsNotExecutableExits126AsInAShell(@TempDir Path dir) throws IOException {
        Path script = Files.writeString(dir.resolve("job.sh"), "echo never\n");

        var run = BeatCli.run("run", ping, "--", script.toString());

        assertThat(run.exit()).isEqualTo(126);
        assertThat(run.errLines()).containsExactly("vantage beat run: cannot run " + script + ": Permission denied");
        assertThat(receiver.requests().get(1).path()).startsWith("/ping/" + TOKEN + "/fail?rid=");
    }

    @Test
    void runKeepsTheCommandsStatusWhenTheBeatCannotBeSent() {
        receiver.answer(404);

        var run = BeatCli.run("run", ping, "--", "sh", "-c", "exit 5");

        assertThat(run.exit()).isEqualTo(5);
        assertThat(run.errLines()).hasSize(2).allSatisfy(line -> assertThat(line)
                .startsWith("vantage beat run: warning: the ")
                .contains("beat was not delivered: http://127.0.0.1:" + receiver.port() + "/ping/<token>"
                        + " answered HTTP 404"));
    }

    @Test
    void runWithoutTheSeparatorOrWithBeatsOwnFlagsIsAUsageError() {
        assertThat(BeatCli.run("run", ping, "true").errLines())
                .containsExactly(
                        "vantage beat run: the command goes after --, as in: vantage beat run URL -- backup.sh --full");
        assertThat(BeatCli.run("--fail", "run", ping, "--", "true").errLines())
                .containsExactly(
                        "vantage beat run: --fail, --start, --log and --exit-status apply to vantage beat, not to beat"
                                + " run");
        assertThat(BeatCli.run("run", ping, ping, "--", "true").errLines())
                .containsExactly("vantage beat run: one URL before --, found 2 arguments");
        assertThat(receiver.requests()).isEmpty();
    }

    @Test
    void runTakesTheUrlFromTheEnvironmentAndOptionsBeforeIt() {
        var run = BeatCli.run(Map.of("VANTAGE_BEAT_URL", ping), "run", "--timeout", "5s", "--", "sh", "-c", "exit 0");

        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(receiver.requests()).hasSize(2);
    }
}
