package dev.vantage.notify;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.random.RandomGenerator;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RetryDelayTest {
    /** A generator that always answers the top of the range, or always zero (the bottom of it). */
    private static RandomGenerator fixed(boolean top) {
        return new RandomGenerator() {
            @Override
            public long nextLong() {
                return 0;
            }

            @Override
            public long nextLong(long bound) {
                return top ? bound - 1 : 0;
            }
        };
    }

    @ParameterizedTest(name = "attempt {0}, Retry-After {1} ms: between {2} and {3} ms")
    @CsvSource({
        "1,          , 500,     1000",
        "2,          , 1000,    2000",
        "3,          , 2000,    4000",
        "10,         , 256000,  512000",
        "11,         , 300000,  600000",
        "1000,       , 300000,  600000",
        "1,     5000,  5000,    5000",
        "10,    5000,  256000,  512000",
        "1, 86400000,  3600000, 3600000",
    })
    void theDelayIsTheEqualJitterBackoffButNeverBeforeRetryAfter(int attempt, Long retryAfterMs, long min, long max) {
        Duration retryAfter = retryAfterMs == null ? null : Duration.ofMillis(retryAfterMs);
        var low = new RetryDelay(Duration.ofSeconds(1), Duration.ofMinutes(10), fixed(false));
        var high = new RetryDelay(Duration.ofSeconds(1), Duration.ofMinutes(10), fixed(true));

        assertThat(low.after(attempt, retryAfter)).isEqualTo(Duration.ofMillis(min));
        assertThat(high.after(attempt, retryAfter)).isEqualTo(Duration.ofMillis(max));
    }
}
