package dev.vantage.push.nats;

import dev.vantage.config.ConfigurationException;
import dev.vantage.notify.Secret;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Where and how {@code vantage monitor} takes beats from NATS. Validated once, with the variable's name in the message;
 * the URL's credentials are held apart from its servers, so that nothing printed (logs, {@link #toString()}) shows
 * them.
 *
 * @param servers {@code nats://host:port} (or {@code tls://}) of each server, without credentials
 * @param user, password the URL's {@code user:password@}, or null
 * @param token the URL's {@code token@}, or null
 * @param subjectPrefix the subjects taken are {@code <prefix>>} (VANTAGE_NATS_SUBJECT_PREFIX), e.g. {@code heartbeat.}
 * @param queue the queue group every replica subscribes in, so each message is taken by one (VANTAGE_NATS_QUEUE)
 * @param primeStream a JetStream stream whose last message per subject is taken at start, or null
 *     (VANTAGE_NATS_PRIME_STREAM)
 * @param autoRegister whether a subject no push monitor has is registered as one (VANTAGE_NATS_AUTO_REGISTER)
 * @param primeTimeout how long priming may take at most
 * @param inFlight beats taken at once at most: each waits for its commit, so this bounds what group commit can batch;
 *     a subject's beats are always taken in order. Below the writer's queue capacity (4,096), which pings share
 */
public record NatsIngestSettings(
        List<String> servers,
        Secret user,
        Secret password,
        Secret token,
        String subjectPrefix,
        String queue,
        String primeStream,
        boolean autoRegister,
        Duration primeTimeout,
        int inFlight) {

    public static final String DEFAULT_PREFIX = "heartbeat.";
    public static final String DEFAULT_QUEUE = "vantage-ingest";
    public static final Duration DEFAULT_PRIME_TIMEOUT = Duration.ofSeconds(2);
    public static final int DEFAULT_IN_FLIGHT = 1_024;
    private static final int DEFAULT_PORT = 4222;
    /** Subject tokens: no blanks, no wildcards. */
    private static final String TOKENS = "[^\\s.*>]+(\\.[^\\s.*>]+)*";

    public NatsIngestSettings {
        servers = List.copyOf(servers);
        if (servers.isEmpty()) {
            throw new ConfigurationException("VANTAGE_NATS_URL: no server");
        }
        Objects.requireNonNull(subjectPrefix, "subjectPrefix");
        String bare =
                subjectPrefix.endsWith(".") ? subjectPrefix.substring(0, subjectPrefix.length() - 1) : subjectPrefix;
        if (!bare.isEmpty() && !bare.matches(TOKENS)) {
            throw new ConfigurationException("VANTAGE_NATS_SUBJECT_PREFIX: must be subject tokens separated by dots,"
                    + " without blanks or the wildcards * and >, e.g. heartbeat., was '" + subjectPrefix + "'");
        }
        if (queue == null || queue.isBlank() || !queue.matches("\\S+")) {
            throw new ConfigurationException("VANTAGE_NATS_QUEUE: must be a name without blanks, was '" + queue + "'");
        }
        if (primeStream != null && !primeStream.matches("[^\\s.*>/\\\\]+")) {
            throw new ConfigurationException(
                    "VANTAGE_NATS_PRIME_STREAM: must be a stream name (no blanks, dots, * or >), was '" + primeStream
                            + "'");
        }
        if (primeTimeout == null || primeTimeout.isNegative() || primeTimeout.isZero()) {
            throw new ConfigurationException("primeTimeout must be positive, was " + primeTimeout);
        }
        if (inFlight < 1 || inFlight > 2_048) {
            throw new ConfigurationException("inFlight must be 1 to 2048, was " + inFlight);
        }
        if ((user == null) != (password == null)) {
            throw new ConfigurationException("VANTAGE_NATS_URL: a user needs a password (value not shown)");
        }
    }

    /**
     * Settings from the URL and the others as given (null for a default).
     *
     * @param url {@code nats://[user:password@ or token@]host[:port]}, or several separated by commas (one cluster;
     *     the credentials of the first that has them)
     */
    public static NatsIngestSettings of(
            String url, String subjectPrefix, String queue, String primeStream, Boolean autoRegister) {
        var servers = new ArrayList<String>();
        Secret user = null;
        Secret password = null;
        Secret token = null;
        for (String one : url.split(",")) {
            URI uri;
            try {
                uri = new URI(one.strip());
            } catch (URISyntaxException e) {
                throw invalidUrl();
            }
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!(scheme.equals("nats") || scheme.equals("tls")) || uri.getHost() == null) {
                throw invalidUrl();
            }
            if (!(uri.getRawPath() == null
                            || uri.getRawPath().isEmpty()
                            || uri.getRawPath().equals("/"))
                    || uri.getRawQuery() != null
                    || uri.getRawFragment() != null) {
                throw new ConfigurationException(
                        "VANTAGE_NATS_URL: a nats:// URL has no path, query or fragment (value not shown)");
            }
            int port = uri.getPort() == -1 ? DEFAULT_PORT : uri.getPort();
            servers.add(scheme + "://" + uri.getHost() + ":" + port);
            String info = uri.getRawUserInfo();
            if (info != null && user == null && token == null) {
                int colon = info.indexOf(':');
                if (colon < 0) {
                    token = new Secret(decode(info));
                } else {
                    user = new Secret(decode(info.substring(0, colon)));
                    password = new Secret(decode(info.substring(colon + 1)));
                }
            }
        }
        return new NatsIngestSettings(
                servers,
                user,
                password,
                token,
                subjectPrefix == null ? DEFAULT_PREFIX : subjectPrefix.strip(),
                queue == null ? DEFAULT_QUEUE : queue.strip(),
                primeStream == null || primeStream.isBlank() ? null : primeStream.strip(),
                autoRegister == null || autoRegister,
                DEFAULT_PRIME_TIMEOUT,
                DEFAULT_IN_FLIGHT);
    }

    /** What the subscription takes: {@code <prefix>>}, as the Go monitor's {@code <prefix>.>}; {@code >} for none. */
    public String subscription() {
        String bare =
                subjectPrefix.endsWith(".") ? subjectPrefix.substring(0, subjectPrefix.length() - 1) : subjectPrefix;
        return bare.isEmpty() ? ">" : bare + ".>";
    }

    /** The servers, for logs: {@code nats://host:port}, never a credential. */
    public String address() {
        return String.join(",", servers);
    }

    public NatsIngestSettings withPrimeTimeout(Duration value) {
        return new NatsIngestSettings(
                servers, user, password, token, subjectPrefix, queue, primeStream, autoRegister, value, inFlight);
    }

    public NatsIngestSettings withInFlight(int value) {
        return new NatsIngestSettings(
                servers, user, password, token, subjectPrefix, queue, primeStream, autoRegister, primeTimeout, value);
    }

    public NatsIngestSettings withQueue(String value) {
        return new NatsIngestSettings(
                servers,
                user,
                password,
                token,
                subjectPrefix,
                value,
                primeStream,
                autoRegister,
                primeTimeout,
                inFlight);
    }

    public NatsIngestSettings withAutoRegister(boolean value) {
        return new NatsIngestSettings(
                servers, user, password, token, subjectPrefix, queue, primeStream, value, primeTimeout, inFlight);
    }

    public NatsIngestSettings withPrimeStream(String value) {
        return new NatsIngestSettings(
                servers, user, password, token, subjectPrefix, queue, value, autoRegister, primeTimeout, inFlight);
    }

    private static String decode(String raw) {
        try {
            return URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException("VANTAGE_NATS_URL: malformed %-escape in the user info (value not shown)");
        }
    }

    private static ConfigurationException invalidUrl() {
        return new ConfigurationException("VANTAGE_NATS_URL: must be nats://[user:password@ or token@]host[:port],"
                + " or several separated by commas (value not shown: it may hold a secret)");
    }
}
