package dev.vantage.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.vantage.testing.HttpReceiver;
import dev.vantage.testing.HttpReceiver.Request;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The packaged jar, stopped with SIGTERM as systemd, Docker or timeout(1) stop it. */
@Timeout(60)
class BeatSignalIT {
    private static final Path JAR = Path.of("target", "vantage.jar");
    private static final String TOKEN = "Xk3_9aQ-planted-signal-token-0123456789ab";

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

    private static Process vantage(Path dir, String... args) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        var command = new ArrayList<>(List.of(java, "-jar", JAR.toAbsolutePath().toString()));
        command.addAll(List.of(args));
        var pb = new ProcessBuilder(command);
        pb.environment().clear();
        pb.environment().put("PATH", System.getenv("PATH"));
        pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.redirectOutput(dir.resolve("out.txt").toFile());
        pb.redirectError(dir.resolve("err.txt").toFile());
        return pb.start();
    }

    @Test
    void sigtermIsPassedToTheCommandAndTheJarExitsWithItsStatusAfterTheBeat(@TempDir Path dir) throws Exception {
        Process p = vantage(
                dir,
                "beat",
                "run",
                ping,
                "--",
                "sh",
                "-c",
                "trap 'echo got TERM; exit 7' TERM; echo ready; while :; do sleep 0.1; done");
        try {
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> Files.readString(dir.resolve("out.txt")).contains("ready"));

            p.destroy(); // SIGTERM

            assertThat(p.waitFor(10, TimeUnit.SECONDS)).as("exits within 10 s").isTrue();
            assertThat(p.exitValue()).isEqualTo(7);
            List<Request> requests = receiver.requests();
            assertThat(requests).hasSize(2);
            assertThat(requests.get(1).path()).startsWith("/ping/" + TOKEN + "/7?rid=");
            assertThat(requests.get(1).body()).isEqualTo("ready\ngot TERM\n");
            assertThat(Files.readString(dir.resolve("out.txt"), StandardCharsets.UTF_8))
                    .isEqualTo("ready\ngot TERM\n");
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void sigtermEndsTheEveryLoopPromptly(@TempDir Path dir) throws Exception {
        Process p = vantage(dir, "beat", "--every", "200ms", ping);
        try {
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> receiver.requests().size() >= 2);

            p.destroy(); // SIGTERM
            long start = System.nanoTime();

            assertThat(p.waitFor(5, TimeUnit.SECONDS)).as("exits within 5 s").isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
            assertThat(p.exitValue()).as("the JVM's status for SIGTERM").isEqualTo(143);
            assertThat(Files.readAllLines(dir.resolve("err.txt")).stream()
                            .filter(l -> !l.startsWith("WARNING:"))
                            .toList())
                    .containsExactly("vantage beat: a beat every 200ms to http://127.0.0.1:" + receiver.port()
                            + "/ping/<token>");
        } finally {
            p.destroyForcibly();
        }
    }
}
