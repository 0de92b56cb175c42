package dev.vantage.push;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The key (api_heartbeats.scheduled_at) of each beat: its receive time at microsecond precision, moved to one
 * microsecond after the monitor's previous key when it would not be later. Keys are then unique per monitor within
 * this process, so two beats never share a row, while a retried or replayed write of one beat keeps its key and writes
 * nothing. Two replicas receiving beats of one monitor within the same microsecond would give both the same key, and
 * the second would be taken for a replay of the first: with the rate limit, far less likely than a lost packet.
 */
final class BeatKeys {
    private final ConcurrentHashMap<Integer, Long> last = new ConcurrentHashMap<>();

    /** The receive time at microsecond precision, as it is stored. */
    static Instant micros(Instant received) {
        return received.truncatedTo(ChronoUnit.MICROS);
    }

    Instant next(int monitorId, Instant received) {
        long key = last.merge(monitorId, toMicros(received), (previous, now) -> Math.max(previous + 1, now));
        return ofMicros(key);
    }

    /**
     * The key of a beat whose sender stamped it ({@code preferred}, e.g. a NATS message's generated_at), so that the
     * same beat replayed (from a stream, after a restart) takes the same key and writes nothing: {@code preferred} when
     * it is not before the monitor's last key (equal: the last beat again), else as {@link #next(int, Instant)} with
     * the receive time. The caller bounds {@code preferred} near the receive time.
     */
    Instant next(int monitorId, Instant received, Instant preferred) {
        long wanted = toMicros(preferred);
        long now = toMicros(received);
        long key = last.compute(
                monitorId,
                (id, previous) -> previous == null || wanted >= previous ? wanted : Math.max(previous + 1, now));
        return ofMicros(key);
    }

    /**
     * A key the transport derived from what names the beat and nothing else (a Redis stream entry's id): kept as it
     * is, even before the monitor's last key, so a beat delivered again finds its row whenever it comes. The
     * monitor's later receive-time keys still come after it.
     */
    Instant exactly(int monitorId, Instant key) {
        long wanted = toMicros(key);
        last.merge(monitorId, wanted, Math::max);
        return ofMicros(wanted);
    }

    private static long toMicros(Instant t) {
        return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000L), t.getNano() / 1_000);
    }

    private static Instant ofMicros(long key) {
        return Instant.ofEpochSecond(Math.floorDiv(key, 1_000_000L), Math.floorMod(key, 1_000_000L) * 1_000L);
    }

    /** Forgets the monitors that are gone. */
    void retain(Set<Integer> monitorIds) {
        last.keySet().retainAll(monitorIds);
    }
}
