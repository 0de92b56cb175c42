package dev.vantage.heartbeat;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vantage.heartbeat.journal.Journal;
import dev.vantage.heartbeat.journal.JournalSettings;
import dev.vantage.probe.ProbeResult;
import dev.vantage.testing.SettableClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JournalingHeartbeatBufferTest {
    private static final JournalSettings SETTINGS = new JournalSettings(1L << 20, 4_096, Duration.ofMillis(100));
    private static final Instant SLOT = Instant.parse("2025-11-23T09:40:00.123456789Z");

    @TempDir
    Path dir;

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final SettableClock clock = new SettableClock(java.time.Instant.parse("2025-11-23T00:00:00Z"));
    private final List<JournalingHeartbeatBuffer> opened = new ArrayList<>();

    @AfterEach
    void closeBuffers() {
        opened.forEach(JournalingHeartbeatBuffer::close);
    }

    private JournalingHeartbeatBuffer open(int capacity) {
        return open(capacity, SETTINGS);
    }

    private JournalingHeartbeatBuffer open(int capacity, JournalSettings settings) {
        return open(capacity, Long.MAX_VALUE, settings);
    }

    private JournalingHeartbeatBuffer open(int capacity, long memoryMaxBytes, JournalSettings settings) {
        var buffer = JournalingHeartbeatBuffer.open(dir, settings, capacity, memoryMaxBytes, registry, clock);
        opened.add(buffer);
        return buffer;
    }

    @Test
    void whileTheDatabaseKeepsUpRowsStayInMemoryAndNothingTouchesTheDisk() throws Exception {
        var buffer = open(10);
        offer(buffer, 0, 5);
        assertThat(buffer.size()).isEqualTo(5);

        var batch = take(buffer, 10);
        assertThat(monitors(batch)).containsExactly(0L, 1L, 2L, 3L, 4L);
        buffer.acknowledge(batch);

        assertThat(segments()).isEmpty();
        assertThat(gauge(HeartbeatMeters.JOURNAL_RECORDS)).isZero();
        assertThat(buffer.close()).isZero();
    }

    @Test
    void aFullMemoryQueueSpillsToTheJournalOldestFirstAndMemoryIsUsedAgainOnceItIsReplayed() throws Exception {
        var buffer = open(3);
        offer(buffer, 0, 10);
        assertThat(segments()).isNotEmpty();
        assertThat(gauge(HeartbeatMeters.JOURNAL_RECORDS)).isEqualTo(10);
        assertThat(gauge(HeartbeatMeters.JOURNAL_BYTES)).isPositive();
        assertThat(buffer.size()).isEqualTo(10);

        var taken = new ArrayList<Long>();
        List<HeartbeatRow> batch;
        while (!(batch = take(buffer, 4)).isEmpty()) {
            assertThat(batch).hasSizeLessThanOrEqualTo(4);
            taken.addAll(monitors(batch));
            buffer.acknowledge(batch);
        }

        assertThat(taken).containsExactlyElementsOf(range(0, 10));
        assertThat(segments()).as("a replayed journal is deleted").isEmpty();
        offer(buffer, 10, 11);
        assertThat(segments()).as("back in memory").isEmpty();
        assertThat(monitors(take(buffer, 10))).containsExactly(10L);
    }

    @Test
    void pastItsBoundInBytesTheMemoryQueueSpillsToTheJournalAsPastItsBoundInHeartbeats() throws Exception {
        long rowBytes = row(0).line().length;
        var buffer = open(1_000, 3 * rowBytes, SETTINGS);
        offer(buffer, 0, 3);
        assertThat(segments()).as("three rows fit in the bytes").isEmpty();

        offer(buffer, 3, 10);

        assertThat(segments()).isNotEmpty();
        assertThat(gauge(HeartbeatMeters.JOURNAL_RECORDS)).isEqualTo(10);
        var taken = new ArrayList<Long>();
        List<HeartbeatRow> batch;
        while (!(batch = take(buffer, 4)).isEmpty()) {
            taken.addAll(monitors(batch));
            buffer.acknowledge(batch);
        }
        assertThat(taken).containsExactlyElementsOf(range(0, 10));
    }

    @Test
    void whenTheDatabaseIsAwayTheBatchInFlightThenMemoryAreJournaledAndTheBatchIsNotReplayedOnceWritten()
            throws Exception {
        var buffer = open(100);
        offer(buffer, 0, 5);
        var inFlight = take(buffer, 5);
        offer(buffer, 5, 10);

        buffer.databaseUnavailable();
        assertThat(gauge(HeartbeatMeters.JOURNAL_RECORDS)).isEqualTo(10);
        offer(buffer, 10, 15);
        assertThat(gauge(HeartbeatMeters.JOURNAL_RECORDS)).isEqualTo(15);
        buffer.databaseUnavailable(); // again, at the next failed attempt: nothing new to journal
        assertThat(gauge(HeartbeatMeters.JOURNAL_RECORDS)).isEqualTo(15);

        buffer.acknowledge(inFlight); // the database came back and took it
        assertThat(gauge(HeartbeatMeters.JOURNAL_RECORDS)).isEqualTo(10);
        var replayed = take(buffer, 100);
        assertThat(monitors(replayed)).containsExactlyElementsOf(range(5, 15));
        buffer.acknowledge(replayed);

        assertThat(take(buffer, 100)).isEmpty();
        offer(buffer, 15, 16);
        assertThat(segments()).isEmpty();
        assertThat(dropped()).isZero();
    }

    @Test
    void closeJournalsMemoryAndTheUnacknowledgedBatchAndTheNextBufferOnTheDirectoryReplaysThemFirst() throws Exception {
        var buffer = open(100);
        offer(buffer, 0, 10);
        var inFlight = take(buffer, 3);
        assertThat(monitors(inFlight)).containsExactly(0L, 1L, 2L);
        assertThat(segments()).isEmpty();

        assertThat(buffer.close()).as("nothing lost").isZero();
        assertThat(buffer.offer(row(99))).isFalse();
        assertThat(segments()).isNotEmpty();

        var next = open(100);
        assertThat(gauge(HeartbeatMeters.JOURNAL_RECORDS)).isEqualTo(10);
        offer(next, 10, 12); // the replay comes first: newer rows queue behind it
        var taken = new ArrayList<Long>();
        List<HeartbeatRow> batch;
        while (!(batch = take(next, 4)).isEmpty()) {
            taken.addAll(monitors(batch));
            next.acknowledge(batch);
        }
        assertThat(taken).containsExactlyElementsOf(range(0, 12));
        assertThat(segments()).isEmpty();
        assertThat(dropped()).isZero();
    }

    @Test
    void aBatchTakenFromTheJournalAndNotAcknowledgedAtCloseIsReplayedOnce() throws Exception {
        var buffer = open(2);
        offer(buffer, 0, 6);
        assertThat(monitors(take(buffer, 3))).containsExactly(0L, 1L, 2L);
        assertThat(buffer.close()).isZero();

        var next = open(2);
        var batch = take(next, 100);
        assertThat(monitors(batch)).containsExactlyElementsOf(range(0, 6));
    }

    @Test
    void pastItsBoundTheJournalDropsTheOldestAndCountsThem() throws Exception {
        int rowBytes = JournalRecordCodec.encode(row(0)).length + 8;
        var small = new JournalSettings(10L * rowBytes, 2L * rowBytes, Duration.ofMillis(100));
        var buffer = open(1, small);
        offer(buffer, 0, 100);

        var kept = new ArrayList<Long>();
        List<HeartbeatRow> batch;
        while (!(batch = take(buffer, 7)).isEmpty()) {
            kept.addAll(monitors(batch));
            buffer.acknowledge(batch);
        }
        assertThat(kept).hasSizeBetween(8, 10).last().isEqualTo(99L);
        assertThat(kept).containsExactlyElementsOf(range(kept.getFirst(), 100));
        assertThat(dropped("journal_full")).isEqualTo(100 - kept.size());
    }

    @Test
    void aBatchInFlightThatTheBoundDeletedIsNotCountedLostAndIsJournaledAgainAtClose() throws Exception {
        int rowBytes = JournalRecordCodec.encode(row(0)).length + 8;
        var small = new JournalSettings(10L * rowBytes, 2L * rowBytes, Duration.ofMillis(100));
        var buffer = open(1, small);
        offer(buffer, 0, 1);
        assertThat(monitors(take(buffer, 1))).containsExactly(0L); // the writer retries it
        buffer.databaseUnavailable();
        offer(buffer, 1, 100); // row 0's segment is deleted to make room
        assertThat(buffer.close()).isZero();

        var next = open(1, small);
        var replayed = monitors(take(next, 100));
        assertThat(replayed).last().isEqualTo(0L);
        assertThat(replayed.subList(0, replayed.size() - 1))
                .containsExactlyElementsOf(range(100 - (replayed.size() - 1), 100));
        assertThat(dropped("journal_full")).isEqualTo(99 - (replayed.size() - 1));
    }

    @Test
    void aJournalThatCannotBeWrittenKeepsRowsInMemoryAndIsTriedAgainLater() throws Exception {
        var buffer = open(5);
        // The first segment's name is taken by a directory: creating it fails, as on a full or broken disk.
        Files.createDirectory(dir.resolve("segment-0000000000000001.journal"));
        buffer.databaseUnavailable();

        for (int i = 0; i < 5; i++) {
            assertThat(buffer.offer(row(i))).as("row %d kept in memory", i).isTrue();
        }
        assertThat(buffer.offer(row(5))).as("memory full and journal failing").isFalse();
        assertThat(gauge(HeartbeatMeters.JOURNAL_RECORDS)).isZero();

        clock.advance(Duration.ofSeconds(1));
        assertThat(buffer.offer(row(6))).isTrue();
        assertThat(gauge(HeartbeatMeters.JOURNAL_RECORDS))
                .as("memory moved to the journal")
                .isEqualTo(6);

        var batch = take(buffer, 100);
        assertThat(monitors(batch)).containsExactly(0L, 1L, 2L, 3L, 4L, 6L);
        buffer.acknowledge(batch);
        assertThat(dropped()).isZero();
    }

    @Test
    void manyProducersAcrossModeSwitchesLoseNothingDuplicateNothingAndKeepEachProducersOrder() throws Exception {
        // Room for everything: the producers outrun the consumer, and this is not about the bound.
        var buffer = open(50, new JournalSettings(64L << 20, 1L << 20, Duration.ofMillis(100)));
        int producers = 8;
        int perProducer = 2_000;
        var threads = new ArrayList<Thread>();
        for (int p = 0; p < producers; p++) {
            long base = p * 1_000_000L;
            threads.add(Thread.ofVirtual().start(() -> offer(buffer, base, base + perProducer)));
        }
        var taken = new ArrayList<Long>();
        int batches = 0;
        boolean journalUsed = false;
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (taken.size() < producers * perProducer && System.nanoTime() < deadline) {
            var batch = buffer.take(100, Duration.ofMillis(1), Duration.ofMillis(10));
            if (batch.isEmpty()) {
                continue;
            }
            if (++batches % 5 == 0) {
                buffer.databaseUnavailable(); // as the writer does when an attempt fails, before it retries
            }
            journalUsed |= gauge(HeartbeatMeters.JOURNAL_RECORDS) > 0;
            taken.addAll(monitors(batch));
            buffer.acknowledge(batch);
        }
        for (Thread t : threads) {
            t.join(Duration.ofSeconds(10));
        }
        assertThat(journalUsed).as("the journal took over at times").isTrue();
        assertThat(taken).hasSize(producers * perProducer).doesNotHaveDuplicates();
        for (int p = 0; p < producers; p++) {
            long base = p * 1_000_000L;
            var own = taken.stream()
                    .filter(m -> m >= base && m < base + perProducer)
                    .toList();
            assertThat(own).as("producer %d", p).containsExactlyElementsOf(range(base, base + perProducer));
        }
        assertThat(dropped()).isZero();
    }

    @Test
    void aRecordThatCannotBeDecodedIsDroppedAndCountedAndTheOthersAreTaken() throws Exception {
        try (var journal = Journal.open(dir, SETTINGS, (loss, records) -> {})) {
            journal.append(JournalRecordCodec.encode(row(1)));
            byte[] otherColumns = JournalRecordCodec.encode(row(2));
            otherColumns[1] ^= 1; // the column layout fingerprint
            journal.append(otherColumns);
            journal.append(JournalRecordCodec.encode(row(3)));
        }
        var buffer = open(10);

        assertThat(monitors(take(buffer, 10))).containsExactly(1L, 3L);
        assertThat(dropped("journal_corrupt")).isEqualTo(1);
    }

    @Test
    void aRowSurvivesTheJournalExactly() {
        var withEpoch = row(7);
        var decoded = JournalRecordCodec.decode(JournalRecordCodec.encode(withEpoch));
        assertThat(decoded.monitorId()).isEqualTo(7);
        assertThat(decoded.datacenterId()).isEqualTo(3);
        assertThat(decoded.scheduledAt()).isEqualTo(SLOT);
        assertThat(decoded.leaseEpoch()).isEqualTo(42L);
        assertThat(decoded.line()).isEqualTo(withEpoch.line());

        var noEpoch = new HeartbeatRow(8, 1, SLOT, null, new byte[] {1, 2, 3});
        assertThat(JournalRecordCodec.decode(JournalRecordCodec.encode(noEpoch)).leaseEpoch())
                .isNull();
    }

    @Test
    void aJournalLeftByAVantageBeforePushMonitorsIsReplayedWithNullPushColumns() throws Exception {
        var today = row(5);
        try (var journal = Journal.open(dir, SETTINGS, (loss, records) -> {})) {
            journal.append(formatOne(today));
        }
        var buffer = open(10);

        var replayed = take(buffer, 10);

        assertThat(replayed).singleElement().satisfies(r -> {
            assertThat(r.monitorId()).isEqualTo(5);
            assertThat(r.scheduledAt()).isEqualTo(SLOT);
            assertThat(r.leaseEpoch()).isEqualTo(42L);
            assertThat(r.line()).isEqualTo(today.line());
        });
        assertThat(dropped()).isZero();
    }

    /** The record a Vantage before push monitors wrote for {@code row}: format 1, the first 29 columns. */
    static byte[] formatOne(HeartbeatRow row) {
        var fields = ByteBuffer.wrap(row.line());
        int count = fields.getShort();
        var line = ByteBuffer.allocate(row.line().length);
        line.putShort((short) 29);
        for (int i = 0; i < count; i++) {
            int length = fields.getInt();
            byte[] value = new byte[Math.max(length, 0)];
            fields.get(value);
            if (i < 29) {
                line.putInt(length).put(value);
            }
        }
        byte[] v1 = Arrays.copyOf(line.array(), line.position());
        return ByteBuffer.allocate(1 + 4 + 8 + 4 + 8 + 4 + 1 + 8 + 4 + v1.length)
                .put((byte) 1)
                .putInt(JournalRecordCodec.LAYOUT_V1)
                .putLong(row.monitorId())
                .putInt(row.datacenterId())
                .putLong(row.scheduledAt().getEpochSecond())
                .putInt(row.scheduledAt().getNano())
                .put((byte) 1)
                .putLong(row.leaseEpoch())
                .putInt(v1.length)
                .put(v1)
                .array();
    }

    @Test
    void receiptsAreToldJournaledOnceTheirRowIsAppendedAndLostWhenMemoryIsGivenUp() throws Exception {
        var buffer = open(10);
        var outcomes = new java.util.concurrent.ConcurrentHashMap<Long, Receipt.Outcome>();
        for (long m = 0; m < 4; m++) {
            long monitor = m;
            assertThat(buffer.offer(withReceipt(row(m), o -> outcomes.putIfAbsent(monitor, o))))
                    .isTrue();
        }
        var inFlight = take(buffer, 2);
        assertThat(outcomes).as("in memory: nothing is safe yet").isEmpty();

        buffer.databaseUnavailable();

        assertThat(outcomes)
                .as("the batch the writer holds and the queue")
                .containsOnlyKeys(0L, 1L, 2L, 3L)
                .containsValue(Receipt.Outcome.JOURNALED)
                .doesNotContainValue(Receipt.Outcome.LOST);
        assertThat(buffer.offer(withReceipt(row(4), o -> outcomes.putIfAbsent(4L, o))))
                .isTrue();
        assertThat(outcomes).containsEntry(4L, Receipt.Outcome.JOURNALED);
        buffer.acknowledge(inFlight);

        var memory = new MemoryHeartbeatBuffer(10);
        memory.offer(withReceipt(row(7), o -> outcomes.put(7L, o)));
        memory.offer(withReceipt(row(8), o -> outcomes.put(8L, o)));
        memory.take(1, Duration.ZERO, Duration.ZERO);
        assertThat(memory.close()).isEqualTo(2);
        assertThat(outcomes).containsEntry(7L, Receipt.Outcome.LOST).containsEntry(8L, Receipt.Outcome.LOST);
    }

    @Test
    void aJournalPastNineTenthsOfItsBoundIsNearlyFull() {
        var buffer = open(1, new JournalSettings(64 * 1_024, 16 * 1_024, Duration.ofMillis(100)));
        int rowBytes = JournalRecordCodec.encode(row(0)).length + 8;
        int nearlyFull = (int) Math.ceil(64 * 1_024 * 0.9 / rowBytes);
        buffer.databaseUnavailable();
        for (int i = 0; i < nearlyFull - 1; i++) {
            assertThat(buffer.offer(row(i))).isTrue();
        }
        assertThat(buffer.nearlyFull()).isFalse();

        buffer.offer(row(nearlyFull));
        buffer.offer(row(nearlyFull + 1));

        assertThat(buffer.nearlyFull()).isTrue();
    }

    private static HeartbeatRow withReceipt(HeartbeatRow row, Receipt receipt) {
        return new HeartbeatRow(
                row.monitorId(), row.datacenterId(), row.scheduledAt(), row.leaseEpoch(), row.line(), receipt);
    }

    private static void offer(JournalingHeartbeatBuffer buffer, long from, long to) {
        for (long i = from; i < to; i++) {
            assertThat(buffer.offer(row(i))).as("offer %d", i).isTrue();
        }
    }

    private static List<HeartbeatRow> take(JournalingHeartbeatBuffer buffer, int max) throws InterruptedException {
        return buffer.take(max, Duration.ZERO, Duration.ZERO);
    }

    private static List<Long> monitors(List<HeartbeatRow> rows) {
        return rows.stream().map(HeartbeatRow::monitorId).toList();
    }

    private static List<Long> range(long from, long to) {
        return LongStream.range(from, to).boxed().toList();
    }

    private double gauge(String name) {
        return registry.get(name).gauge().value();
    }

    private double dropped(String reason) {
        return registry.get(HeartbeatMeters.DROPPED)
                .tag("reason", reason)
                .counter()
                .count();
    }

    private double dropped() {
        return registry.get(HeartbeatMeters.DROPPED).counters().stream()
                .mapToDouble(c -> c.count())
                .sum();
    }

    private List<Path> segments() throws IOException {
        try (var files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().startsWith("segment-"))
                    .toList();
        }
    }

    static HeartbeatRow row(long monitor) {
        var result = ProbeResult.at(SLOT)
                .statusCode(200)
                .responseSizeBytes(1L)
                .remoteAddress("127.0.0.1:80")
                .success();
        return HeartbeatRow.of(new Heartbeat(monitor, 3, 1, 42L, SLOT, result, null, null, List.of()));
    }
}
