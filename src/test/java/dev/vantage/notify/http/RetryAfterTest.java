package dev.vantage.notify.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class RetryAfterTest {
    private static final Instant NOW = Instant.parse("2025-03-01T12:00:00Z");

    @Test
    void secondsAndDatesAreReadAndCappedAtAnHour() {
        record Case(String header, Duration expected) {}
        for (Case c : new Case[] {
            new Case("7", Duration.ofSeconds(7)),
            new Case(" 0 ", Duration.ZERO),
            new Case("3600", Duration.ofHours(1)),
            new Case("86400", Duration.ofHours(1)),
            new Case("99999999999999999999", Duration.ofHours(1)),
            new Case("Sat, 01 Mar 2025 12:02:00 GMT", Duration.ofMinutes(2)),
            new Case("Sat, 01 Mar 2025 11:00:00 GMT", Duration.ZERO),
            new Case("Sun, 02 Mar 2025 12:00:00 GMT", Duration.ofHours(1)),
            new Case("-5", null),
            new Case("soon", null),
            new Case("", null),
            new Case(null, null),
        }) {
            assertThat(RetryAfter.parse(c.header(), NOW)).as("%s", c.header()).isEqualTo(c.expected());
        }
    }

    @Test
    void secondsFromAJsonBodyKeepTheirFractionsAndTheSameCap() {
        record Case(double seconds, Duration expected) {}
        for (Case c : new Case[] {
            new Case(1.234, Duration.ofMillis(1234)),
            new Case(0.0004, Duration.ofMillis(1)),
            new Case(7, Duration.ofSeconds(7)),
            new Case(0, Duration.ZERO),
            new Case(-3, Duration.ZERO),
            new Case(1e12, Duration.ofHours(1)),
            new Case(Double.POSITIVE_INFINITY, Duration.ofHours(1)),
            new Case(Double.NaN, null),
        }) {
            assertThat(RetryAfter.ofSeconds(c.seconds())).as("%s", c.seconds()).isEqualTo(c.expected());
        }
        assertThat(RetryAfter.cap(Duration.ofDays(2))).isEqualTo(Duration.ofHours(1));
        assertThat(RetryAfter.cap(Duration.ofSeconds(-1))).isEqualTo(Duration.ZERO);
        assertThat(RetryAfter.cap(null)).isNull();
    }
}
