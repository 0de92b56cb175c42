package dev.vantage.beat;

import dev.vantage.config.ConfigurationException;
import dev.vantage.notify.redis.RedisFailures;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
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
 * Beats added to a Redis stream: {@code XADD <stream> * subject <S> kind <success|fail|start|log> [exit_status N]
 * [message …] [rid …] timestamp <RFC 3339 UTC> interval <seconds> [grace <seconds>] host <hostname>
 * [description …]}, the fields in that order. Seconds are decimal, without trailing zeros ({@code 15},
 * {@code 0.5}).
 *
 * <p>Each attempt opens its own connection (RESP2, no {@code HELLO} or {@code CLIENT SETINFO}, so any server version
 * takes it) and closes it. Refused credentials or permissions and a key of another type are rejected for good;
 * connection failures and other server errors are retried. Details name the server's {@code host:port} and Redis's
 * error code, never a credential nor the server's text.
 */
public final class RedisBeatSender implements BeatSender {
    public static final int DEFAULT_PORT = 6379;
    public static final String DEFAULT_STREAM = "vantage:beats";

    /** Shown in {@code CLIENT LIST}. */
    static final String CLIENT_NAME = "vantage-beat";

    private static final String URL_FORM = "URL: must be redis://[[user]:password@]host[:port][/database] or"
            + " rediss://… (value not shown: it may hold a password)";

    private final String host;
    private final int port;
    private final int database;
    private final String user;
    private final String password;
    private final boolean tls;
    private final String subject;
    private final String stream;
    private final Clock clock;

    private RedisBeatSender(
            String host,
            int port,
            int database,
            String user,
            String password,
            boolean tls,
            String subject,
            String stream,
            Clock clock) {
        this.host = host;
        this.port = port;
        this.database = database;
        this.user = user;
        this.password = password;
        this.tls = tls;
        this.subject = subject;
        this.stream = stream;
        this.clock = clock;
    }

    static RedisBeatSender open(Destination destination, Clock clock) {
        String subject = destination.subject();
        if (subject == null) {
            throw new ConfigurationException(
                    "--subject is required with a redis:// URL (or set SUBJECT): the name the push monitor knows");
        }
        if (!subject.matches("\\S{1,255}")) {
            throw new ConfigurationException("--subject: 1 to 255 characters without blanks");
        }
        String stream = destination.stream() == null ? DEFAULT_STREAM : destination.stream();
        if (!stream.matches("\\S+")) {
            throw new ConfigurationException("--stream: must not contain blanks");
        }
        URI uri;
        try {
            uri = new URI(destination.url().strip());
        } catch (URISyntaxException e) {
            throw new ConfigurationException(URL_FORM);
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!(scheme.equals("redis") || scheme.equals("rediss")) || uri.getHost() == null) {
            throw new ConfigurationException(URL_FORM);
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw new ConfigurationException("URL: a redis:// URL has no query or fragment (value not shown)");
        }
        String host = uri.getHost().startsWith("[")
                ? uri.getHost().substring(1, uri.getHost().length() - 1)
                : uri.getHost();
        int port = uri.getPort() == -1 ? DEFAULT_PORT : uri.getPort();
        String path = uri.getRawPath();
        int database = 0;
        if (path != null && !path.isEmpty() && !path.equals("/")) {
            if (!path.matches("/[0-9]{1,5}")) {
                throw new ConfigurationException("URL: the path must be a database number, as in redis://host/2");
            }
            database = Integer.parseInt(path.substring(1));
        }
        String user = null;
        String password = null;
        String userInfo = uri.getRawUserInfo();
        if (userInfo != null) {
            int colon = userInfo.indexOf(':');
            if (colon < 0 || colon == userInfo.length() - 1) {
                throw new ConfigurationException("URL: user info must be user:password or :password (value not shown)");
            }
            String name = decode(userInfo.substring(0, colon));
            user = name.isEmpty() ? null : name;
            password = decode(userInfo.substring(colon + 1));
        }
        return new RedisBeatSender(
                host, port, database, user, password, scheme.equals("rediss"), subject, stream, clock);
    }

    /** The stream entry's fields for {@code beat}, in order. Pure, for exact tests. */
    public static Map<String, String> fields(String subject, Beat beat, Instant timestamp) {
        var fields = new LinkedHashMap<String, String>();
        fields.put("subject", subject);
        fields.put("kind", beat.kind().wireName);
        if (beat.exitStatus() != null) {
            fields.put("exit_status", Integer.toString(beat.exitStatus()));
        }
        if (beat.message() != null) {
            fields.put("message", beat.message());
        }
        if (beat.rid() != null) {
            fields.put("rid", beat.rid().toString());
        }
        fields.put("timestamp", Rfc3339.format(timestamp));
        fields.put("interval", seconds(beat.interval()));
        if (beat.grace() != null) {
            fields.put("grace", seconds(beat.grace()));
        }
        fields.put("host", beat.host());
        if (beat.description() != null) {
            fields.put("description", beat.description());
        }
        return fields;
    }

    static String seconds(Duration d) {
        return GoDuration.decimal(d.toNanos(), 1_000_000_000L);
    }

    String address() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    @Override
    public String where() {
        return (tls ? "rediss://" : "redis://") + address() + (database == 0 ? "" : "/" + database) + " stream "
                + stream;
    }

    @Override
    public Outcome send(Beat beat, Deadline deadline) {
        long left = deadline.remaining().toMillis();
        if (left < 1) {
            return Outcome.retry("Redis at " + address() + ": no time left for an attempt");
        }
        int timeoutMs = (int) Math.min(left, Integer.MAX_VALUE);
        String at = "Redis at " + address();
        try (var jedis = new Jedis(new HostAndPort(host, port), clientConfig(timeoutMs))) {
            jedis.xadd(stream, XAddParams.xAddParams(), fields(subject, beat, clock.instant()));
            return Outcome.delivered();
        } catch (JedisConnectionException e) {
            return Outcome.retry(at + ": " + connectionFailure(RedisFailures.classify(e), timeoutMs));
        } catch (JedisDataException e) {
            return refused(at, e);
        } catch (RuntimeException e) {
            // Never the exception's message: Jedis quotes the server's words in it.
            return Outcome.retry(at + ": " + e.getClass().getSimpleName());
        }
    }

    private JedisClientConfig clientConfig(int timeoutMs) {
        return DefaultJedisClientConfig.builder()
                .connectionTimeoutMillis(timeoutMs)
                .socketTimeoutMillis(timeoutMs)
                .user(user)
                .password(password)
                .database(database)
                .sslOptions(tls ? SslOptions.defaults() : null)
                .clientName(CLIENT_NAME)
                .autoNegotiateProtocol(false)
                .clientSetInfoConfig(ClientSetInfoConfig.DISABLED)
                .build();
    }

    private static String connectionFailure(RedisFailures.Failure f, int timeoutMs) {
        return switch (f.cause()) {
            case REFUSED -> "cannot connect (connection refused)";
            case TIMEOUT -> "no answer within " + GoDuration.format(Duration.ofMillis(timeoutMs));
            case UNRESOLVED -> "cannot resolve the host";
            case TLS -> "TLS failed (" + f.type() + ")";
            case OTHER -> "connection failed (" + f.type() + ")";
        };
    }

    /** An error reply: its code says whether to retry and names it; the rest of the server's text stays out. */
    private static Outcome refused(String at, JedisDataException e) {
        String code = RedisFailures.commandCode(e);
        return switch (code) {
            case "WRONGPASS" -> Outcome.rejected(at + " refused the credentials (WRONGPASS)");
            case "NOAUTH" -> Outcome.rejected(at + " requires a password (NOAUTH)");
            case "NOPERM" -> Outcome.rejected(at + " refused the command: no permission (NOPERM)");
            case "WRONGTYPE" -> Outcome.rejected(at + " refused XADD: the key holds another type (WRONGTYPE)");
            default -> Outcome.retry(at + " answered " + code);
        };
    }

    /** Percent-decoding as in a URI: a '+' stays a '+'. */
    private static String decode(String raw) {
        try {
            return URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException("URL: malformed %-escape in the user info (value not shown)");
        }
    }
}
