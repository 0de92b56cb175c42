package dev.vantage.heartbeat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.vantage.db.Database;
import dev.vantage.db.Migrations;
import dev.vantage.testing.PostgresExtension;
import dev.vantage.testing.PostgresExtension.Empty;
import dev.vantage.testing.TestDatabase;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.ds.PGSimpleDataSource;

/** The writer with a disk journal against a real PostgreSQL that goes away, and across restarts and a kill. */
@ExtendWith(PostgresExtension.class)
class JournalIT {
    private static final HeartbeatWriterSettings FAST = HeartbeatWriterSettings.DEFAULTS
            .withLinger(Duration.ofMillis(5))
            .withBackoff(Duration.ofMillis(20), Duration.ofMillis(500))
            .withBatchSize(50);

    @TempDir
    Path journal;

    @Test
    void heartbeatsOfAnOutageAreJournaledAndWrittenExactlyOnceWhenTheDatabaseIsBack(@Empty TestDatabase db)
            throws Exception {
        Migrations.migrate(db.dataSource());
        var registry = new SimpleMeterRegistry();
        Instant slot = Instant.now().truncatedTo(ChronoUnit.MINUTES);
        try (var pool = Database.pool(db.connection(), "writer", 2);
                var writer = HeartbeatWriter.start(pool, FAST.withJournalDir(journal), registry)) {
            offer(writer, slot, 0, 100);
            awaitRows(db, 100);
            assertThat(segments())
                    .as("a healthy database never touches the disk")
                    .isEmpty();

            db.setAllowConnections(false);
            try {
                offer(writer, slot, 100, 600);
                await().atMost(Duration.ofSeconds(30))
                        .until(() -> gauge(registry, HeartbeatMeters.JOURNAL_RECORDS) == 500);
                offer(writer, slot, 600, 700);
                assertThat(gauge(registry, HeartbeatMeters.JOURNAL_RECORDS)).isEqualTo(600);
                assertThat(segments()).isNotEmpty();
                assertThat(gauge(registry, HeartbeatMeters.JOURNAL_BYTES)).isEqualTo(segmentBytes());
            } finally {
                db.setAllowConnections(true);
            }

            awaitRows(db, 700);
            await().atMost(Duration.ofSeconds(10)).until(() -> gauge(registry, HeartbeatMeters.JOURNAL_RECORDS) == 0);
            assertThat(writer.stop(Duration.ofSeconds(10))).isTrue();
        }

        assertThat(db.count("SELECT count(DISTINCT (monitor_id, datacenter_id, scheduled_at)) FROM api_heartbeats"))
                .isEqualTo(700);
        assertThat(registry.counter(HeartbeatMeters.WRITTEN).count()).isEqualTo(700);
        assertThat(registry.counter(HeartbeatMeters.DUPLICATES).count())
                .as("the batch in flight when the database left is not replayed once written")
                .isZero();
        assertThat(dropped(registry)).isZero();
        assertThat(segments()).isEmpty();
    }

    @Test
    void aWriterStoppedWhileTheDatabaseIsAwayLeavesEveryHeartbeatToTheNextWriterOnTheDirectory(TestDatabase db)
            throws Exception {
        int monitor = 10_000;
        Instant slot = Instant.now().truncatedTo(ChronoUnit.MINUTES);
        var before = new SimpleMeterRegistry();
        var first = HeartbeatWriter.start(unreachable(), FAST.withJournalDir(journal), before);
        offer(first, slot, monitor, monitor + 300);
        assertThat(first.stop(Duration.ofMillis(500)))
                .as("nothing lost: journaled")
                .isTrue();
        assertThat(dropped(before)).isZero();
        assertThat(segments()).isNotEmpty();

        var after = new SimpleMeterRegistry();
        try (var second = HeartbeatWriter.start(db.dataSource(), FAST.withJournalDir(journal), after)) {
            awaitRows(db, monitor, monitor + 299, 300);
            await().atMost(Duration.ofSeconds(10)).until(() -> gauge(after, HeartbeatMeters.JOURNAL_RECORDS) == 0);
            assertThat(second.stop(Duration.ofSeconds(10))).isTrue();
        }
        assertThat(after.counter(HeartbeatMeters.WRITTEN).count()).isEqualTo(300);
        assertThat(dropped(after)).isZero();
        assertThat(segments()).isEmpty();
    }

    @Test
    void aJournalLeftByAVantageBeforePushMonitorsIsWrittenByTheNextWriter(TestDatabase db) throws Exception {
        int monitor = 30_000;
        Instant slot = Instant.now().truncatedTo(ChronoUnit.MINUTES);
        try (var old = dev.vantage.heartbeat.journal.Journal.open(
                journal, dev.vantage.heartbeat.journal.JournalSettings.bounded(1L << 20), (loss, records) -> {})) {
            for (int i = monitor; i < monitor + 10; i++) {
                old.append(JournalingHeartbeatBufferTest.formatOne(HeartbeatRow.of(WriterIT.heartbeat(i, slot, true))));
            }
        }
        var registry = new SimpleMeterRegistry();

        try (var writer = HeartbeatWriter.start(db.dataSource(), FAST.withJournalDir(journal), registry)) {
            awaitRows(db, monitor, monitor + 9, 10);
            await().atMost(Duration.ofSeconds(10)).until(() -> gauge(registry, HeartbeatMeters.JOURNAL_RECORDS) == 0);
        }

        assertThat(dropped(registry)).isZero();
        assertThat(db.count(
                        "SELECT count(*) FROM api_heartbeats WHERE monitor_id BETWEEN ? AND ?"
                                + " AND beat_kind IS NULL AND message IS NULL AND details IS NULL AND success",
                        monitor,
                        monitor + 9))
                .isEqualTo(10);
    }

    @Test
    void anAgentKilledWhileItsJournalHoldsHeartbeatsHasThemWrittenByTheNextOne(TestDatabase db, @TempDir Path out)
            throws Exception {
        int monitor = 20_000;
        Path stdout = out.resolve("child.out");
        String java = ProcessHandle.current().info().command().orElse("java");
        Process child = new ProcessBuilder(
                        java,
                        "-cp",
                        System.getProperty("java.class.path"),
                        JournalKillChild.class.getName(),
                        journal.toString(),
                        Integer.toString(monitor),
                        "400")
                .redirectOutput(stdout.toFile())
                .redirectError(out.resolve("child.err").toFile())
                .start();
        try {
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> Files.exists(stdout)
                            && Files.readString(stdout, StandardCharsets.UTF_8).contains(JournalKillChild.READY));
        } finally {
            child.destroyForcibly(); // SIGKILL: no shutdown hook, no close
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(segments()).isNotEmpty();

        var registry = new SimpleMeterRegistry();
        try (var writer = HeartbeatWriter.start(db.dataSource(), FAST.withJournalDir(journal), registry)) {
            awaitRows(db, monitor, monitor + 399, 400);
            assertThat(writer.stop(Duration.ofSeconds(10))).isTrue();
        }
        assertThat(dropped(registry)).isZero();
        assertThat(segments()).isEmpty();
    }

    /** A database on a loopback port nobody listens on: every connection is refused at once. */
    static DataSource unreachable() throws IOException {
        int port;
        try (var socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        var ds = new PGSimpleDataSource();
        ds.setServerNames(new String[] {"127.0.0.1"});
        ds.setPortNumbers(new int[] {port});
        ds.setDatabaseName("vantage");
        ds.setConnectTimeout(2);
        return ds;
    }

    static void offer(HeartbeatWriter writer, Instant slot, int from, int to) {
        for (int i = from; i < to; i++) {
            assertThat(writer.offer(WriterIT.heartbeat(i, slot, true))).isTrue();
        }
    }

    private List<Path> segments() throws IOException {
        try (var files = Files.list(journal)) {
            return files.filter(p -> p.getFileName().toString().startsWith("segment-"))
                    .toList();
        }
    }

    private long segmentBytes() throws IOException {
        long total = 0;
        for (Path p : segments()) {
            total += Files.size(p);
        }
        return total;
    }

    private static double gauge(SimpleMeterRegistry registry, String name) {
        return registry.get(name).gauge().value();
    }

    private static double dropped(SimpleMeterRegistry registry) {
        return registry.get(HeartbeatMeters.DROPPED).counters().stream()
                .mapToDouble(c -> c.count())
                .sum();
    }

    private static void awaitRows(TestDatabase db, long rows) {
        await().atMost(Duration.ofSeconds(30))
                .ignoreExceptions()
                .until(() -> db.count("SELECT count(*) FROM api_heartbeats") == rows);
    }

    private static void awaitRows(TestDatabase db, long from, long to, long rows) {
        await().atMost(Duration.ofSeconds(30))
                .ignoreExceptions()
                .until(() -> db.count("SELECT count(*) FROM api_heartbeats WHERE monitor_id BETWEEN ? AND ?", from, to)
                        == rows);
    }
}
