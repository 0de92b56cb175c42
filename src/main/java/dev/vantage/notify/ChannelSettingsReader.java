package dev.vantage.notify;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vantage.config.JsonSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import okhttp3.HttpUrl;

/**
 * Reads a channel's {@code settings} object, key by key, into plain values. Every problem is an
 * {@link InvalidChannelException} on {@code settings.<key>} whose reason names what was expected. Readers of secret
 * values ({@link #secret}, {@link #url}, {@link #secretHeaders}) never quote the value in a message; the others may
 * quote a number or a word, never a whole string a user typed. A JSON {@code null} counts as absent.
 */
public final class ChannelSettingsReader extends JsonSettings<InvalidChannelException> {
    private ChannelSettingsReader(JsonNode settings, Set<String> known) throws InvalidChannelException {
        super(settings, known, InvalidChannelException::new);
    }

    /** Checks that {@code settings} is an object with only known keys. */
    public static ChannelSettingsReader of(JsonNode settings, Set<String> known) throws InvalidChannelException {
        return new ChannelSettingsReader(settings, known);
    }

    /** {@code timeout_ms}: a per-attempt limit between 100 ms and 2 minutes. */
    public Duration timeout(String key, Duration fallback) throws InvalidChannelException {
        return Duration.ofMillis(integer(key, (int) fallback.toMillis(), 100, 120_000));
    }

    /** A non-empty string without control characters, or null when absent. Not for secrets: messages may quote it. */
    public String string(String key) throws InvalidChannelException {
        String s = text(key, false);
        if (s != null && hasControl(s)) {
            throw invalid(key, "must not contain control characters");
        }
        return s;
    }

    /** A required {@link #string}. */
    public String requiredString(String key) throws InvalidChannelException {
        String s = string(key);
        if (s == null) {
            throw invalid(key, "is required");
        }
        return s;
    }

    /** One of {@code allowed}, or the fallback when absent. */
    public String choice(String key, String fallback, List<String> allowed) throws InvalidChannelException {
        String s = text(key, false);
        if (s == null) {
            return fallback;
        }
        if (!allowed.contains(s)) {
            throw invalid(key, "must be one of " + String.join(", ", allowed));
        }
        return s;
    }

    /** A non-empty secret without control characters or surrounding blanks, or null when absent. */
    public Secret secret(String key) throws InvalidChannelException {
        String s = text(key, false);
        if (s == null) {
            return null;
        }
        if (hasControl(s) || !s.strip().equals(s)) {
            throw invalid(key, "must not contain control characters or surrounding blanks");
        }
        return new Secret(s);
    }

    public Secret requiredSecret(String key) throws InvalidChannelException {
        Secret s = secret(key);
        if (s == null) {
            throw invalid(key, "is required");
        }
        return s;
    }

    /**
     * An absolute http or https URL, or the fallback (which may be null) when absent. The URL is treated as a secret
     * (Slack and many webhook receivers carry their token in it), so no message quotes it.
     */
    public HttpUrl url(String key, HttpUrl fallback) throws InvalidChannelException {
        String s = text(key, false);
        if (s == null) {
            return fallback;
        }
        HttpUrl url = hasControl(s) ? null : HttpUrl.parse(s.strip());
        if (url == null) {
            throw invalid(key, "must be an absolute http:// or https:// URL (value not shown: it may hold a token)");
        }
        return url;
    }

    /**
     * A {@link #url} of a server whose credentials are settings of their own: it may carry no user info, so that it
     * can be shown. The message still does not quote it.
     */
    public HttpUrl serverUrl(String key, HttpUrl fallback) throws InvalidChannelException {
        HttpUrl url = url(key, fallback);
        if (url != null && (!url.username().isEmpty() || !url.password().isEmpty())) {
            throw invalid(key, "must not carry user info (give credentials in their own settings)");
        }
        return url;
    }

    /** An array of non-empty strings without control characters; an empty list when absent. */
    public List<String> strings(String key) throws InvalidChannelException {
        JsonNode n = node(key);
        if (n == null) {
            return List.of();
        }
        if (!n.isArray()) {
            throw mistyped(key, "an array of strings", n);
        }
        var out = new ArrayList<String>();
        for (int i = 0; i < n.size(); i++) {
            JsonNode item = n.get(i);
            if (!item.isTextual() || item.textValue().isBlank() || hasControl(item.textValue())) {
                throw new InvalidChannelException(
                        "settings." + key + "[" + i + "]", "must be a non-empty string without control characters");
            }
            out.add(item.textValue());
        }
        return List.copyOf(out);
    }

    /**
     * An object of HTTP header names to secret values, in the order given; empty when absent. Names must be HTTP
     * tokens; values are never quoted.
     */
    public Map<String, Secret> secretHeaders(String key) throws InvalidChannelException {
        JsonNode n = node(key);
        if (n == null) {
            return Map.of();
        }
        if (!n.isObject()) {
            throw mistyped(key, "an object of header names to strings", n);
        }
        var out = new LinkedHashMap<String, Secret>();
        for (var e : n.properties()) {
            String name = e.getKey();
            if (!name.matches("[!#$%&'*+.^_`|~0-9A-Za-z-]+")) {
                throw new InvalidChannelException("settings." + key, "has a header name that is not an HTTP token");
            }
            JsonNode v = e.getValue();
            // Printable ASCII only: HTTP clients refuse anything else, quoting the value in their message.
            if (!v.isTextual() || !v.textValue().chars().allMatch(c -> c >= 0x20 && c < 0x7f)) {
                throw new InvalidChannelException(
                        "settings." + key + "." + name, "must be a string of printable ASCII characters");
            }
            out.put(name, new Secret(v.textValue()));
        }
        return java.util.Collections.unmodifiableMap(out);
    }

    private static boolean hasControl(String s) {
        return s.chars().anyMatch(Character::isISOControl);
    }

    /** The problem for {@code settings.<key>}, for checks a settings class makes itself. */
    public static InvalidChannelException invalid(String key, String reason) {
        return new InvalidChannelException("settings." + key, reason);
    }
}
