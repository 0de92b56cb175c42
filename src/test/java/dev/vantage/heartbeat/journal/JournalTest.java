package dev.vantage.heartbeat.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.vantage.config.ConfigurationException;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JournalTest {
    /** Records of 40 to 60 bytes framed: a segment of 256 bytes holds about five. */
    private static final JournalSettings SMALL = new JournalSettings(4_096, 256, Duration.ofMillis(50));

    @TempDir
    Path dir;

    private final Map<Journal.Loss, Long> losses = new EnumMap<>(Journal.Loss.class);

    private Journal open() {
        return open(SMALL);
    }

    private Journal open(JournalSettings settings) {
        return Journal.open(dir, settings, (loss, records) -> losses.merge(loss, records, Long::sum));
    }

    @Test
    void recordsComeBackInOrderAcrossSegmentRollsAndAcknowledgedSegmentsAreDeleted() throws Exception {
        try (var journal = open()) {
            for (int i = 0; i < 50; i++) {
                assertThat(journal.append(payload(i))).isEqualTo(i);
            }
            assertThat(segments()).hasSizeGreaterThan(5);
            assertThat(journal.pendingRecords()).isEqualTo(50);

            var read = new ArrayList<String>();
            List<byte[]> batch;
            while (!(batch = journal.read(7)).isEmpty()) {
                assertThat(batch).hasSizeLessThanOrEqualTo(7);
                batch.forEach(p -> read.add(text(p)));
                journal.acknowledge();
            }

            assertThat(read).containsExactlyElementsOf(texts(0, 50));
            assertThat(journal.pendingRecords()).isZero();
            assertThat(journal.sizeBytes()).isZero();
            assertThat(segments())
                    .as("every segment read to its end is deleted")
                    .isEmpty();

            journal.append(payload(50));
            assertThat(journal.read(10)).extracting(JournalTest::text).containsExactly("record 50");
        }
        assertThat(losses).isEmpty();
    }

    @Test
    void onlyFullyAcknowledgedSegmentsAreDeleted() throws Exception {
        try (var journal = open()) {
            for (int i = 0; i < 20; i++) {
                journal.append(payload(i));
            }
            List<Path> before = segments();
            journal.read(3);
            journal.acknowledge();
            assertThat(segments())
                    .as("the first segment still has unread records")
                    .isEqualTo(before);

            journal.read(5);
            assertThat(segments()).as("read is not acknowledged").isEqualTo(before);
            journal.acknowledge();
            assertThat(segments()).isEqualTo(before.subList(1, before.size()));
            assertThat(journal.pendingRecords()).isEqualTo(12);
        }
    }

    @Test
    void whatIsNotAcknowledgedIsReadAgainAfterAReopenStartingAtTheOldestSegment() throws Exception {
        try (var journal = open()) {
            for (int i = 0; i < 20; i++) {
                journal.append(payload(i));
            }
            journal.read(8); // the first segment (0-4) and three of the second
            journal.acknowledge();
            journal.read(4); // not acknowledged
        }
        try (var journal = open()) {
            assertThat(journal.pendingRecords())
                    .as("the acknowledged records 5-7 share a segment with unacknowledged ones")
                    .isEqualTo(15);
            assertThat(journal.read(100)).extracting(JournalTest::text).containsExactlyElementsOf(texts(5, 20));
            journal.acknowledge();
            journal.append(payload(20));
            assertThat(journal.read(100)).extracting(JournalTest::text).containsExactly("record 20");
        }
        assertThat(losses).isEmpty();
    }

    @Test
    void aRecordAppendedAsTakenIsNotReadAgainButIsReplayedAfterARestartUntilAcknowledged() throws Exception {
        try (var journal = open()) {
            journal.append(payload(0));
            assertThat(journal.read(10)).hasSize(1);
            journal.acknowledge();

            journal.appendTaken(payload(1));
            journal.appendTaken(payload(2));
            journal.append(payload(3));
            journal.appendTaken(payload(4)); // record 3 is unread: an ordinary append
            assertThat(journal.pendingRecords()).isEqualTo(4);
            assertThat(journal.read(10)).extracting(JournalTest::text).containsExactly("record 3", "record 4");
        }
        try (var journal = open()) {
            assertThat(journal.read(10))
                    .extracting(JournalTest::text)
                    .containsExactly("record 1", "record 2", "record 3", "record 4");
            journal.acknowledge();

            journal.appendTaken(payload(5));
            journal.acknowledge();
            assertThat(journal.pendingRecords()).isZero();
            assertThat(segments()).isEmpty();
        }
    }

    @Test
    void recordsAppendedAsTakenAreNotCountedLostWhenTheBoundDeletesThem() throws Exception {
        var settings = new JournalSettings(1_024, 256, Duration.ofMillis(50));
        try (var journal = open(settings)) {
            for (int i = 0; i < 5; i++) {
                journal.appendTaken(payload(i));
            }
            for (int i = 5; i < 100; i++) {
                journal.append(payload(i));
            }
            assertThat(journal.acknowledgedPosition())
                    .as("the taken records were deleted")
                    .isGreaterThan(4);
            assertThat(losses.get(Journal.Loss.FULL))
                    .isEqualTo(journal.acknowledgedPosition() - 5)
                    .isPositive();
        }
    }

    @Test
    void aRecordCutShortByACrashIsDroppedAndCountedAndTheFileTruncated() throws Exception {
        try (var journal = open()) {
            for (int i = 0; i < 3; i++) {
                journal.append(payload(i));
            }
        }
        Path segment = segments().getFirst();
        truncate(segment, Files.size(segment) - 5);

        try (var journal = open()) {
            assertThat(journal.read(10)).extracting(JournalTest::text).containsExactly("record 0", "record 1");
            journal.acknowledge();
        }
        assertThat(losses).containsExactly(Map.entry(Journal.Loss.CORRUPT, 1L));
        assertThat(segments()).isEmpty();

        losses.clear();
        try (var journal = open()) {
            journal.append(payload(9));
        }
        truncate(segments().getFirst(), 6); // not even a whole header
        try (var journal = open()) {
            assertThat(journal.read(10)).isEmpty();
            assertThat(segments())
                    .as("a segment left with no record is deleted")
                    .isEmpty();
        }
        assertThat(losses).containsExactly(Map.entry(Journal.Loss.CORRUPT, 1L));
    }

    @Test
    void aFlippedByteCostsItsRecordAloneAndTheRestOfItsSegmentIsRead() throws Exception {
        try (var journal = open()) {
            for (int i = 0; i < 12; i++) {
                journal.append(payload(i));
            }
        }
        List<Path> files = segments();
        assertThat(files).hasSizeGreaterThanOrEqualTo(3);
        Path first = files.getFirst();
        long sizeBefore = Files.size(first);
        flipByte(first, frameBytes(0) + frameBytes(1) + 8 + 3);

        try (var journal = open()) {
            assertThat(Files.size(first)).as("only the bad record is cut out").isEqualTo(sizeBefore - frameBytes(2));
            var read = journal.read(100).stream().map(JournalTest::text).toList();
            assertThat(read).containsExactlyElementsOf(concat(texts(0, 2), texts(3, 12)));
            assertThat(losses).containsExactly(Map.entry(Journal.Loss.CORRUPT, 1L));
        }
    }

    @Test
    void aFlippedLengthFieldCostsItsRecordAloneTheScanResynchronisesOnTheNextValidRecord() throws Exception {
        try (var journal = open()) {
            for (int i = 0; i < 4; i++) {
                journal.append(payload(i));
            }
        }
        flipByte(segments().getFirst(), frameBytes(0)); // record 1's length becomes about 1 GiB

        try (var journal = open()) {
            assertThat(journal.read(100))
                    .extracting(JournalTest::text)
                    .containsExactly("record 0", "record 2", "record 3");
            assertThat(losses).containsExactly(Map.entry(Journal.Loss.CORRUPT, 1L));
        }
    }

    @Test
    void aSegmentFileLargerThanTheJournalMayBeIsNotReadIntoMemoryAndItsGoodRecordsAreKept() throws Exception {
        try (var journal = open()) {
            for (int i = 0; i < 3; i++) {
                journal.append(payload(i));
            }
        }
        Path segment = segments().getFirst();
        long good = Files.size(segment);
        truncate(segment, 3L << 30); // 3 GiB, sparse: zeros past the records, as a crash on some filesystems leaves

        try (var journal = open()) {
            assertThat(journal.read(100))
                    .extracting(JournalTest::text)
                    .containsExactly("record 0", "record 1", "record 2");
            assertThat(Files.size(segment)).isEqualTo(good);
            assertThat(losses).containsExactly(Map.entry(Journal.Loss.CORRUPT, 1L));
        }
    }

    @Test
    @org.junit.jupiter.api.Timeout(10) // the unbounded search took 17 s here, and grows with the square of the junk
    void aSegmentEndingInMegabytesOfRandomJunkIsRecoveredWithABoundedSearch() throws Exception {
        var settings = new JournalSettings(64L << 20, 8L << 20, Duration.ofMillis(50));
        try (var journal = open(settings)) {
            for (int i = 0; i < 3; i++) {
                journal.append(payload(i));
            }
        }
        Path segment = segments().getFirst();
        long good = Files.size(segment);
        byte[] junk = new byte[32 << 20];
        new java.util.Random(12).nextBytes(junk);
        Files.write(segment, junk, java.nio.file.StandardOpenOption.APPEND);

        try (var journal = open(settings)) {
            assertThat(journal.read(100))
                    .extracting(JournalTest::text)
                    .containsExactly("record 0", "record 1", "record 2");
            assertThat(Files.size(segment)).isEqualTo(good);
            assertThat(losses).containsExactly(Map.entry(Journal.Loss.CORRUPT, 1L));
        }
    }

    @Test
    void aRecordDamagedAfterItWasWrittenIsSkippedWhenReadAndCountedAndTheNextRecordsAreRead() throws Exception {
        try (var journal = open()) {
            for (int i = 0; i < 12; i++) {
                journal.append(payload(i));
            }
            flipByte(segments().getFirst(), frameBytes(0) + 8 + 2);

            var read = new ArrayList<String>();
            List<byte[]> batch;
            while (!(batch = journal.read(3)).isEmpty()) {
                batch.forEach(p -> read.add(text(p)));
            }
            assertThat(read).containsExactlyElementsOf(concat(texts(0, 1), texts(2, 12)));
            assertThat(losses).containsExactly(Map.entry(Journal.Loss.CORRUPT, 1L));
        }
    }

    @Test
    void pastTheBoundTheOldestSegmentsAreDeletedCountedAndTheReaderMovesPastThem() throws Exception {
        var settings = new JournalSettings(1_024, 256, Duration.ofMillis(50));
        try (var journal = open(settings)) {
            journal.append(payload(0));
            assertThat(journal.read(1)).extracting(JournalTest::text).containsExactly("record 0");
            journal.acknowledge();
            journal.append(payload(1));
            assertThat(journal.read(1)).extracting(JournalTest::text).containsExactly("record 1");
            // Not acknowledged: in the caller's hands, not lost when its segment goes.

            for (int i = 2; i < 200; i++) {
                journal.append(payload(i));
                assertThat(journal.sizeBytes()).isLessThanOrEqualTo(1_024);
            }
            assertThat(totalSize()).isLessThanOrEqualTo(1_024);

            List<String> kept = new ArrayList<>();
            List<byte[]> batch;
            while (!(batch = journal.read(50)).isEmpty()) {
                batch.forEach(p -> kept.add(text(p)));
            }
            journal.acknowledge();
            assertThat(kept).isNotEmpty().last().isEqualTo("record 199");
            int firstKept = Integer.parseInt(kept.getFirst().substring("record ".length()));
            assertThat(kept).containsExactlyElementsOf(texts(firstKept, 200));
            assertThat(losses).containsExactly(Map.entry(Journal.Loss.FULL, firstKept - 2L));
        }
    }

    @Test
    void aRecordLargerThanTheBoundIsRefused() throws Exception {
        try (var journal = open()) {
            assertThatThrownBy(() -> journal.append(new byte[4_000]))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("too large");
            journal.append(new byte[1_000]);
            assertThat(journal.read(5)).singleElement().satisfies(p -> assertThat(p)
                    .hasSize(1_000));
        }
    }

    @Test
    void recordsLongerThanOneReadAreReadWhole() throws Exception {
        try (var journal = open(new JournalSettings(64 << 10, 16 << 10, Duration.ofMillis(50)))) {
            for (int i = 0; i < 3; i++) {
                byte[] big = new byte[5_000 + i];
                big[0] = (byte) i;
                journal.append(big);
            }
            for (int i = 0; i < 3; i++) {
                byte[] read = journal.read(1).getFirst();
                assertThat(read).hasSize(5_000 + i);
                assertThat(read[0]).isEqualTo((byte) i);
            }
            assertThat(journal.read(1)).isEmpty();
        }
    }

    @Test
    void aSecondOpenOfTheSameDirectoryIsRefusedNamingIt() throws Exception {
        try (var journal = open()) {
            assertThatThrownBy(this::open)
                    .isInstanceOf(ConfigurationException.class)
                    .hasMessageContaining(dir.toString())
                    .hasMessageContaining("in use");
            journal.append(payload(1));
        }
        try (var journal = open()) {
            assertThat(journal.pendingRecords()).isEqualTo(1);
        }
    }

    @Test
    void theDirectoryChooserSkipsDirectoriesInUse(@TempDir Path base) throws Exception {
        assertThat(Journal.chooseDirectory(base, "VA")).isEqualTo(base.resolve("VA"));
        try (var first = Journal.open(base.resolve("VA"), SMALL, (l, r) -> {})) {
            assertThat(Journal.chooseDirectory(base, "VA")).isEqualTo(base.resolve("VA.1"));
            try (var second = Journal.open(base.resolve("VA.1"), SMALL, (l, r) -> {})) {
                assertThat(Journal.chooseDirectory(base, "VA")).isEqualTo(base.resolve("VA.2"));
                first.append(payload(1));
                second.append(payload(2));
            }
            assertThat(Journal.chooseDirectory(base, "VA"))
                    .as("a directory whose process is gone is taken over")
                    .isEqualTo(base.resolve("VA.1"));
        }
        assertThat(Journal.chooseDirectory(base, "VA")).isEqualTo(base.resolve("VA"));
        assertThat(Journal.chooseDirectory(base, "EU")).isEqualTo(base.resolve("EU"));
        for (String bad : new String[] {"", "..", ".hidden", "a/b", "a b"}) {
            assertThatThrownBy(() -> Journal.chooseDirectory(base, bad))
                    .isInstanceOf(ConfigurationException.class)
                    .hasMessageContaining("journal name");
        }
    }

    @Test
    void theSyncThreadForcesWhatWasWrittenWithinItsInterval() throws Exception {
        // The longest interval allowed, so that the pass cannot come between the append and the first check.
        try (var journal = open(new JournalSettings(4_096, 256, Duration.ofSeconds(1)))) {
            journal.append(payload(1));
            assertThat(journal.hasUnsynced()).isTrue();
            await().atMost(Duration.ofMillis(1_500)).until(() -> !journal.hasUnsynced());
        }
    }

    @Test
    void settingsNameTheWrongField() {
        assertThatThrownBy(() -> new JournalSettings(1_000, 600, Duration.ofMillis(500)))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageStartingWith("maxBytes must be at least twice segmentBytes (600)");
        assertThatThrownBy(() -> new JournalSettings(1_000, 4, Duration.ofMillis(500)))
                .hasMessage("segmentBytes must be at least 8, was 4");
        assertThatThrownBy(() -> new JournalSettings(1_000, 100, Duration.ofSeconds(2)))
                .hasMessage("syncInterval must be a positive duration of at most 1 second, was PT2S");
        assertThat(JournalSettings.bounded(256L << 20).segmentBytes()).isEqualTo(8L << 20);
        assertThat(JournalSettings.bounded(1L << 20).segmentBytes()).isEqualTo(64L << 10);
    }

    private static byte[] payload(int i) {
        // Lengths vary so that records straddle chunk and segment boundaries differently.
        return ("record " + i + " " + "x".repeat(30 + i % 20)).getBytes(StandardCharsets.UTF_8);
    }

    private static long frameBytes(int i) {
        return Records.HEADER_BYTES + payload(i).length;
    }

    private static String text(byte[] payload) {
        String s = new String(payload, StandardCharsets.UTF_8);
        return s.substring(0, s.indexOf(' ', "record ".length()));
    }

    private static List<String> texts(int from, int to) {
        var out = new ArrayList<String>();
        for (int i = from; i < to; i++) {
            out.add("record " + i);
        }
        return out;
    }

    private static List<String> concat(List<String> a, List<String> b) {
        return Stream.concat(a.stream(), b.stream()).toList();
    }

    private List<Path> segments() throws IOException {
        try (var files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().startsWith("segment-"))
                    .sorted()
                    .toList();
        }
    }

    private long totalSize() throws IOException {
        long total = 0;
        for (Path p : segments()) {
            total += Files.size(p);
        }
        return total;
    }

    private static void truncate(Path file, long size) throws IOException {
        try (var f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(size);
        }
    }

    private static void flipByte(Path file, long offset) throws IOException {
        try (var f = new RandomAccessFile(file.toFile(), "rw")) {
            f.seek(offset);
            int b = f.read();
            f.seek(offset);
            f.write(b ^ 0x40);
        }
    }
}
