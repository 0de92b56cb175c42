package dev.vantage.notify;

import dev.vantage.Meters;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Locale;

/** The delivery loop's meters, tagged by channel type (a handful of values), never by channel or incident. */
final class DeliveryMeters {
    private final MeterRegistry registry;

    DeliveryMeters(MeterRegistry registry) {
        this.registry = registry;
    }

    void attempt(String channelType, Outcome.Kind kind, Duration took) {
        String type = type(channelType);
        registry.counter(
                        Meters.NOTIFICATIONS,
                        "type",
                        type,
                        "outcome",
                        kind.name().toLowerCase(Locale.ROOT))
                .increment();
        Timer.builder(Meters.NOTIFICATION_ATTEMPT_DURATION)
                .description("One notification delivery attempt")
                .tag("type", type)
                .register(registry)
                .record(took);
    }

    void delivered(String channelType, Duration sinceEnqueued) {
        Timer.builder(Meters.NOTIFICATION_LATENCY)
                .description("From enqueueing a notification to its acceptance by the receiver")
                .tag("type", type(channelType))
                .register(registry)
                .record(sinceEnqueued);
    }

    /** @param reason rejected, expired, channel or payload */
    void failed(String channelType, String reason) {
        registry.counter(Meters.NOTIFICATIONS_FAILED, "type", type(channelType), "reason", reason)
                .increment();
    }

    void loopError() {
        registry.counter(Meters.LOOP_ERRORS, "loop", "delivery").increment();
    }

    private static String type(String channelType) {
        return channelType == null ? "unknown" : channelType.trim().toLowerCase(Locale.ROOT);
    }
}
