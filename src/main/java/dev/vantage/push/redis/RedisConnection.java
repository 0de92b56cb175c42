package dev.vantage.push.redis;

import dev.vantage.loop.Backoff;
import dev.vantage.notify.redis.RedisFailures;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.SplittableRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.ClientSetInfoConfig;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.SslOptions;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * The Redis ingest's connections, and the outages between them: opens one (RESP2 without negotiation and without
 * {@code CLIENT SETINFO}, so any server version takes it, as the notifier's and {@code vantage beat}'s), says what went
 * wrong in words that name the server as {@code host:port} and Redis's error code, never a credential nor the server's
 * text, and logs one line when an outage begins (or its reason changes) and one when reading works again, however many
 * attempts lie between. Used by the consumer's thread only.
 */
final class RedisConnection {
    private static final Logger log = LoggerFactory.getLogger(RedisConnection.class);
    /** Shown in {@code CLIENT LIST}. */
    static final String CLIENT_NAME = "vantage-ingest";

    private static final Duration RECONNECT_MIN = Duration.ofMillis(200);
    private static final Duration RECONNECT_MAX = Duration.ofSeconds(30);

    private final RedisIngestSettings settings;
    private final Clock clock;
    private final Backoff backoff = new Backoff(RECONNECT_MIN, RECONNECT_MAX, new SplittableRandom());
    private Instant outageSince;
    private String outageReason;
    private int failures;

    RedisConnection(RedisIngestSettings settings, Clock clock) {
        this.settings = settings;
        this.clock = clock;
    }

    /**
     * A new connection, authenticated and on its database.
     *
     * @throws JedisConnectionException when the server cannot be reached
     * @throws JedisDataException when it refuses us (WRONGPASS, NOAUTH, …)
     */
    Jedis open() {
        int timeoutMs = (int) settings.timeout().toMillis();
        var config = DefaultJedisClientConfig.builder()
                .connectionTimeoutMillis(timeoutMs)
                // The blocking read waits up to block on the server before it answers.
                .socketTimeoutMillis(timeoutMs + (int) settings.block().toMillis())
                .user(settings.user())
                .password(settings.password())
                .database(settings.database())
                .sslOptions(settings.tls() ? SslOptions.defaults() : null)
                .clientName(CLIENT_NAME)
                .autoNegotiateProtocol(false)
                .clientSetInfoConfig(ClientSetInfoConfig.DISABLED)
                .build();
        return new Jedis(new HostAndPort(settings.host(), settings.port()), config);
    }

    /** Reading works: ends the outage, if there was one, with a line that says how long it lasted. */
    void reading() {
        failures = 0;
        if (outageSince != null) {
            log.info(
                    "Redis ingest: reading {} again at {} as consumer {} of group {}, after {} s without Redis",
                    settings.streams(),
                    settings.where(),
                    settings.consumer(),
                    settings.group(),
                    Duration.between(outageSince, clock.instant()).toSeconds());
            outageSince = null;
            outageReason = null;
        } else {
            log.info(
                    "Redis ingest: reading {} at {} as consumer {} of group {}",
                    settings.streams(),
                    settings.where(),
                    settings.consumer(),
                    settings.group());
        }
    }

    /** One more failed attempt; returns how long to wait before the next (capped exponential, half of it random). */
    Duration failed(RuntimeException e) {
        String reason =
                switch (e) {
                    case JedisConnectionException c -> connectionFailure(c);
                    case JedisDataException d -> "Redis answered " + code(d);
                    default -> e.getClass().getSimpleName();
                };
        failures++;
        if (outageSince == null || !reason.equals(outageReason)) {
            log.warn(
                    "Redis ingest: cannot read from {}: {}; retrying with backoff (beats wait in the streams)",
                    settings.where(),
                    reason);
            if (outageSince == null) {
                outageSince = clock.instant();
            }
            outageReason = reason;
        }
        return Duration.ofNanos(backoff.delayNanos(failures));
    }

    /** Redis's error code (the first word of its answer, {@code NOGROUP}, {@code WRONGPASS}, …); never the rest. */
    static String code(JedisDataException e) {
        return RedisFailures.code(e);
    }

    private String connectionFailure(JedisConnectionException e) {
        var f = RedisFailures.classify(e);
        return switch (f.cause()) {
            case REFUSED -> "connection refused";
            case TIMEOUT -> "no answer within " + settings.timeout().toMillis() + " ms";
            case UNRESOLVED -> "cannot resolve the host";
            case TLS -> "TLS failed (" + f.type() + ")";
            case OTHER -> "connection lost";
        };
    }
}
