package dev.vantage.push;

import dev.vantage.Meters;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;

/**
 * The push ingest meters, named from {@link Meters#PREFIX}; tags have a handful of values, never a monitor. Beats are
 * counted by {@code source} (the transport: http, nats, redis) and {@code outcome}; a transport's series appear when
 * it starts ({@link #source}).
 */
public final class PushMeters {
    private static final Duration[] BUCKETS = LongStream.of(1, 2, 5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000)
            .mapToObj(Duration::ofMillis)
            .toArray(Duration[]::new);

    /** The transport a beat came by: the {@code source} tag. */
    public enum Source {
        HTTP("http"),
        NATS("nats"),
        REDIS("redis");

        final String tag;

        Source(String tag) {
            this.tag = tag;
        }
    }

    /** What became of a beat: the {@code outcome} tag, and the HTTP status a ping is answered with. */
    public enum Outcome {
        ACCEPTED("accepted", 200),
        UNKNOWN_TOKEN("unknown_token", 404),
        /** No push monitor has the subject (and none was registered for it). */
        UNKNOWN_SUBJECT("unknown_subject", 404),
        /** The monitor is disabled: its beats are dropped. Pings count it as {@link #UNKNOWN_TOKEN} (one 404). */
        DISABLED("disabled", 404),
        BAD_REQUEST("bad_request", 400),
        /** A message that is not a beat (not JSON, a field missing or wrong). */
        MALFORMED("malformed", 400),
        RATE_LIMITED("rate_limited", 429),
        TOO_LARGE("too_large", 413),
        /** The body came too slowly: the connection is closed, nothing is answered. */
        TIMEOUT("timeout", 0),
        UNAVAILABLE("unavailable", 503),
        FAILED("failed", 500);

        final String tag;
        /** The HTTP answer to a ping. */
        public final int status;

        Outcome(String tag, int status) {
            this.tag = tag;
            this.status = status;
        }
    }

    /** The beat counters and ingest timers of one transport. */
    public static final class Beats {
        private final Map<Outcome, Counter> beats = new EnumMap<>(Outcome.class);
        private final Map<Outcome, Timer> latency = new EnumMap<>(Outcome.class);

        private Beats(MeterRegistry registry, Source source) {
            for (Outcome o : Outcome.values()) {
                beats.put(
                        o,
                        Counter.builder(Meters.PUSH_BEATS)
                                .tag("source", source.tag)
                                .tag("outcome", o.tag)
                                .register(registry));
                latency.put(
                        o,
                        Timer.builder(Meters.PUSH_INGEST)
                                .description("From a beat's arrival to what became of it")
                                .tag("source", source.tag)
                                .tag("outcome", o.tag)
                                .serviceLevelObjectives(BUCKETS)
                                .register(registry));
            }
        }

        /** Counts a beat and the time since {@code startedNanos} (a {@link System#nanoTime()}). */
        public void counted(Outcome outcome, long startedNanos) {
            beats.get(outcome).increment();
            latency.get(outcome).record(System.nanoTime() - startedNanos, TimeUnit.NANOSECONDS);
        }
    }

    private final MeterRegistry registry;
    private final Map<Source, Beats> sources = new ConcurrentHashMap<>();
    final Counter cut;
    private final Map<String, Counter> lookups;

    PushMeters(MeterRegistry registry) {
        this.registry = registry;
        cut = Counter.builder(Meters.PUSH_MESSAGES_CUT).register(registry);
        lookups = Map.of(
                "found", lookup(registry, "found"),
                "missing", lookup(registry, "missing"),
                "limited", lookup(registry, "limited"),
                "failed", lookup(registry, "failed"));
    }

    private static Counter lookup(MeterRegistry registry, String outcome) {
        return Counter.builder(Meters.PUSH_TOKEN_LOOKUPS)
                .tag("outcome", outcome)
                .register(registry);
    }

    /** The meters of one transport, registered on first use. */
    public Beats source(Source source) {
        return sources.computeIfAbsent(source, s -> new Beats(registry, s));
    }

    void lookup(String outcome) {
        lookups.get(outcome).increment();
    }
}
