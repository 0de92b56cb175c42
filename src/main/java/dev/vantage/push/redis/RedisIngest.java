package dev.vantage.push.redis;

import dev.vantage.LogContext;
import dev.vantage.push.PushIngest;
import dev.vantage.push.PushMeters;
import dev.vantage.push.PushSettings;
import java.time.Clock;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Beats from Redis streams, through a consumer group, into a replica's {@link PushIngest}: the same monitors (by
 * push_subject), rate limits, writer and journal as its pings. An entry is acknowledged (XACK) only once its beat is
 * committed or journaled, or once it is clear it never will be a beat (see {@link RedisBeats}); anything else stays
 * pending in the group and is read again, by this replica or, after {@link RedisIngestSettings#claimMinIdle()}, by
 * any other (see {@link StreamConsumer}). The row key is the entry's id, so an entry read twice writes one row.
 *
 * <p>Starting never waits for Redis: the consumer connects in the background and keeps trying, and the rest of the
 * replica runs without it. Close it before its {@link PushIngest}: reading stops, the batch in hand reaches its
 * receipts and is acknowledged, then the connection closes.
 */
public final class RedisIngest implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RedisIngest.class);

    private final RedisIngestSettings settings;
    private final StreamConsumer consumer;
    private final Map<String, String> identity;

    private RedisIngest(RedisIngestSettings settings, StreamConsumer consumer, Map<String, String> identity) {
        this.settings = settings;
        this.consumer = consumer;
        this.identity = identity;
    }

    /** Starts reading in the background, holding monitors to the default push rate. */
    public static RedisIngest start(RedisIngestSettings settings, PushIngest push, Clock clock) {
        return start(settings, PushSettings.DEFAULTS, push, clock);
    }

    /**
     * Starts reading in the background.
     *
     * @param pushSettings the replica's push settings: their rate and burst hold each monitor back, as for pings
     * @param push this replica's push ingest, which takes the beats
     */
    public static RedisIngest start(
            RedisIngestSettings settings, PushSettings pushSettings, PushIngest push, Clock clock) {
        var identity = Map.of("replica", settings.consumer());
        try (var context = LogContext.replace(identity)) {
            var beats = new RedisBeats(
                    settings,
                    push.intake(),
                    push.tokens(),
                    PushRegistration.of(push.jdbi()),
                    new EntryRates(pushSettings.ratePerSecond(), pushSettings.burst()),
                    push.meters().source(PushMeters.Source.REDIS),
                    clock);
            var consumer = new StreamConsumer(settings, beats, clock);
            consumer.start();
            log.info(
                    "Redis ingest: taking beats from {} at {} (group {}, consumer {}, auto-registration {})",
                    settings.streams(),
                    settings.where(),
                    settings.group(),
                    settings.consumer(),
                    settings.autoRegister() ? "on" : "off");
            return new RedisIngest(settings, consumer, identity);
        }
    }

    /** Where it reads, for people: {@code redis://host:port streams [vantage:beats], group vantage}; no credential. */
    public String where() {
        return settings.where() + " streams " + settings.streams() + ", group " + settings.group();
    }

    /** Whether it is connected and reading. */
    public boolean connected() {
        return consumer.connected();
    }

    @Override
    public void close() {
        try (var context = LogContext.replace(identity)) {
            consumer.close();
        }
    }
}
