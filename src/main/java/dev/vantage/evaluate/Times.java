package dev.vantage.evaluate;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * The evaluator keeps every instant at the database's precision (microseconds), so that what it holds in memory is
 * exactly what a rebuild from the rows would give it: an incident opened at a nanosecond {@code now} and restored at
 * its stored microsecond is otherwise two different incidents to anything that pairs them by opening time.
 */
final class Times {
    private Times() {}

    static Instant micros(Instant t) {
        return t == null ? null : t.truncatedTo(ChronoUnit.MICROS);
    }
}
