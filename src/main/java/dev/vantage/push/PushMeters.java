package dev.vantage.push;

import dev.vantage.Meters;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;

/** The push endpoints' meters, named from {@link Meters#PREFIX}; tags have a handful of values, never a monitor. */
final class PushMeters {
    private static final Duration[] BUCKETS = LongStream.of(1, 2, 5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000)
            .mapToObj(Duration::ofMillis)
            .toArray(Duration[]::new);

    /** How a ping was answered: the {@code outcome} tag. */
    enum Outcome {
        ACCEPTED("accepted", 200),
        UNKNOWN_TOKEN("unknown_token", 404),
        BAD_REQUEST("bad_request", 400),
        RATE_LIMITED("rate_limited", 429),
        TOO_LARGE("too_large", 413),
        /** The body came too slowly: the connection is closed, nothing is answered. */
        TIMEOUT("timeout", 0),
        UNAVAILABLE("unavailable", 503),
        FAILED("failed", 500);

        final String tag;
        final int status;

        Outcome(String tag, int status) {
            this.tag = tag;
            this.status = status;
        }
    }

    private final Map<Outcome, Counter> beats = new EnumMap<>(Outcome.class);
    private final Map<Outcome, Timer> latency = new EnumMap<>(Outcome.class);
    final Counter cut;
    private final Map<String, Counter> lookups;

    PushMeters(MeterRegistry registry) {
        for (Outcome o : Outcome.values()) {
            beats.put(
                    o, Counter.builder(Meters.PUSH_BEATS).tag("outcome", o.tag).register(registry));
            latency.put(
                    o,
                    Timer.builder(Meters.PUSH_INGEST)
                            .description("From a ping's arrival to its answer")
                            .tag("outcome", o.tag)
                            .serviceLevelObjectives(BUCKETS)
                            .register(registry));
        }
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

    void answered(Outcome outcome, long startedNanos) {
        beats.get(outcome).increment();
        latency.get(outcome).record(System.nanoTime() - startedNanos, TimeUnit.NANOSECONDS);
    }

    void lookup(String outcome) {
        lookups.get(outcome).increment();
    }
}
