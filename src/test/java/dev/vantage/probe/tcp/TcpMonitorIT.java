package dev.vantage.probe.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vantage.probe.ErrorType;
import dev.vantage.probe.InvalidMonitorException;
import dev.vantage.probe.LoopbackTargets;
import dev.vantage.probe.MonitorSpec;
import dev.vantage.probe.ProbeContext;
import dev.vantage.probe.ProbeResult;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TcpMonitorIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final TcpMonitor monitor = new TcpMonitor();
    /** What the banner server says first; then it echoes each line, and answers {@code quit} with bye and closes. */
    private static final String BANNER = "VANTAGE-TEST ready";

    private LoopbackTargets targets;
    private String bannerUrl;

    @BeforeAll
    void start() {
        targets = new LoopbackTargets();
        bannerUrl = "tcp://127.0.0.1:" + targets.tcp(TcpMonitorIT::banner);
    }

    @AfterAll
    void stop() {
        targets.close();
    }

    private ProbeResult probe(String url, String settings, Duration timeout) throws Exception {
        return probe(url, null, settings, timeout);
    }

    private ProbeResult probe(String url, String body, String settings, Duration timeout) throws Exception {
        var spec = new MonitorSpec(
                3,
                "tcp",
                "tcp",
                null,
                url,
                Map.of(),
                body,
                null,
                JSON.readTree(settings),
                Duration.ofSeconds(30),
                false);
        return monitor.probe(monitor.configure(spec), new ProbeContext(timeout, false));
    }

    @Test
    void theBodyColumnIsTheTextToSendLikeSettingsSend() throws Exception {
        ProbeResult r = probe(bannerUrl, "ping-9\n", "{\"expect\":\"ping-9\"}", Duration.ofSeconds(2));

        assertThat(r.success()).as("%s", r).isTrue();
        assertThat(r.timings().serverProcessing()).as("something was sent").isNotNull();
    }

    @Test
    void aBodyAndSettingsSendTogetherAreAnInvalidRow() {
        assertThatThrownBy(() -> probe(bannerUrl, "a", "{\"send\":\"b\"}", Duration.ofSeconds(2)))
                .isInstanceOf(InvalidMonitorException.class)
                .hasMessage("body: and settings.send both give the text to send; set one");
    }

    @Test
    void aPlainConnectMeasuresOnlyTheConnection() throws Exception {
        ProbeResult r = probe(bannerUrl, "{}", Duration.ofSeconds(2));

        assertThat(r.success()).isTrue();
        assertThat(r.timings().dns()).isNull();
        assertThat(r.timings().connect()).isPositive();
        assertThat(r.timings().timeToFirstByte()).isNull();
        assertThat(r.responseSizeBytes()).isNull();
        assertThat(r.remoteAddress()).isEqualTo(bannerUrl.substring("tcp://".length()));
    }

    @Test
    void anExpectedBannerIsFoundAndTimed() throws Exception {
        ProbeResult r = probe(bannerUrl, "{\"expect\":\"ready\"}", Duration.ofSeconds(2));

        assertThat(r.success()).isTrue();
        assertThat(r.timings().timeToFirstByte()).isGreaterThan(r.timings().connect());
        assertThat(r.timings().serverProcessing()).as("nothing was sent").isNull();
        assertThat(r.responseSizeBytes()).isEqualTo(BANNER.length() + 2L);
    }

    @Test
    void sentTextIsAnsweredAndTheReplyMatched() throws Exception {
        ProbeResult r = probe(
                bannerUrl.replace("127.0.0.1", "localhost"),
                "{\"send\":\"ping-42\\n\",\"expect\":\"ping-42\"}",
                Duration.ofSeconds(2));

        assertThat(r.success()).as("%s", r).isTrue();
        assertThat(r.timings().dns()).isNotNull();
        assertThat(r.timings().serverProcessing()).isNotNegative();
    }

    @Test
    void aPeerThatClosesWithoutTheExpectedTextIsAProtocolFailure() throws Exception {
        ProbeResult r = probe(bannerUrl, "{\"send\":\"quit\\n\",\"expect\":\"nope\"}", Duration.ofSeconds(2));

        assertThat(r.errorType()).isEqualTo(ErrorType.PROTOCOL);
        assertThat(r.errorMessage()).isEqualTo("expected \"nope\" but the connection closed after 25 bytes");
    }

    @Test
    void aPeerThatNeverSaysTheExpectedTextTimesOut() throws Exception {
        ProbeResult r = probe(bannerUrl, "{\"expect\":\"nope\"}", Duration.ofMillis(300));

        assertThat(r.errorType()).isEqualTo(ErrorType.TIMEOUT);
        assertThat(r.errorMessage()).isEqualTo("timed out after 300 ms waiting for \"nope\" (received 20 bytes)");
    }

    @Test
    void aStalledConnectTimesOutInTheConnectPhase() throws Exception {
        String url = "tcp://127.0.0.1:" + targets.stalledConnectPort();
        ProbeResult r = probe(url, "{}", Duration.ofMillis(300));

        assertThat(r.errorType()).isEqualTo(ErrorType.TIMEOUT);
        assertThat(r.errorMessage()).isEqualTo("timed out after 300 ms during TCP connect");
    }

    @ParameterizedTest(name = "{2}: {3}")
    @CsvSource(
            delimiter = '|',
            value = {
                "''                     | {}                 | url          | is empty",
                "http://h:1             | {}                 | url          | scheme must be tcp, was 'http'",
                "tcp://h                | {}                 | url          | needs a port between 1 and 65535: 'tcp://h'",
                "tcp://:80              | {}                 | url          | has no host: 'tcp://:80'",
                "tcp://u:s3cret@h?t=abc | {}                 | url          | needs a port between 1 and 65535: 'tcp://***@h?***'",
                "h:80                   | {}                 | url          | scheme must be tcp, was 'h'",
                "tcp://h:80             | {\"send\":1}       | settings.send | must be a string, was an integer",
                "tcp://h:80             | {\"sent\":\"x\"}   | settings.sent | unknown setting (known: expect, send)",
            })
    void configureNamesTheFieldAndReason(String url, String settings, String field, String reason) {
        var spec = new MonitorSpec(
                3, "tcp", "tcp", null, url, Map.of(), null, null, readTree(settings), Duration.ofSeconds(30), false);

        assertThatThrownBy(() -> monitor.configure(spec)).isInstanceOfSatisfying(InvalidMonitorException.class, e -> {
            assertThat(e.field()).isEqualTo(field);
            assertThat(e.reason()).isEqualTo(reason);
        });
    }

    private static com.fasterxml.jackson.databind.JsonNode readTree(String s) {
        try {
            return JSON.readTree(s);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static void banner(Socket socket) {
        try (socket) {
            OutputStream out = socket.getOutputStream();
            out.write((BANNER + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            var in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                boolean quit = line.trim().equals("quit");
                out.write(((quit ? "bye" : line) + "\r\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
                if (quit) {
                    return;
                }
            }
        } catch (IOException e) {
            // client went away
        }
    }
}
