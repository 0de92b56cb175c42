package dev.vantage.notify.redis;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vantage.notify.ChannelSettingsReader;
import dev.vantage.notify.InvalidChannelException;
import dev.vantage.notify.Secret;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * A validated {@code redis} channel: where the server is, and either a channel to {@code PUBLISH} to or a stream to
 * {@code XADD} to.
 *
 * @param host the server's host name or IP address (IPv6 without brackets)
 * @param port 6379 by default
 * @param database the database number of the URL's path, 0 by default
 * @param user the ACL user, or null for the default user; a secret
 * @param password the password, or null to send none; a secret
 * @param tls {@code rediss://}: TLS, with the server's certificate and host name verified
 * @param channel the Pub/Sub channel to PUBLISH to, or null when {@code stream} is set
 * @param stream the stream key to XADD to, or null when {@code channel} is set
 * @param maxLength the stream's approximate cap ({@code MAXLEN ~}), 0 for none
 * @param timeout the longest one attempt may take
 */
public record RedisSettings(
        String host,
        int port,
        int database,
        Secret user,
        Secret password,
        boolean tls,
        String channel,
        String stream,
        int maxLength,
        Duration timeout) {
    public static final Set<String> KEYS = Set.of("url", "channel", "stream", "maxlen", "timeout_ms");
    public static final int DEFAULT_PORT = 6379;
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    private static final String URL_FORM =
            "must be redis://[[user]:password@]host[:port][/database] or rediss://… (value not shown: it may hold a"
                    + " password)";

    public RedisSettings {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(timeout, "timeout");
        if ((channel == null) == (stream == null)) {
            throw new IllegalArgumentException("exactly one of channel and stream");
        }
    }

    /** {@code host:port}, for outcomes: it names the server and never holds a credential. */
    public String address() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    static RedisSettings from(JsonNode settings) throws InvalidChannelException {
        var s = ChannelSettingsReader.of(settings, KEYS);
        Secret url = s.requiredSecret("url");
        String channel = name(s, "channel");
        String stream = name(s, "stream");
        if (channel == null && stream == null) {
            throw ChannelSettingsReader.invalid(
                    "channel", "is required, or stream: a channel to PUBLISH to or a stream to XADD to");
        }
        if (channel != null && stream != null) {
            throw ChannelSettingsReader.invalid(
                    "stream", "cannot be given with channel: PUBLISH to a channel or XADD to a stream, not both");
        }
        int maxLength = s.integer("maxlen", 0, 1, Integer.MAX_VALUE);
        if (maxLength > 0 && stream == null) {
            throw ChannelSettingsReader.invalid("maxlen", "applies to a stream only");
        }
        Duration timeout = s.timeout("timeout_ms", DEFAULT_TIMEOUT);

        URI uri;
        try {
            uri = new URI(url.reveal());
        } catch (URISyntaxException e) {
            throw ChannelSettingsReader.invalid("url", URL_FORM);
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!(scheme.equals("redis") || scheme.equals("rediss")) || uri.getHost() == null) {
            throw ChannelSettingsReader.invalid("url", URL_FORM);
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw ChannelSettingsReader.invalid("url", "must not have a query or a fragment");
        }
        String host = uri.getHost().startsWith("[")
                ? uri.getHost().substring(1, uri.getHost().length() - 1)
                : uri.getHost();
        int port = uri.getPort() == -1 ? DEFAULT_PORT : uri.getPort();
        int database = database(uri.getRawPath());
        Secret user = null;
        Secret password = null;
        String userInfo = uri.getRawUserInfo();
        if (userInfo != null) {
            int colon = userInfo.indexOf(':');
            if (colon < 0 || colon == userInfo.length() - 1) {
                throw ChannelSettingsReader.invalid(
                        "url", "user info must be user:password or :password (value not shown)");
            }
            String name = decode(userInfo.substring(0, colon));
            user = name.isEmpty() ? null : new Secret(name);
            password = new Secret(decode(userInfo.substring(colon + 1)));
        }
        return new RedisSettings(
                host, port, database, user, password, scheme.equals("rediss"), channel, stream, maxLength, timeout);
    }

    /** A channel or stream name: no blanks, which would only be a pasting mistake, and no control characters. */
    private static String name(ChannelSettingsReader s, String key) throws InvalidChannelException {
        String name = s.string(key);
        if (name != null && !name.matches("\\S+")) {
            throw ChannelSettingsReader.invalid(key, "must not contain blanks");
        }
        return name;
    }

    private static int database(String path) throws InvalidChannelException {
        if (path == null || path.isEmpty() || path.equals("/")) {
            return 0;
        }
        if (!path.matches("/[0-9]{1,5}")) {
            throw ChannelSettingsReader.invalid("url", "the path must be a database number, as in redis://host/2");
        }
        return Integer.parseInt(path.substring(1));
    }

    /** Percent-decoding as in a URI: unlike form decoding, a '+' stays a '+'. */
    private static String decode(String raw) throws InvalidChannelException {
        try {
            return URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw ChannelSettingsReader.invalid("url", "has a malformed %-escape in its user info (value not shown)");
        }
    }
}
