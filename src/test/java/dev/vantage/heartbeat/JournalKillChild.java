package dev.vantage.heartbeat;

import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.CountDownLatch;

/**
 * The agent side of {@link JournalIT}'s kill test, run in a JVM of its own: a writer whose database is unreachable
 * journals heartbeats, says so on stdout, and waits to be killed.
 *
 * <p>Arguments: journal directory, first monitor id, count.
 */
final class JournalKillChild {
    static final String READY = "journaled";

    private JournalKillChild() {}

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        int first = Integer.parseInt(args[1]);
        int count = Integer.parseInt(args[2]);
        var registry = new SimpleMeterRegistry();
        var writer = HeartbeatWriter.start(
                JournalIT.unreachable(), HeartbeatWriterSettings.DEFAULTS.withJournalDir(dir), registry);
        Instant slot = Instant.now().truncatedTo(ChronoUnit.MINUTES);
        for (int i = first; i < first + count; i++) {
            writer.offer(WriterIT.heartbeat(i, slot, true));
        }
        await().atMost(Duration.ofSeconds(30))
                .until(() ->
                        registry.get(HeartbeatMeters.JOURNAL_RECORDS).gauge().value() == count);
        System.out.println(READY);
        System.out.flush();
        new CountDownLatch(1).await(); // until killed
    }
}
