package dev.vantage.push.redis;

import dev.vantage.config.ConfigurationException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * How a monitor replica reads beats from Redis streams through a consumer group. Validated once here, with the
 * setting's name in the message and never the URL's value (it may hold a password).
 *
 * @param host the server's host name or address (IPv6 without brackets)
 * @param port 6379 by default
 * @param database the URL's database number, 0 by default
 * @param user the ACL user, or null for the default user
 * @param password the password, or null; a secret: not in {@link #toString()}
 * @param tls {@code rediss://}: TLS, the server's certificate and host name verified against the JVM's trust store
 * @param streams the streams read (VANTAGE_REDIS_STREAMS), at least one, no duplicates
 * @param group the consumer group (VANTAGE_REDIS_GROUP); created at {@code $} with MKSTREAM when missing
 * @param consumer this replica's name in the group: the monitor's name
 * @param autoRegister whether an entry of an unknown subject that says its interval registers a push monitor
 *     (VANTAGE_REDIS_AUTO_REGISTER)
 * @param block how long one XREADGROUP waits for entries; also how long a stop may wait for it
 * @param count entries read at most per XREADGROUP or XAUTOCLAIM, all of them handed to the writer together
 * @param claimMinIdle how long an entry must have been pending, unacknowledged, before another consumer claims it
 *     (XAUTOCLAIM): the consumer that read it is taken for dead
 * @param claimEvery how often pending entries are looked for
 * @param timeout bound of connecting and of every command but the blocking read (which gets {@code block} more)
 */
public record RedisIngestSettings(
        String host,
        int port,
        int database,
        String user,
        String password,
        boolean tls,
        List<String> streams,
        String group,
        String consumer,
        boolean autoRegister,
        Duration block,
        int count,
        Duration claimMinIdle,
        Duration claimEvery,
        Duration timeout) {

    public static final int DEFAULT_PORT = 6379;
    public static final String DEFAULT_STREAM = "vantage:beats";
    public static final String DEFAULT_GROUP = "vantage";
    public static final Duration BLOCK = Duration.ofSeconds(2);
    public static final int COUNT = 64;
    public static final Duration CLAIM_MIN_IDLE = Duration.ofSeconds(30);
    public static final Duration CLAIM_EVERY = Duration.ofSeconds(10);
    public static final Duration TIMEOUT = Duration.ofSeconds(5);

    private static final String URL_FORM = "VANTAGE_REDIS_URL: must be redis://[[user]:password@]host[:port][/database]"
            + " or rediss://… (value not shown: it may hold a password)";

    public RedisIngestSettings {
        Objects.requireNonNull(host, "host");
        if (port < 1 || port > 65_535) {
            throw new ConfigurationException("VANTAGE_REDIS_URL: the port must be 1 to 65535");
        }
        streams = List.copyOf(streams);
        if (streams.isEmpty()) {
            throw new ConfigurationException("VANTAGE_REDIS_STREAMS: name at least one stream");
        }
        for (String stream : streams) {
            if (!stream.matches("\\S{1,255}")) {
                throw new ConfigurationException(
                        "VANTAGE_REDIS_STREAMS: a stream name is 1 to 255 characters without blanks, got '" + stream
                                + "'");
            }
        }
        if (new LinkedHashSet<>(streams).size() != streams.size()) {
            throw new ConfigurationException("VANTAGE_REDIS_STREAMS: a stream is named twice");
        }
        if (group == null || !group.matches("\\S{1,255}")) {
            throw new ConfigurationException("VANTAGE_REDIS_GROUP: 1 to 255 characters without blanks");
        }
        if (consumer == null || consumer.isBlank() || consumer.length() > 255) {
            throw new ConfigurationException("VANTAGE_MONITOR_NAME: the Redis consumer's name, 1 to 255 characters");
        }
        positive("block", block);
        positive("claimMinIdle", claimMinIdle);
        positive("claimEvery", claimEvery);
        positive("timeout", timeout);
        if (count < 1 || count > 10_000) {
            throw new ConfigurationException("count must be 1 to 10000, was " + count);
        }
    }

    private static void positive(String field, Duration value) {
        if (value == null || value.isNegative() || value.isZero()) {
            throw new ConfigurationException(field + " must be a positive duration, was " + value);
        }
    }

    /**
     * The settings of {@code vantage monitor}, from its flags or variables (null when not given) and the replica's
     * name; the read and claim timings are the defaults.
     *
     * @param url VANTAGE_REDIS_URL
     * @param streams VANTAGE_REDIS_STREAMS, a comma-separated list; null for {@value #DEFAULT_STREAM}
     * @param group VANTAGE_REDIS_GROUP; null for {@value #DEFAULT_GROUP}
     * @param autoRegister VANTAGE_REDIS_AUTO_REGISTER, {@code true} or {@code false} (also 1/0, yes/no, on/off); null
     *     for true
     */
    public static RedisIngestSettings of(
            String url, String streams, String group, String autoRegister, String consumer) {
        URI uri;
        try {
            uri = new URI(url.strip());
        } catch (URISyntaxException e) {
            throw new ConfigurationException(URL_FORM);
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!(scheme.equals("redis") || scheme.equals("rediss")) || uri.getHost() == null) {
            throw new ConfigurationException(URL_FORM);
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw new ConfigurationException(
                    "VANTAGE_REDIS_URL: a redis:// URL has no query or fragment (value not" + " shown)");
        }
        String host = uri.getHost().startsWith("[")
                ? uri.getHost().substring(1, uri.getHost().length() - 1)
                : uri.getHost();
        int port = uri.getPort() == -1 ? DEFAULT_PORT : uri.getPort();
        int database = 0;
        String path = uri.getRawPath();
        if (path != null && !path.isEmpty() && !path.equals("/")) {
            if (!path.matches("/[0-9]{1,5}")) {
                throw new ConfigurationException(
                        "VANTAGE_REDIS_URL: the path must be a database number, as in redis://host/2");
            }
            database = Integer.parseInt(path.substring(1));
        }
        String user = null;
        String password = null;
        String userInfo = uri.getRawUserInfo();
        if (userInfo != null) {
            int colon = userInfo.indexOf(':');
            if (colon < 0 || colon == userInfo.length() - 1) {
                throw new ConfigurationException(
                        "VANTAGE_REDIS_URL: user info must be user:password or :password (value not shown)");
            }
            String name = decode(userInfo.substring(0, colon));
            user = name.isEmpty() ? null : name;
            password = decode(userInfo.substring(colon + 1));
        }
        return new RedisIngestSettings(
                host,
                port,
                database,
                user,
                password,
                scheme.equals("rediss"),
                streams == null ? List.of(DEFAULT_STREAM) : list(streams),
                group == null ? DEFAULT_GROUP : group.strip(),
                consumer,
                autoRegister == null || bool(autoRegister),
                BLOCK,
                COUNT,
                CLAIM_MIN_IDLE,
                CLAIM_EVERY,
                TIMEOUT);
    }

    /** These settings with other read and claim timings: for tests, which cannot wait 30 s for a claim. */
    public RedisIngestSettings withTimings(Duration newBlock, Duration newClaimMinIdle, Duration newClaimEvery) {
        return new RedisIngestSettings(
                host,
                port,
                database,
                user,
                password,
                tls,
                streams,
                group,
                consumer,
                autoRegister,
                newBlock,
                count,
                newClaimMinIdle,
                newClaimEvery,
                timeout);
    }

    /** {@code host:port}: names the server in logs, never with a credential. */
    public String address() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    /** {@code redis://host:port[/db]}, for logs: no credential. */
    public String where() {
        return (tls ? "rediss://" : "redis://") + address() + (database == 0 ? "" : "/" + database);
    }

    @Override
    public String toString() {
        return "RedisIngestSettings[" + where() + ", user=" + (user == null ? "none" : "(secret)") + ", password="
                + (password == null ? "none" : "(secret)") + ", streams=" + streams + ", group=" + group
                + ", consumer=" + consumer + ", autoRegister=" + autoRegister + ", block=" + block + ", count="
                + count + ", claimMinIdle=" + claimMinIdle + ", claimEvery=" + claimEvery + ", timeout=" + timeout
                + "]";
    }

    private static List<String> list(String streams) {
        var names = new ArrayList<String>();
        for (String s : streams.split(",", -1)) {
            String name = s.strip();
            if (name.isEmpty()) {
                throw new ConfigurationException(
                        "VANTAGE_REDIS_STREAMS: an empty name in the list (streams are separated by commas)");
            }
            names.add(name);
        }
        return names;
    }

    /** As {@code VANTAGE_NATS_AUTO_REGISTER} reads it: true, 1, yes, on or false, 0, no, off. */
    private static boolean bool(String value) {
        return switch (value.strip().toLowerCase(Locale.ROOT)) {
            case "true", "1", "yes", "on" -> true;
            case "false", "0", "no", "off" -> false;
            default ->
                throw new ConfigurationException(
                        "VANTAGE_REDIS_AUTO_REGISTER: expected true or false, got '" + value + "'");
        };
    }

    /** Percent-decoding as in a URI: a '+' stays a '+'. */
    private static String decode(String raw) {
        try {
            return URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException(
                    "VANTAGE_REDIS_URL: malformed %-escape in the user info (value not shown)");
        }
    }
}
