package dev.vantage.push.redis;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** What an unknown subject is registered with: whole seconds, a day at most for the schedule, the rest as grace. */
class RedisRegistrationTest {

    @ParameterizedTest(name = "interval {0}, grace {1}: every {2} s, grace {3}")
    @CsvSource(
            nullValues = "-",
            value = {
                "PT15S,   -,       15,    -",
                "PT15S,   PT30S,   15,    30",
                "PT0.5S,  PT0.2S,  1,     1",
                "PT1M1.5S,-,       62,    -",
                "PT36H,   -,       86400, 43200",
                "PT36H,   PT1H,    86400, 46800",
                "PT1S,    PT240H,  1,     604800"
            })
    void theIntervalAndGraceAreWholeSecondsAndADayAtMost(
            Duration interval, Duration grace, int intervalSeconds, Integer graceSeconds) {
        var period = PushRegistration.Period.of(new RedisEntry.Registration(interval, grace, null, null));

        assertThat(period).isEqualTo(new PushRegistration.Period(intervalSeconds, graceSeconds));
    }
}
