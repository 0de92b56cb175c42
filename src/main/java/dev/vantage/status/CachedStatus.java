package dev.vantage.status;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.jdbi.v3.core.Jdbi;

/**
 * A {@link StatusQuery} whose report is reused for a few seconds. The report aggregates a day of heartbeats; a wall
 * screen and a dozen phones each refreshing every 30 s must not each cost that scan, nor pile up while one runs:
 * callers arriving during a load wait for it and share its result. The page and {@code /api/status} share one, so a
 * refresh of both costs one load.
 */
public final class CachedStatus {
    static final Duration MAX_AGE = Duration.ofSeconds(5);

    private final StatusQuery query;
    private final Clock clock;
    private StatusReport last;
    private Instant loadedAt;

    public CachedStatus(Jdbi jdbi, Clock clock) {
        this(jdbi, clock, dev.vantage.monitor.EvaluationProgress.STALL_AFTER);
    }

    public CachedStatus(Jdbi jdbi, Clock clock, Duration stallAfter) {
        this.query = new StatusQuery(jdbi, clock, stallAfter);
        this.clock = clock;
    }

    synchronized StatusReport get() {
        Instant now = clock.instant();
        if (last == null || loadedAt.plus(MAX_AGE).isBefore(now) || now.isBefore(loadedAt)) {
            last = query.load();
            loadedAt = now;
        }
        return last;
    }
}
