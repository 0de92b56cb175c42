package dev.vantage.notify.log;

import dev.vantage.notify.Event;
import java.util.Objects;

/**
 * One log line: WARN while an incident is open or flapping, INFO when it ends.
 *
 * @param warn whether it is logged at WARN (else INFO)
 */
public record LogLine(boolean warn, Event event, String dedupKey, String summary) {
    public LogLine {
        Objects.requireNonNull(event, "event");
        Objects.requireNonNull(dedupKey, "dedupKey");
        Objects.requireNonNull(summary, "summary");
    }
}
