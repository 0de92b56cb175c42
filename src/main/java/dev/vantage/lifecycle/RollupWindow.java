package dev.vantage.lifecycle;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The hours one rollup run (re)computes: {@code [from, to)}, whole UTC hours, {@code to} the end of the last complete
 * hour. It starts {@link #REROLL} before the end of the last hour already rolled up, so rows that arrive up to that
 * late (a journal replayed after an outage) still reach their hour; later ones reach it when retention drops their
 * partition, which rolls it up first.
 */
record RollupWindow(Instant from, Instant to) {
    /** How far back every run recomputes hours already rolled up. */
    static final Duration REROLL = Duration.ofHours(6);
    /** The hours of one statement at most, so that a catch-up after days away is many short statements. */
    static final Duration CHUNK = Duration.ofHours(6);

    RollupWindow {
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        if (from.isAfter(to)) {
            throw new IllegalArgumentException("from " + from + " is after to " + to);
        }
    }

    /**
     * @param lastRolled the latest hour in api_heartbeat_rollups, if any
     * @param oldestRaw the start of the oldest partition of api_heartbeats, if any: where a first run starts
     * @param now the current instant
     */
    static RollupWindow of(Optional<Instant> lastRolled, Optional<Instant> oldestRaw, Instant now) {
        Instant to = now.truncatedTo(ChronoUnit.HOURS);
        Instant from = lastRolled
                .map(last -> min(last.plus(Duration.ofHours(1)), to).minus(REROLL))
                .or(() -> oldestRaw)
                .orElse(to.minus(REROLL))
                .truncatedTo(ChronoUnit.HOURS);
        return new RollupWindow(min(from, to), to);
    }

    boolean isEmpty() {
        return from.equals(to);
    }

    /** The window cut into consecutive pieces of at most {@link #CHUNK}. */
    List<RollupWindow> chunks() {
        var chunks = new ArrayList<RollupWindow>();
        for (Instant start = from; start.isBefore(to); start = start.plus(CHUNK)) {
            chunks.add(new RollupWindow(start, min(start.plus(CHUNK), to)));
        }
        return chunks;
    }

    private static Instant min(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }
}
