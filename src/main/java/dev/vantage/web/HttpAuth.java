package dev.vantage.web;

import dev.vantage.config.ConfigurationException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

/**
 * Who may read the HTTP endpoints other than {@code /healthz}: anyone ({@link #NONE}), or a client that sends a bearer
 * token or basic-auth credentials (either, when both are configured). Credentials are compared as SHA-256 digests with
 * {@link MessageDigest#isEqual}, so neither their content nor their length shows in the response time. Neither the
 * expected values nor what a client sent ever appears in a log line or a response.
 */
public final class HttpAuth {
    public static final HttpAuth NONE = new HttpAuth(null, null);

    private static final String REALM = "vantage";

    private final byte[] token; // digest, or null
    private final byte[] basic; // digest of "user:password", or null

    private HttpAuth(byte[] token, byte[] basic) {
        this.token = token;
        this.basic = basic;
    }

    /**
     * @param token a bearer token, or null
     * @param basicUserPassword {@code user:password}, or null
     */
    public static HttpAuth of(String token, String basicUserPassword) {
        if (basicUserPassword != null && basicUserPassword.indexOf(':') < 1) {
            // The value is a credential: say what is wrong with it, never what it is.
            throw new ConfigurationException(
                    "VANTAGE_HTTP_BASIC_AUTH: expected user:password (a user name, a colon," + " then the password)");
        }
        if (token != null && token.isBlank()) {
            throw new ConfigurationException("VANTAGE_HTTP_TOKEN: the token is empty");
        }
        return new HttpAuth(
                token == null ? null : digest(token), basicUserPassword == null ? null : digest(basicUserPassword));
    }

    public boolean required() {
        return token != null || basic != null;
    }

    /** Whether an {@code Authorization} header value (null when absent) grants access. */
    public boolean allows(String authorization) {
        if (!required()) {
            return true;
        }
        if (authorization == null) {
            return false;
        }
        String value = authorization.strip();
        int space = value.indexOf(' ');
        if (space < 0) {
            return false;
        }
        String scheme = value.substring(0, space).toLowerCase(Locale.ROOT);
        String credentials = value.substring(space + 1).strip();
        return switch (scheme) {
            case "bearer" -> token != null && MessageDigest.isEqual(token, digest(credentials));
            case "basic" -> basic != null && MessageDigest.isEqual(basic, digest(decodeBasic(credentials)));
            default -> false;
        };
    }

    /** The {@code WWW-Authenticate} values of a 401: one per scheme the server accepts. */
    public List<String> challenges() {
        var challenges = new ArrayList<String>(2);
        if (token != null) {
            challenges.add("Bearer realm=\"" + REALM + "\"");
        }
        if (basic != null) {
            challenges.add("Basic realm=\"" + REALM + "\", charset=\"UTF-8\"");
        }
        return challenges;
    }

    private static String decodeBasic(String credentials) {
        try {
            return new String(Base64.getDecoder().decode(credentials), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return ""; // not base64: no match, with no shortcut that tells a guesser anything
        }
    }

    private static byte[] digest(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    @Override
    public String toString() {
        return "HttpAuth[" + (required() ? String.join(",", challenges()) : "none") + "]";
    }
}
