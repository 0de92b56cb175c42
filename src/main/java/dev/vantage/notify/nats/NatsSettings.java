package dev.vantage.notify.nats;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vantage.notify.ChannelSettingsReader;
import dev.vantage.notify.InvalidChannelException;
import dev.vantage.notify.Secret;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * A validated {@code nats} channel.
 *
 * @param host the server's host name or IP address (IPv6 without brackets)
 * @param port 4222 by default
 * @param user the user of user/password authentication, or null; a secret
 * @param password its password, or null; a secret
 * @param token the token of token authentication, or null; a secret
 * @param subject the subject published to: dot-separated tokens, no blanks, no wildcards
 * @param timeout the longest one attempt may take
 */
public record NatsSettings(
        String host, int port, Secret user, Secret password, Secret token, String subject, Duration timeout) {
    public static final Set<String> KEYS = Set.of("url", "user", "password", "token", "subject", "timeout_ms");
    public static final int DEFAULT_PORT = 4222;
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    /** Dot-separated tokens of printable characters other than the wildcards; NATS caps nothing, we cap at 255. */
    private static final String SUBJECT = "[^\\s.*>]+(\\.[^\\s.*>]+)*";

    public NatsSettings {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(timeout, "timeout");
    }

    /** The server's URL for the client: {@code nats://host:port}, without credentials. */
    public String url() {
        return "nats://" + address();
    }

    /** {@code host:port}, for outcomes: it names the server and never holds a credential. */
    public String address() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    static NatsSettings from(JsonNode settings) throws InvalidChannelException {
        var s = ChannelSettingsReader.of(settings, KEYS);
        Secret url = s.requiredSecret("url");
        Secret user = s.secret("user");
        Secret password = s.secret("password");
        Secret token = s.secret("token");
        if ((user == null) != (password == null)) {
            throw ChannelSettingsReader.invalid(
                    user == null ? "user" : "password", "is required with " + (user == null ? "password" : "user"));
        }
        if (token != null && user != null) {
            throw ChannelSettingsReader.invalid("token", "cannot be given with user and password: choose one");
        }
        String subject = s.requiredString("subject");
        if (subject.length() > 255 || !subject.matches(SUBJECT)) {
            throw ChannelSettingsReader.invalid(
                    "subject",
                    "must be a NATS subject to publish to: tokens separated by dots, without blanks or the wildcards"
                            + " * and >, at most 255 characters");
        }
        Duration timeout = s.timeout("timeout_ms", DEFAULT_TIMEOUT);

        URI uri;
        try {
            uri = new URI(url.reveal());
        } catch (URISyntaxException e) {
            throw invalidUrl();
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("nats") || uri.getHost() == null) {
            throw invalidUrl();
        }
        if (uri.getRawUserInfo() != null) {
            throw ChannelSettingsReader.invalid(
                    "url", "must not hold credentials: give user and password, or token (value not shown)");
        }
        if (!(uri.getRawPath() == null
                        || uri.getRawPath().isEmpty()
                        || uri.getRawPath().equals("/"))
                || uri.getRawQuery() != null
                || uri.getRawFragment() != null) {
            throw ChannelSettingsReader.invalid("url", "must not have a path, a query or a fragment");
        }
        String host = uri.getHost().startsWith("[")
                ? uri.getHost().substring(1, uri.getHost().length() - 1)
                : uri.getHost();
        int port = uri.getPort() == -1 ? DEFAULT_PORT : uri.getPort();
        return new NatsSettings(host, port, user, password, token, subject, timeout);
    }

    private static InvalidChannelException invalidUrl() {
        return ChannelSettingsReader.invalid(
                "url", "must be nats://host[:port] (value not shown: it may hold a token)");
    }
}
