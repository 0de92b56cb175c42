package dev.vantage.notify.redis;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vantage.notify.Attempt;
import dev.vantage.notify.InvalidChannelException;
import dev.vantage.notify.Notice;
import dev.vantage.notify.NoticeJson;
import dev.vantage.notify.Notifier;
import dev.vantage.notify.NotifierContext;
import dev.vantage.notify.Outcome;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import redis.clients.jedis.ClientSetInfoConfig;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.SslOptions;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.params.XAddParams;

/**
 * Redis (Jedis): the notice's event JSON, the webhook's body ({@link NoticeJson#event}), either {@code PUBLISH}ed to
 * a channel or {@code XADD}ed to a stream as the entry's {@code notice} field, beside {@code event},
 * {@code dedup_key} and {@code message_id} (the same on every attempt of one notification, so a consumer can drop a
 * retry's duplicate).
 *
 * <p>Each attempt opens its own connection and closes it: notifications are rare, and a connection kept per channel
 * would need a lifecycle the {@link Notifier} contract does not have (channels come and go with every reload). A
 * PUBLISH that no subscriber heard is retried, as a webhook nobody answers is: Pub/Sub keeps nothing, so the notice
 * would otherwise be lost. Refused credentials or permissions and a key of another type are rejected (trying again
 * would fail the same way); connection failures and other server errors are retried. Details name the server's
 * {@code host:port} and Redis's error code, never a credential nor the server's error text.
 */
public final class RedisNotifier implements Notifier<RedisSettings, RedisNotifier.Message> {
    /** Shown in {@code CLIENT LIST}, so an operator can tell Vantage's connections from others. */
    static final String CLIENT_NAME = "vantage-notify";

    private final Clock clock;

    public RedisNotifier(NotifierContext context) {
        this.clock = context.clock();
    }

    /**
     * A rendered notice.
     *
     * @param id the notification's message id ({@link NoticeJson#messageId})
     * @param event the event's wire name ({@code firing}, {@code resolved}, …)
     * @param dedupKey the incident's key
     * @param body the event JSON: the PUBLISH payload, or the stream entry's {@code notice}
     */
    public record Message(String id, String event, String dedupKey, String body) {
        public Message {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(event, "event");
            Objects.requireNonNull(dedupKey, "dedupKey");
            Objects.requireNonNull(body, "body");
        }

        /** The stream entry's fields, in this order. */
        public Map<String, String> fields() {
            var fields = new LinkedHashMap<String, String>();
            fields.put("notice", body);
            fields.put("event", event);
            fields.put("dedup_key", dedupKey);
            fields.put("message_id", id);
            return fields;
        }
    }

    @Override
    public String type() {
        return "redis";
    }

    @Override
    public RedisSettings configure(JsonNode settings) throws InvalidChannelException {
        return RedisSettings.from(settings);
    }

    @Override
    public Message render(RedisSettings settings, long notificationId, Notice notice) {
        return new Message(
                NoticeJson.messageId(notificationId),
                notice.event().wireName(),
                notice.dedupKey(),
                NoticeJson.write(NoticeJson.event(notice)));
    }

    @Override
    public Outcome send(RedisSettings settings, Message message, Instant deadline) {
        return Attempt.withDeadline(clock, deadline, "Redis", () -> attempt(settings, message, deadline));
    }

    private Outcome attempt(RedisSettings settings, Message message, Instant deadline) {
        Duration left = Duration.between(clock.instant(), deadline);
        int timeoutMs = (int) Math.max(1, Math.min(settings.timeout().toMillis(), left.toMillis()));
        String where = "Redis at " + settings.address();
        var server = new HostAndPort(settings.host(), settings.port());
        try (var jedis = new Jedis(server, clientConfig(settings, timeoutMs))) {
            if (settings.channel() != null) {
                long receivers = jedis.publish(settings.channel(), message.body());
                return receivers > 0
                        ? Outcome.delivered(null)
                        : Outcome.retry(null, null, where + ": no subscriber on channel " + settings.channel());
            }
            var params = XAddParams.xAddParams();
            if (settings.maxLength() > 0) {
                params.maxLen(settings.maxLength()).approximateTrimming();
            }
            jedis.xadd(settings.stream(), params, message.fields());
            return Outcome.delivered(null);
        } catch (JedisConnectionException e) {
            return Outcome.retry(null, null, where + ": " + connectionFailure(RedisFailures.classify(e), timeoutMs));
        } catch (JedisDataException e) {
            return refused(where, e);
        } catch (RuntimeException e) {
            // Never the exception's message: Jedis quotes the server's words in it.
            return Outcome.retry(null, null, where + ": " + e.getClass().getSimpleName());
        }
    }

    /**
     * RESP2 without negotiation (Redis before 6 has no HELLO) and without {@code CLIENT SETINFO} (before 7.2), so one
     * client config works with every server version; both timeouts from the attempt's budget. TLS with Jedis's default
     * options verifies the certificate against the JVM's trust store and the host name against it.
     */
    private static JedisClientConfig clientConfig(RedisSettings settings, int timeoutMs) {
        return DefaultJedisClientConfig.builder()
                .connectionTimeoutMillis(timeoutMs)
                .socketTimeoutMillis(timeoutMs)
                .user(settings.user() == null ? null : settings.user().reveal())
                .password(
                        settings.password() == null ? null : settings.password().reveal())
                .database(settings.database())
                .sslOptions(settings.tls() ? SslOptions.defaults() : null)
                .clientName(CLIENT_NAME)
                .autoNegotiateProtocol(false)
                .clientSetInfoConfig(ClientSetInfoConfig.DISABLED)
                .build();
    }

    private static String connectionFailure(RedisFailures.Failure f, int timeoutMs) {
        return switch (f.cause()) {
            case REFUSED -> "connection refused";
            case TIMEOUT -> "timed out after " + timeoutMs + " ms";
            case UNRESOLVED -> "could not resolve the host";
            case TLS -> "TLS failed: " + f.type();
            case OTHER -> "connection failed (" + f.type() + ")";
        };
    }

    /**
     * An error reply: its code (the first word, {@code WRONGPASS}, {@code OOM}, …) says whether to retry and names
     * it; the rest of the server's text stays out.
     */
    private static Outcome refused(String where, JedisDataException e) {
        String code = RedisFailures.commandCode(e);
        return switch (code) {
            case "WRONGPASS" -> Outcome.rejected(null, where + " refused the credentials (WRONGPASS)");
            case "NOAUTH" -> Outcome.rejected(null, where + " requires a password (NOAUTH)");
            case "NOPERM" -> Outcome.rejected(null, where + " refused the command: no permission (NOPERM)");
            case "WRONGTYPE" -> Outcome.rejected(null, where + " refused XADD: the key holds another type (WRONGTYPE)");
            default -> Outcome.retry(null, null, where + " answered " + code);
        };
    }
}
