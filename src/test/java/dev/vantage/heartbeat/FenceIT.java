package dev.vantage.heartbeat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.vantage.testing.PostgresExtension;
import dev.vantage.testing.PostgresExtension.Fresh;
import dev.vantage.testing.TestDatabase;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The writer's fence: a heartbeat of an older lease epoch fills a slot before the next epoch's acquisition, and never
 * one from it on, whichever way the batch is written.
 */
@ExtendWith(PostgresExtension.class)
class FenceIT {
    private static final HeartbeatWriterSettings FAST = HeartbeatWriterSettings.DEFAULTS.withLinger(Duration.ZERO);

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    /** Epoch 1 from {@code t0}, epoch 2 from {@code t1}, epoch 3 (current) from {@code t2}, recorded as the lease does. */
    private static void leases(TestDatabase db, Instant t0, Instant t1, Instant t2) {
        db.execute("INSERT INTO regions (name, region_code, group_name) VALUES ('US East', 'us-east-1', 'US')");
        db.execute("INSERT INTO datacenters (id, code, name, region_id) VALUES (1, 'VA', 'Virginia', 1)");
        db.execute(
                "INSERT INTO datacenter_lease_history (datacenter_id, epoch, acquired_at) VALUES"
                        + " (1, 1, ?), (1, 2, ?), (1, 3, ?)",
                t0,
                t1,
                t2);
        db.execute("INSERT INTO datacenter_leases (datacenter_id, epoch, acquired_at) VALUES (1, 3, ?)", t2);
    }

    private static Heartbeat heartbeat(long monitor, Instant slot, long epoch) {
        var h = WriterIT.heartbeat(monitor, slot, true);
        return new Heartbeat(
                h.monitorId(),
                1,
                h.agentId(),
                epoch,
                slot,
                h.result(),
                h.warningThresholdMs(),
                h.criticalThresholdMs(),
                h.requestHeaderNames());
    }

    @Test
    void rowsOfEarlierEpochsFillOnlySlotsBeforeTheNextAcquisition(@Fresh TestDatabase db) {
        Instant t0 = Instant.now().truncatedTo(ChronoUnit.SECONDS).minusSeconds(60);
        Instant t1 = t0.plusSeconds(20);
        Instant t2 = t0.plusSeconds(40);
        leases(db, t0, t1, t2);
        var rows = List.of(
                heartbeat(1, t1.minusSeconds(1), 1), // epoch 1, before epoch 2: a gap it may fill
                heartbeat(1, t1, 1), // epoch 1 at epoch 2's acquisition: fenced
                heartbeat(1, t2.plusSeconds(5), 1), // epoch 1 after two takeovers: fenced
                heartbeat(1, t2.minusSeconds(1), 2), // epoch 2, before epoch 3: written
                heartbeat(1, t2.plusSeconds(1), 2), // epoch 2 after epoch 3 began: fenced
                heartbeat(1, t2.plusSeconds(2), 3)); // current epoch: written

        try (var writer = HeartbeatWriter.start(db.dataSource(), FAST, registry)) {
            rows.forEach(writer::offer);
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> registry.get(HeartbeatMeters.FENCED).counter().count() == 3);
        }

        var written = db.jdbi().withHandle(h -> h.createQuery(
                        "SELECT scheduled_at, lease_epoch FROM api_heartbeats ORDER BY scheduled_at")
                .map((rs, ctx) -> Map.entry(
                        rs.getObject(1, java.time.OffsetDateTime.class).toInstant(), rs.getLong(2)))
                .list());
        assertThat(written)
                .containsExactly(
                        Map.entry(t1.minusSeconds(1), 1L),
                        Map.entry(t2.minusSeconds(1), 2L),
                        Map.entry(t2.plusSeconds(2), 3L));
        assertThat(registry.get(HeartbeatMeters.DROPPED).counters())
                .allSatisfy(c -> assertThat(c.count()).isZero());
    }

    @Test
    void aRefusedRowIsLoggedAtWarnNamingItsMonitorSlotAndEpochs(@Fresh TestDatabase db) {
        Instant t0 = Instant.now().truncatedTo(ChronoUnit.SECONDS).minusSeconds(60);
        Instant t1 = t0.plusSeconds(20);
        leases(db, t0, t1, t0.plusSeconds(40));
        var logger = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(HeartbeatWriter.class);
        var lines = new ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent>();
        lines.start();
        logger.addAppender(lines);
        try (var writer = HeartbeatWriter.start(db.dataSource(), FAST, registry)) {
            writer.offer(heartbeat(7, t1.plusSeconds(3), 1)); // epoch 1 after epoch 2 began at t1: fenced
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> registry.get(HeartbeatMeters.FENCED).counter().count() == 1);
        } finally {
            logger.detachAppender(lines);
        }

        assertThat(lines.list)
                .filteredOn(e -> e.getFormattedMessage().contains("refused by the lease fence"))
                .singleElement()
                .satisfies(e -> {
                    assertThat(e.getLevel()).isEqualTo(ch.qos.logback.classic.Level.WARN);
                    assertThat(e.getFormattedMessage())
                            .isEqualTo("1 heartbeats refused by the lease fence, e.g. monitor 7 slot "
                                    + t1.plusSeconds(3) + " of datacenter 1: probed under lease epoch 1, but epoch 2"
                                    + " held the datacenter at that slot (0 more batches with refusals since the last"
                                    + " report)");
                });
    }

    @Test
    void rowsOfTheCurrentEpochGoStraightIntoTheTable(@Fresh TestDatabase db) {
        Instant t0 = Instant.now().truncatedTo(ChronoUnit.SECONDS).minusSeconds(60);
        leases(db, t0, t0.plusSeconds(1), t0.plusSeconds(2));
        try (var writer = HeartbeatWriter.start(db.dataSource(), FAST, registry)) {
            for (int i = 0; i < 50; i++) {
                writer.offer(heartbeat(i, t0.plusSeconds(10 + i), 3));
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> db.count("SELECT count(*) FROM api_heartbeats") == 50);
        }
        assertThat(registry.get(HeartbeatMeters.RETRIES)
                        .tag("reason", "stale_epoch")
                        .counter()
                        .count())
                .isZero();
        assertThat(registry.get(HeartbeatMeters.FENCED).counter().count()).isZero();
    }
}
