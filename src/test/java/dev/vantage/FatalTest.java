package dev.vantage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The exit is replaced in every test: the real one would end the test JVM. */
class FatalTest {
    private record Death(String thread, Throwable cause) {}

    private final List<Death> deaths = new CopyOnWriteArrayList<>();

    @Test
    void whatEscapesAGuardedThreadReachesTheExitNamingTheThreadAndTheCause() throws Exception {
        try (var exit = Fatal.exitWith((thread, cause) -> deaths.add(new Death(thread, cause)))) {
            Thread t = Fatal.platformThread("test-loop", () -> {
                throw new StackOverflowError("a bug deep down");
            });
            assertThat(t.isDaemon()).isTrue();
            t.start();
            t.join(Duration.ofSeconds(5));
        }

        assertThat(deaths).singleElement().satisfies(d -> {
            assertThat(d.thread()).isEqualTo("test-loop");
            assertThat(d.cause()).isInstanceOf(StackOverflowError.class).hasMessage("a bug deep down");
        });
    }

    @Test
    void aPeriodicTaskThatThrowsStopsTheProcessInsteadOfCancellingItselfSilently() throws Exception {
        try (var exit = Fatal.exitWith((thread, cause) -> deaths.add(new Death(thread, cause)))) {
            // Stopped before the real exit is back: the replaced exit returns, so the task keeps running.
            var executor = Executors.newSingleThreadScheduledExecutor(Fatal.platformFactory("test-periodic"));
            try {
                executor.scheduleWithFixedDelay(
                        Fatal.guard(() -> {
                            throw new IllegalStateException("a bug");
                        }),
                        0,
                        10,
                        TimeUnit.MILLISECONDS);

                await().atMost(Duration.ofSeconds(5)).until(() -> !deaths.isEmpty());
            } finally {
                executor.shutdownNow();
                assertThat(executor.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
            }
        }

        assertThat(deaths.getFirst().thread()).isEqualTo("test-periodic");
        assertThat(deaths.getFirst().cause()).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aBodyThatEndsNormallyIsNoDeath() throws Exception {
        try (var exit = Fatal.exitWith((thread, cause) -> deaths.add(new Death(thread, cause)))) {
            Thread t = Fatal.platformThread("test-done", () -> {});
            t.start();
            t.join(Duration.ofSeconds(5));
        }
        assertThat(deaths).isEmpty();
    }
}
