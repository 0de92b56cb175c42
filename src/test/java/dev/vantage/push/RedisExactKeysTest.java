package dev.vantage.push;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * The exact keys Redis entries are written under ({@link BeatKeys#exactly}): an entry id names one beat, so its key
 * holds even when it comes after later ones, and receive-time keys of the monitor stay after it.
 */
class RedisExactKeysTest {
    private static final Instant T = Instant.parse("2025-11-23T02:00:00.123456Z");

    @Test
    void anEntryDeliveredAgainAfterLaterOnesKeepsItsKey() {
        var keys = new BeatKeys();
        Instant first = T.minusSeconds(40);

        assertThat(keys.exactly(1, first)).isEqualTo(first);
        assertThat(keys.exactly(1, T)).isEqualTo(T);
        assertThat(keys.exactly(1, first))
                .as("claimed from a dead consumer, 40 s late")
                .isEqualTo(first);
        assertThat(keys.exactly(2, first)).as("another monitor").isEqualTo(first);
    }

    @Test
    void receiveTimeKeysOfTheMonitorComeAfterTheLatestExactOne() {
        var keys = new BeatKeys();

        keys.exactly(1, T.plusSeconds(5));

        assertThat(keys.next(1, T)).isEqualTo(T.plusSeconds(5).plusNanos(1_000));
        assertThat(keys.next(2, T)).as("another monitor").isEqualTo(T);
    }

    @Test
    void anExactKeyIsTruncatedToMicrosecondsAsItIsStored() {
        assertThat(new BeatKeys().exactly(1, T.plusNanos(999))).isEqualTo(T);
    }
}
