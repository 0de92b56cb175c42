package dev.vantage.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.vantage.testing.HttpReceiver;
import dev.vantage.testing.HttpReceiver.Request;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code vantage beat --every}: a beat per period until interrupted, failures logged and never fatal. */
@Timeout(30)
class BeatEveryIT {
    private static final String TOKEN = "Xk3_9aQ-planted-every-token-0123456789abc";

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
    void aBeatGoesOutEveryPeriodUntilTheLoopIsInterrupted() throws Exception {
        var result = new AtomicReference<BeatCli.Result>();
        Thread loop = Thread.ofPlatform().start(() -> result.set(BeatCli.run("--every", "200ms", ping)));

        await().atMost(Duration.ofSeconds(5)).until(() -> receiver.requests().size() >= 5);
        loop.interrupt();
        loop.join(Duration.ofSeconds(2));

        assertThat(loop.isAlive()).as("stopped within 2 s of the interrupt").isFalse();
        assertThat(result.get().exit()).isZero();
        assertThat(result.get().errLines())
                .containsExactly(
                        "vantage beat: a beat every 200ms to http://127.0.0.1:" + receiver.port() + "/ping/<token>");
        List<Request> requests = receiver.requests();
        assertThat(requests).allSatisfy(r -> assertThat(r.path()).isEqualTo("/ping/" + TOKEN));
        // On a fixed grid: four beats span three periods (600 ms), give or take scheduling on a busy machine. The
        // first beat is left out: a JVM's first request loads classes and may run late; the rest keep to the grid.
        assertThat(Duration.between(
                        requests.get(1).receivedAt(), requests.get(4).receivedAt()))
                .isBetween(Duration.ofMillis(500), Duration.ofMillis(900));
    }

    @Test
    void aBeatNotDeliveredIsOneLineAndTheLoopGoesOn() throws Exception {
        receiver.answer(404);
        var result = new AtomicReference<BeatCli.Result>();
        Thread loop = Thread.ofPlatform().start(() -> result.set(BeatCli.run("--every", "200ms", ping)));

        await().atMost(Duration.ofSeconds(5)).until(() -> receiver.requests().size() >= 2);
        receiver.answer(200);
        // The second accepted beat comes after the first one's line was printed: ticks run one after the other.
        await().atMost(Duration.ofSeconds(5)).until(() -> receiver.accepted().size() >= 2);
        loop.interrupt();
        loop.join(Duration.ofSeconds(2));

        assertThat(loop.isAlive()).isFalse();
        assertThat(result.get().exit()).isZero();
        List<String> lines = result.get().errLines();
        int missed = (int)
                receiver.requests().stream().filter(r -> r.answered() == 404).count();
        assertThat(lines).hasSize(1 + missed + 1);
        assertThat(lines.subList(1, 1 + missed)).allSatisfy(line -> assertThat(line)
                .matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ vantage beat: not delivered: .*")
                .contains("/ping/<token> answered HTTP 404")
                .doesNotContain(TOKEN));
        assertThat(lines.getLast())
                .endsWith("vantage beat: delivered again after " + missed + " beat(s) not delivered");
    }
}
