package dev.vantage.beat;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * RFC 3339 times in UTC as Go's {@code time.RFC3339Nano} writes them, which is how the Go NATS heartbeat agent
 * marshals {@code generated_at}: the fraction of a second only when there is one, without trailing zeros
 * ({@code 2025-03-01T12:00:00Z}, {@code 2025-03-01T12:00:00.5Z}, {@code 2025-03-01T12:00:00.123456789Z}).
 */
public final class Rfc3339 {
    private static final DateTimeFormatter SECONDS =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss").withZone(ZoneOffset.UTC);

    private Rfc3339() {}

    public static String format(Instant instant) {
        String fraction = "";
        int nanos = instant.getNano();
        if (nanos != 0) {
            fraction = "." + String.format("%09d", nanos).replaceFirst("0+$", "");
        }
        return SECONDS.format(instant) + fraction + "Z";
    }
}
