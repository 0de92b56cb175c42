package dev.vantage.loop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.vantage.Fatal;
import dev.vantage.Meters;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

class BackgroundLoopTest {
    private static final Logger log = LoggerFactory.getLogger(BackgroundLoopTest.class);
    private static final Duration LONG = Duration.ofHours(1);
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

    @Test
    void theFirstRoundRunsAtOnceAndAWakeUpEndsThePauseEarly() {
        var rounds = new AtomicInteger();
        try (var loop = BackgroundLoop.named("test-loop", "Test loop", log, meters)
                .every(LONG)
                .start(() -> {
                    rounds.incrementAndGet();
                    return null;
                })) {
            await().atMost(Duration.ofSeconds(5)).until(() -> rounds.get() == 1);
            loop.wake();
            await().atMost(Duration.ofSeconds(5)).until(() -> rounds.get() == 2);
            loop.wake();
            await().atMost(Duration.ofSeconds(5)).until(() -> rounds.get() == 3);
        }
    }

    @Test
    void aStepThatAsksForZeroRunsAgainAtOnceUntilItIsDone() {
        var rounds = new AtomicInteger();
        try (var loop = BackgroundLoop.named("test-backlog", "Test loop", log, meters)
                .every(LONG)
                .start(() -> rounds.incrementAndGet() < 5 ? Duration.ZERO : null)) {
            await().atMost(Duration.ofSeconds(5)).until(() -> rounds.get() == 5);
            assertThat(loop.running()).isTrue();
        }
        assertThat(rounds.get()).isEqualTo(5); // then it waits its hour
    }

    @Test
    void failuresAreCountedUnderTheTagAndRetriedAfterTheBackoffWhichAWakeUpDoesNotCut() {
        var rounds = new AtomicInteger();
        var failUntil = new AtomicInteger(3);
        try (var loop = BackgroundLoop.named("test-failing", "Test loop", log, meters)
                .tag("failing")
                .every(LONG)
                .backoff(Duration.ofMillis(50), Duration.ofMillis(100))
                .start(() -> {
                    if (rounds.incrementAndGet() <= failUntil.get()) {
                        throw new SQLException("database restarting", "08006");
                    }
                    return null;
                })) {
            await().atMost(Duration.ofSeconds(5)).until(() -> rounds.get() == 4);
            assertThat(meters.get(Meters.LOOP_ERRORS)
                            .tag("loop", "failing")
                            .counter()
                            .count())
                    .isEqualTo(3);
        }

        var slow = new AtomicInteger();
        try (var loop = BackgroundLoop.named("test-backoff", "Test loop", log, meters)
                .every(LONG)
                .backoff(LONG, LONG)
                .start(() -> {
                    slow.incrementAndGet();
                    throw new IllegalStateException("always");
                })) {
            await().atMost(Duration.ofSeconds(5)).until(() -> slow.get() == 1);
            loop.wake();
            assertThat(loop.stop(Duration.ofSeconds(5))).isTrue();
            assertThat(slow.get()).as("a wake-up does not cut a backoff short").isEqualTo(1);
        }
    }

    @Test
    void stopLetsTheCurrentRoundFinishWithinTheGraceThenInterruptsIt() throws InterruptedException {
        var inRound = new CountDownLatch(1);
        var interrupted = new CompletableFuture<Boolean>();
        var loop = BackgroundLoop.named("test-stop", "Test loop", log, meters)
                .every(LONG)
                .start(() -> {
                    inRound.countDown();
                    try {
                        Thread.sleep(LONG);
                        interrupted.complete(false);
                    } catch (InterruptedException e) {
                        interrupted.complete(true);
                        throw e;
                    }
                    return null;
                });
        assertThat(inRound.await(5, TimeUnit.SECONDS)).isTrue();

        assertThat(loop.stop(Duration.ofMillis(100))).isTrue();
        assertThat(interrupted).isCompletedWithValue(true);
        assertThat(loop.running()).isFalse();
        assertThat(meters.get(Meters.LOOP_ERRORS)
                        .tag("loop", "test-stop")
                        .counter()
                        .count())
                .as("an interruption by stop is no failure")
                .isZero();
    }

    @Test
    void theThreadCarriesTheStartersContextOrTheOneGiven() {
        var seen = new AtomicReference<Map<String, String>>();
        MDC.put("dc", "VA");
        try (var loop = BackgroundLoop.named("test-mdc", "Test loop", log, meters)
                .every(LONG)
                .start(() -> {
                    seen.set(MDC.getCopyOfContextMap());
                    return null;
                })) {
            await().atMost(Duration.ofSeconds(5)).until(() -> seen.get() != null);
            assertThat(seen.get()).containsEntry("dc", "VA");
        } finally {
            MDC.clear();
        }

        seen.set(null);
        try (var loop = BackgroundLoop.named("test-mdc-given", "Test loop", log, meters)
                .context(Map.of("replica", "b"))
                .every(LONG)
                .start(() -> {
                    seen.set(MDC.getCopyOfContextMap());
                    return null;
                })) {
            await().atMost(Duration.ofSeconds(5)).until(() -> seen.get() != null);
            assertThat(seen.get()).isEqualTo(Map.of("replica", "b"));
        }
    }

    @Test
    void anErrorIsNotCaughtItStopsTheProcessThroughFatal() throws Exception {
        var death = new CompletableFuture<String>();
        try (var exit = Fatal.exitWith((thread, cause) -> death.complete(thread + ": " + cause.getMessage()))) {
            var loop = BackgroundLoop.named("test-error", "Test loop", log, meters)
                    .every(LONG)
                    .start(() -> {
                        throw new OutOfMemoryError("simulated");
                    });
            assertThat(death.get(5, TimeUnit.SECONDS)).isEqualTo("test-error: simulated");
            loop.stop(Duration.ofSeconds(1));
        }
    }
}
