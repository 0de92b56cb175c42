package dev.vantage.evaluate;

import java.time.Instant;
import java.util.Objects;

/**
 * Names one incident row without its database id: its key and when it opened (at most one incident of a key is open
 * at a time, so the two name it for good).
 */
public record IncidentRef(IncidentKey key, Instant openedAt) {
    public IncidentRef {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(openedAt, "openedAt");
    }
}
