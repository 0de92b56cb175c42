package dev.vantage.heartbeat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vantage.config.ConfigurationException;
import dev.vantage.loop.Backoff;
import dev.vantage.probe.ProbeResult;
import dev.vantage.testing.SettableClock;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The small pure parts of the writer: backoff, log throttle, failure classification, settings, memory buffer. */
class WriterPartsTest {

    @Test
    void backoffDoublesFromTheMinimumUpToTheCapWithHalfOfItRandom() {
        var backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5), new SplittableRandom(1));
        long[] steps = {100, 200, 400, 800, 1_600, 3_200, 5_000, 5_000};
        for (int failures = 1; failures <= steps.length; failures++) {
            long step = Duration.ofMillis(steps[failures - 1]).toNanos();
            for (int i = 0; i < 200; i++) {
                assertThat(backoff.delayNanos(failures))
                        .as("failure %d", failures)
                        .isBetween(step / 2, step);
            }
        }
        assertThat(backoff.delayNanos(1_000))
                .isBetween(
                        Duration.ofMillis(2_500).toNanos(),
                        Duration.ofSeconds(5).toNanos());
    }

    @Test
    void theThrottleLetsABurstThroughPerWindowAndReportsWhatItSuppressed() {
        var clock = new SettableClock(Instant.parse("2025-11-23T00:00:00Z"));
        var throttle = new LogThrottle(clock, Duration.ofSeconds(10), 2);

        assertThat(throttle.event()).isZero();
        assertThat(throttle.event()).isZero();
        assertThat(throttle.event()).isEqualTo(-1);
        assertThat(throttle.event()).isEqualTo(-1);
        assertThat(throttle.due()).isZero();

        clock.advance(Duration.ofSeconds(10));
        assertThat(throttle.event()).isEqualTo(2);

        assertThat(throttle.event()).isZero();
        assertThat(throttle.event()).isEqualTo(-1);
        clock.advance(Duration.ofSeconds(10));
        assertThat(throttle.due()).isEqualTo(1);
        assertThat(throttle.due()).isZero();
        assertThat(throttle.drain()).isZero();
    }

    @ParameterizedTest(name = "{0} is {1}")
    @CsvSource({
        "08006, UNAVAILABLE", // connection failure
        "08001, UNAVAILABLE",
        "57P01, UNAVAILABLE", // admin shutdown
        "53300, UNAVAILABLE", // too many connections
        "40P01, UNAVAILABLE", // deadlock: retry
        "42P01, UNAVAILABLE", // table missing: not migrated yet, retry
        "55000, UNAVAILABLE", // database does not allow connections
        "23514, MISSING_PARTITION",
        "22003, DATA", // numeric out of range
        "22008, DATA", // timestamp out of range
        "22P02, DATA", // invalid text representation
        "23502, DATA", // not null
        "23505, DATA", // unique (on the staging path it is a second unique constraint)
        "54000, DATA", // program limit, e.g. row too big
    })
    void sqlStatesAreClassified(String state, SqlFailure expected) {
        assertThat(SqlFailure.of(new SQLException("x", state))).isEqualTo(expected);
    }

    @Test
    void anErrorWithoutSqlStateIsTakenForAnOutage() {
        assertThat(SqlFailure.of(new SQLException("I/O"))).isEqualTo(SqlFailure.UNAVAILABLE);
    }

    @Test
    void settingsNameTheWrongField() {
        var s = HeartbeatWriterSettings.DEFAULTS;
        assertThatThrownBy(() -> s.withQueueCapacity(0))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("queueCapacity must be at least 1, was 0");
        assertThatThrownBy(() -> s.withBatchSize(-1)).hasMessage("batchSize must be at least 1, was -1");
        assertThatThrownBy(() -> s.withLinger(Duration.ofMillis(-1)))
                .hasMessage("linger must be a duration of 0 or more, was PT-0.001S");
        assertThatThrownBy(() -> s.withBackoff(Duration.ofSeconds(2), Duration.ofSeconds(1)))
                .hasMessage("backoffMax must not be shorter than backoffMin (PT2S), was PT1S");
        assertThatThrownBy(() -> s.withBackoff(Duration.ZERO, Duration.ofSeconds(1)))
                .hasMessage("backoffMin must be a positive duration, was PT0S");
        assertThatThrownBy(() -> s.withJournalMaxBytes(1_000))
                .hasMessage("journalMaxBytes must be at least 1048576 (1 MiB), was 1000");
        assertThatThrownBy(() -> s.withQueueMaxBytes(1_000))
                .hasMessage("queueMaxBytes must be at least 1048576 (1 MiB), was 1000");
    }

    @Test
    void aFullMemoryBufferRefusesTheNewestAndCountsWhatItLosesAtClose() throws Exception {
        var buffer = new MemoryHeartbeatBuffer(3);
        for (int i = 0; i < 3; i++) {
            assertThat(buffer.offer(row(i))).isTrue();
        }
        assertThat(buffer.offer(row(3))).isFalse();

        List<HeartbeatRow> batch = buffer.take(2, Duration.ZERO, Duration.ZERO);
        assertThat(batch).extracting(HeartbeatRow::monitorId).containsExactly(0L, 1L);
        assertThat(buffer.size()).isEqualTo(1);
        assertThat(buffer.offer(row(4))).isTrue();

        assertThat(buffer.close())
                .as("one queued, one taken, two in the unacknowledged batch")
                .isEqualTo(4);
        assertThat(buffer.close()).isZero();
    }

    @Test
    void aMemoryBufferIsBoundedInBytesAsWellAsInHeartbeats() throws Exception {
        long rowBytes = row(0).line().length;
        var buffer = new MemoryHeartbeatBuffer(1_000, 2 * rowBytes + rowBytes / 2);
        assertThat(buffer.offer(row(0))).isTrue();
        assertThat(buffer.offer(row(1))).isTrue();
        assertThat(buffer.offer(row(2))).as("a third row passes the bytes").isFalse();
        assertThat(buffer.bytes()).isEqualTo(2 * rowBytes);

        buffer.acknowledge(buffer.take(1, Duration.ZERO, Duration.ZERO));

        assertThat(buffer.bytes()).isEqualTo(rowBytes);
        assertThat(buffer.offer(row(3))).isTrue();
        assertThat(buffer.close()).isEqualTo(2);
        assertThat(buffer.bytes()).isZero();
    }

    @Test
    void anAcknowledgedBatchIsNotCountedAsLost() throws Exception {
        var buffer = new MemoryHeartbeatBuffer(10);
        buffer.offer(row(1));
        buffer.offer(row(2));
        List<HeartbeatRow> batch = buffer.take(10, Duration.ZERO, Duration.ZERO);
        buffer.acknowledge(batch);

        assertThat(batch).hasSize(2);
        assertThat(buffer.take(10, Duration.ZERO, Duration.ofMillis(1))).isEmpty();
        assertThat(buffer.close()).isZero();
    }

    private static HeartbeatRow row(long monitor) {
        Instant slot = Instant.parse("2025-11-23T09:40:00Z");
        var result = ProbeResult.at(slot).statusCode(200).responseSizeBytes(1L).success();
        return HeartbeatRow.of(new Heartbeat(monitor, 1, null, null, slot, result, null, null, List.of()));
    }
}
