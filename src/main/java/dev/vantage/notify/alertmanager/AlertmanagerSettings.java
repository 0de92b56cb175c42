package dev.vantage.notify.alertmanager;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vantage.notify.ChannelSettingsReader;
import dev.vantage.notify.InvalidChannelException;
import dev.vantage.notify.http.HttpAuth;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import okhttp3.HttpUrl;

/**
 * A validated {@code alertmanager} channel.
 *
 * @param alertsUrl {@code <url>/api/v2/alerts}; the URL carries no credentials
 * @param auth a bearer {@code token} or {@code username} and {@code password} (for an Alertmanager behind a proxy or
 *     with its own web config), or none
 * @param labels static labels added to every alert, e.g. {@code {"team": "web"}}, for Alertmanager's routes
 * @param severity the {@code severity} label of outages (default {@code critical}); certificate warnings are
 *     {@code warning}
 * @param resolveTimeout how long after an attempt an open incident's alert stays firing without a newer notice: its
 *     {@code endsAt}. Keep the channel's {@code repeat_every} shorter, so that reminders refresh it
 * @param statusUrl the {@code generatorURL} of every alert (a link for people, e.g. the status page), or null
 * @param timeout the longest one attempt may take
 */
public record AlertmanagerSettings(
        HttpUrl alertsUrl,
        HttpAuth auth,
        Map<String, String> labels,
        String severity,
        Duration resolveTimeout,
        HttpUrl statusUrl,
        Duration timeout) {
    public static final Set<String> KEYS = Set.of(
            "url",
            "token",
            "username",
            "password",
            "labels",
            "severity",
            "resolve_timeout",
            "status_url",
            "timeout_ms");
    public static final Duration DEFAULT_RESOLVE_TIMEOUT = Duration.ofHours(24);
    static final Duration MIN_RESOLVE_TIMEOUT = Duration.ofMinutes(5);
    static final Duration MAX_RESOLVE_TIMEOUT = Duration.ofDays(30);
    /** The labels Vantage sets on every alert, which static labels may not replace. */
    static final Set<String> RESERVED =
            Set.of("alertname", "severity", "monitor", "monitor_id", "datacenter", "dedup_key", "kind");

    private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
    private static final Pattern DURATION = Pattern.compile("([0-9]{1,6})(s|m|h|d)");

    public AlertmanagerSettings {
        labels = Collections.unmodifiableMap(new LinkedHashMap<>(labels));
    }

    static AlertmanagerSettings from(JsonNode settings) throws InvalidChannelException {
        var s = ChannelSettingsReader.of(settings, KEYS);
        HttpUrl url = s.serverUrl("url", null);
        if (url == null) {
            throw ChannelSettingsReader.invalid(
                    "url", "is required (Alertmanager's address, e.g. http://alertmanager:9093)");
        }
        String severity = s.string("severity");
        if (severity != null && !severity.matches("[a-z][a-z0-9_]{0,31}")) {
            throw ChannelSettingsReader.invalid("severity", "must be a lower-case word such as critical or page");
        }
        return new AlertmanagerSettings(
                url.newBuilder().addPathSegments("api/v2/alerts").build(),
                HttpAuth.read(s),
                labels(s),
                severity == null ? "critical" : severity,
                resolveTimeout(s),
                s.serverUrl("status_url", null),
                s.timeout("timeout_ms", Duration.ofSeconds(10)));
    }

    private static Map<String, String> labels(ChannelSettingsReader s) throws InvalidChannelException {
        JsonNode n = s.node("labels");
        var labels = new LinkedHashMap<String, String>();
        if (n == null) {
            return labels;
        }
        if (!n.isObject()) {
            throw ChannelSettingsReader.invalid("labels", "must be an object of label names to strings");
        }
        for (var e : n.properties()) {
            String name = e.getKey();
            if (!LABEL_NAME.matcher(name).matches() || name.startsWith("__")) {
                throw ChannelSettingsReader.invalid(
                        "labels",
                        "has a name that is not a Prometheus label name ([a-zA-Z_][a-zA-Z0-9_]*, no __ prefix)");
            }
            if (RESERVED.contains(name)) {
                throw ChannelSettingsReader.invalid("labels", "may not set " + name + ": Vantage sets it");
            }
            JsonNode v = e.getValue();
            if (!v.isTextual()
                    || v.textValue().isEmpty()
                    || v.textValue().chars().anyMatch(Character::isISOControl)) {
                throw new InvalidChannelException(
                        "settings.labels." + name, "must be a non-empty string without control characters");
            }
            labels.put(name, v.textValue());
        }
        return labels;
    }

    /** A Prometheus-style duration with one unit: {@code 90m}, {@code 24h}, {@code 7d}. */
    private static Duration resolveTimeout(ChannelSettingsReader s) throws InvalidChannelException {
        String text = s.string("resolve_timeout");
        if (text == null) {
            return DEFAULT_RESOLVE_TIMEOUT;
        }
        Matcher m = DURATION.matcher(text);
        if (!m.matches()) {
            throw ChannelSettingsReader.invalid(
                    "resolve_timeout", "must be a number and a unit (s, m, h, d), e.g. 24h");
        }
        long n = Long.parseLong(m.group(1));
        Duration d =
                switch (m.group(2)) {
                    case "s" -> Duration.ofSeconds(n);
                    case "m" -> Duration.ofMinutes(n);
                    case "h" -> Duration.ofHours(n);
                    default -> Duration.ofDays(n);
                };
        if (d.compareTo(MIN_RESOLVE_TIMEOUT) < 0 || d.compareTo(MAX_RESOLVE_TIMEOUT) > 0) {
            throw ChannelSettingsReader.invalid("resolve_timeout", "must be between 5m and 30d");
        }
        return d;
    }
}
