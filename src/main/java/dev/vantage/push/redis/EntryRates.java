package dev.vantage.push.redis;

import dev.vantage.push.TokenBucket;
import java.time.Instant;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The push rate of each monitor for beats from streams, measured on the time in each entry's id (when Redis took it)
 * rather than the time it is read: a token bucket per monitor ({@code ratePerSecond} after a burst of {@code burst}),
 * as for pings, whose clock is the entries' own. A sender flooding its stream is held to the rate however its entries
 * are read, while a backlog read all at once after an outage (Redis, the database or the replica away) passes, as its
 * beats were sent at their pace. One bucket per push monitor that sent a beat; monitors are few enough to keep them.
 */
final class EntryRates {
    private final double ratePerSecond;
    private final int burst;
    private final ConcurrentHashMap<Integer, TokenBucket> buckets = new ConcurrentHashMap<>();

    EntryRates(double ratePerSecond, int burst) {
        this.ratePerSecond = ratePerSecond;
        this.burst = burst;
    }

    /** Whether a beat of the monitor added at {@code at} is within its rate (and takes one from it). */
    boolean admit(int monitorId, Instant at) {
        long nanos = at.getEpochSecond() * 1_000_000_000L + at.getNano();
        return buckets.computeIfAbsent(monitorId, id -> new TokenBucket(ratePerSecond, burst, nanos))
                        .take(nanos)
                == 0;
    }
}
