package dev.vantage.beat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vantage.config.ConfigurationException;
import io.nats.client.AuthenticationException;
import io.nats.client.Connection;
import io.nats.client.ErrorListener;
import io.nats.client.Nats;
import io.nats.client.Options;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.concurrent.TimeoutException;

/**
 * Beats published to a NATS subject as the Go nats-heartbeat agent publishes them, so that its monitors and Vantage
 * read the same messages: {@code {"subject", "generated_at", "interval", "grace_period", "host", "description"}}, with
 * Go's encodings (an RFC 3339 time with nanoseconds, durations as integer nanoseconds), plus Vantage's fields when set:
 * {@code kind} (absent for success), {@code exit_status}, {@code message}, {@code rid}.
 *
 * <p>Each attempt connects, publishes, flushes and closes: the flush is a round trip, so a publish the server did not
 * take is a failed attempt, never a silent loss; and a sender that beats every few seconds holds no connection that
 * could go stale between beats. Refused credentials and a refused publish permission are rejected for good;
 * connection failures and timeouts are retried. Details name the server's {@code host:port}, never a credential.
 */
public final class NatsBeatSender implements BeatSender {
    public static final int DEFAULT_PORT = 4222;

    /** Shown in the server's connection list ({@code /connz}). */
    static final String CONNECTION_NAME = "vantage-beat";

    /** Dot-separated tokens without blanks or wildcards, as in the nats notifier. */
    private static final String SUBJECT = "[^\\s.*>]+(\\.[^\\s.*>]+)*";

    /**
     * Left of the budget after the connect's own timeout: jnats reports refused credentials only when its connect
     * times out, so the connect must time out before the attempt does for them to be told from a silent server.
     */
    private static final Duration AFTER_CONNECT = Duration.ofMillis(250);

    /** jnats's default listener logs through java.util.logging; the outcome says what failed instead. */
    private static final ErrorListener SILENT = new ErrorListener() {};

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String host;
    private final int port;
    private final String user;
    private final String password;
    private final String token;
    private final String subject;
    private final Clock clock;

    private NatsBeatSender(
            String host, int port, String user, String password, String token, String subject, Clock clock) {
        this.host = host;
        this.port = port;
        this.user = user;
        this.password = password;
        this.token = token;
        this.subject = subject;
        this.clock = clock;
    }

    static NatsBeatSender open(Destination destination, Clock clock) {
        String subject = destination.subject();
        if (subject == null) {
            throw new ConfigurationException(
                    "--subject is required with a nats:// URL (or set SUBJECT), e.g. --subject heartbeat.service.api");
        }
        if (subject.length() > 255 || !subject.matches(SUBJECT)) {
            throw new ConfigurationException("--subject: must be a NATS subject to publish to: tokens separated by"
                    + " dots, without blanks or the wildcards * and >, at most 255 characters");
        }
        if (destination.stream() != null) {
            throw new ConfigurationException("--stream: applies to redis:// URLs only");
        }
        URI uri;
        try {
            uri = new URI(destination.url().strip());
        } catch (URISyntaxException e) {
            throw invalidUrl();
        }
        if (!"nats".equals(lower(uri.getScheme())) || uri.getHost() == null) {
            throw invalidUrl();
        }
        if (!(uri.getRawPath() == null
                        || uri.getRawPath().isEmpty()
                        || uri.getRawPath().equals("/"))
                || uri.getRawQuery() != null
                || uri.getRawFragment() != null) {
            throw new ConfigurationException("URL: a nats:// URL has no path, query or fragment (value not shown)");
        }
        String host = uri.getHost().startsWith("[")
                ? uri.getHost().substring(1, uri.getHost().length() - 1)
                : uri.getHost();
        int port = uri.getPort() == -1 ? DEFAULT_PORT : uri.getPort();
        String user = null;
        String password = null;
        String token = null;
        String userInfo = uri.getRawUserInfo();
        if (userInfo != null) {
            int colon = userInfo.indexOf(':');
            if (colon < 0) {
                token = decode(userInfo);
            } else {
                user = decode(userInfo.substring(0, colon));
                password = decode(userInfo.substring(colon + 1));
            }
        }
        return new NatsBeatSender(host, port, user, password, token, subject, clock);
    }

    /**
     * The message for {@code beat}: the Go agent's fields in its order, then Vantage's. Pure, for exact tests.
     *
     * @param generatedAt when the beat was made, written as Go writes a {@code time.Time}
     */
    public static String payload(String subject, Beat beat, Instant generatedAt) {
        ObjectNode json = JSON.createObjectNode();
        json.put("subject", subject);
        json.put("generated_at", Rfc3339.format(generatedAt));
        json.put("interval", beat.interval().toNanos());
        if (beat.grace() != null) {
            json.put("grace_period", beat.grace().toNanos());
        }
        json.put("host", beat.host());
        if (beat.description() != null) {
            json.put("description", beat.description());
        }
        if (beat.kind() != Beat.Kind.SUCCESS) {
            json.put("kind", beat.kind().wireName);
        }
        if (beat.exitStatus() != null) {
            json.put("exit_status", beat.exitStatus());
        }
        if (beat.message() != null) {
            json.put("message", beat.message());
        }
        if (beat.rid() != null) {
            json.put("rid", beat.rid().toString());
        }
        return json.toString();
    }

    /** {@code host:port}: names the server, never holds a credential. */
    String address() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    @Override
    public String where() {
        return "nats://" + address() + " subject " + subject;
    }

    @Override
    public Outcome send(Beat beat, Deadline deadline) {
        Duration budget = deadline.remaining();
        if (budget.toMillis() < 1) {
            return Outcome.retry("NATS at " + address() + ": no time left for an attempt");
        }
        Duration connectTimeout =
                budget.compareTo(AFTER_CONNECT.multipliedBy(2)) > 0 ? budget.minus(AFTER_CONNECT) : budget;
        String at = "NATS at " + address();
        Connection connection = null;
        try {
            connection = Nats.connect(options(connectTimeout));
            connection.publish(subject, payload(subject, beat, clock.instant()).getBytes(StandardCharsets.UTF_8));
            connection.flush(atLeastOneMilli(deadline.remaining()));
            String error = connection.getLastError();
            if (error != null) {
                return serverError(at, error);
            }
            return Outcome.delivered();
        } catch (AuthenticationException e) {
            return Outcome.rejected(at + " refused the credentials");
        } catch (IOException e) {
            return Outcome.retry(at + ": cannot connect (refused, unreachable or no answer)");
        } catch (TimeoutException e) {
            return Outcome.retry(at + " did not confirm the publish within "
                    + GoDuration.format(Duration.ofMillis(budget.toMillis())));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Outcome.retry(at + ": attempt interrupted");
        } catch (RuntimeException e) {
            // Never the exception's message: jnats quotes the server's words and its URL.
            return Outcome.retry(at + ": " + e.getClass().getSimpleName());
        } finally {
            close(connection);
        }
    }

    private Options options(Duration connectTimeout) {
        var options = new Options.Builder()
                .server("nats://" + address())
                .connectionName(CONNECTION_NAME)
                .connectionTimeout(connectTimeout)
                .noReconnect()
                .ignoreDiscoveredServers()
                .errorListener(SILENT);
        if (user != null) {
            options.userInfo(user.toCharArray(), password.toCharArray());
        }
        if (token != null) {
            options.token(token.toCharArray());
        }
        return options.build();
    }

    /** A {@code -ERR} the server sent while we published: a refused permission will be refused again. */
    private static Outcome serverError(String at, String error) {
        String lower = error.toLowerCase(Locale.ROOT);
        if (lower.contains("permissions violation")) {
            return Outcome.rejected(at + " refused the publish: permissions violation");
        }
        if (lower.contains("authorization") || lower.contains("authentication")) {
            return Outcome.rejected(at + " refused the credentials");
        }
        return Outcome.retry(at + " answered an error");
    }

    private static void close(Connection connection) {
        if (connection == null) {
            return;
        }
        try {
            connection.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Duration atLeastOneMilli(Duration d) {
        return d.compareTo(Duration.ofMillis(1)) < 0 ? Duration.ofMillis(1) : d;
    }

    private static String lower(String s) {
        return s == null ? "" : s.toLowerCase(Locale.ROOT);
    }

    /** Percent-decoding as in a URI: a '+' stays a '+'. */
    private static String decode(String raw) {
        try {
            return URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException("URL: malformed %-escape in the user info (value not shown)");
        }
    }

    private static ConfigurationException invalidUrl() {
        return new ConfigurationException(
                "URL: must be nats://[user:password@ or token@]host[:port] (value not shown: it may hold a secret)");
    }
}
