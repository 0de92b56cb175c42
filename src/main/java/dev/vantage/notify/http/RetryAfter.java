package dev.vantage.notify.http;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/**
 * The {@code Retry-After} header (RFC 9110 section 10.2.3): delay-seconds or an HTTP-date, capped so that a receiver
 * cannot park a notification for days.
 */
public final class RetryAfter {
    /** The longest wait a receiver can ask for; past it the delivery loop's own backoff takes over. */
    public static final Duration CAP = Duration.ofHours(1);

    private RetryAfter() {}

    /** The wait asked for, between zero and {@link #CAP}; null when the header is absent or unreadable. */
    public static Duration parse(String header, Instant now) {
        if (header == null || header.isBlank()) {
            return null;
        }
        String value = header.strip();
        Duration wait;
        if (value.chars().allMatch(Character::isDigit)) {
            // Very long digit strings are a wait longer than the cap, not an error.
            wait = value.length() > 9 ? CAP : Duration.ofSeconds(Long.parseLong(value));
        } else {
            try {
                wait = Duration.between(now, ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME));
            } catch (DateTimeParseException e) {
                return null;
            }
        }
        if (wait.isNegative()) {
            return Duration.ZERO;
        }
        return wait.compareTo(CAP) > 0 ? CAP : wait;
    }

    /** A wait a receiver gave in seconds (Discord sends fractions), between zero and {@link #CAP}; null stays null. */
    public static Duration ofSeconds(double seconds) {
        if (Double.isNaN(seconds)) {
            return null;
        }
        if (seconds <= 0) {
            return Duration.ZERO;
        }
        return seconds >= CAP.toSeconds() ? CAP : Duration.ofMillis((long) Math.ceil(seconds * 1000));
    }

    /** {@code wait} between zero and {@link #CAP}; null stays null. */
    public static Duration cap(Duration wait) {
        if (wait == null) {
            return null;
        }
        if (wait.isNegative()) {
            return Duration.ZERO;
        }
        return wait.compareTo(CAP) > 0 ? CAP : wait;
    }
}
