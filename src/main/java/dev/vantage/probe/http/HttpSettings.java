package dev.vantage.probe.http;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vantage.probe.InvalidMonitorException;
import dev.vantage.probe.MonitorSpec;
import dev.vantage.probe.SettingsReader;
import dev.vantage.probe.UrlText;
import dev.vantage.probe.tls.CertificateFacts;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import okhttp3.HttpUrl;
import okhttp3.MediaType;

/**
 * A validated {@code http} monitor row. Immutable; {@link #toString()} never prints header values or the body.
 *
 * @param url absolute http or https URL
 * @param method upper-case request method
 * @param headers request headers as configured (values are secrets)
 * @param body request body text, or null for none
 * @param contentType media type of the body, or null when there is no body
 * @param expectedStatus accepted statuses of the final response
 * @param followRedirects follow 301, 302, 303, 307 and 308
 * @param maxRedirects hops followed at most
 * @param verifyTls verify the certificate chain and host name
 * @param maxBodyBytes body bytes read at most (up to {@link #MAX_BODY_BYTES}); reading stops there without error
 * @param bodyContains text the body must contain, or null
 * @param followHttpsToHttp follow a redirect from https to http (off: such a redirect is the final response)
 * @param assertions checks on the final response that must all hold ({@code settings.assertions})
 * @param certExpiryWarningDays an https certificate that expires within this many days is reported with a warning
 */
public record HttpSettings(
        HttpUrl url,
        String method,
        Map<String, String> headers,
        String body,
        MediaType contentType,
        ExpectedStatus expectedStatus,
        boolean followRedirects,
        int maxRedirects,
        boolean verifyTls,
        int maxBodyBytes,
        String bodyContains,
        boolean followHttpsToHttp,
        Assertions assertions,
        int certExpiryWarningDays) {

    public static final List<String> METHODS = List.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS");
    public static final Set<String> KEYS = Set.of(
            "expected_status",
            "follow_redirects",
            "max_redirects",
            "verify_tls",
            "max_body_bytes",
            "body_contains",
            "follow_https_to_http",
            "assertions",
            "cert_expiry_warning_days");
    public static final int DEFAULT_MAX_BODY_BYTES = 1 << 20;
    /**
     * The largest {@code max_body_bytes}. The body is streamed and never held, so this bounds the time and bandwidth a
     * probe spends on one body, not its memory.
     */
    public static final int MAX_BODY_BYTES = 64 << 20;

    private static final Pattern SCHEME = Pattern.compile("^([A-Za-z][A-Za-z0-9+.-]*):.*", Pattern.DOTALL);
    private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");
    private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    public HttpSettings {
        headers = Map.copyOf(headers);
    }

    /** Validates a row; the first problem is reported with its field. */
    public static HttpSettings from(MonitorSpec spec) throws InvalidMonitorException {
        HttpUrl url = url(spec.url());
        String method = method(spec.method());
        Map<String, String> headers = headers(spec.headers());
        String body = spec.body() == null || spec.body().isEmpty() ? null : spec.body();
        if (body != null && (method.equals("GET") || method.equals("HEAD"))) {
            throw new InvalidMonitorException("body", "is not allowed with method " + method);
        }
        MediaType contentType = body == null ? null : contentType(headers, body);
        SettingsReader s = SettingsReader.of(spec.settings(), KEYS);
        return new HttpSettings(
                url,
                method,
                headers,
                body,
                contentType,
                ExpectedStatus.parse(s.node("expected_status")),
                s.bool("follow_redirects", true),
                s.integer("max_redirects", 5, 0, 20),
                s.bool("verify_tls", true),
                s.integer("max_body_bytes", DEFAULT_MAX_BODY_BYTES, 1, MAX_BODY_BYTES),
                s.string("body_contains"),
                s.bool("follow_https_to_http", false),
                Assertions.parse(s.node("assertions")),
                s.integer("cert_expiry_warning_days", CertificateFacts.DEFAULT_WARNING_DAYS, 0, 3650));
    }

    static HttpUrl url(String text) throws InvalidMonitorException {
        if (text == null || text.isBlank()) {
            throw new InvalidMonitorException("url", "is empty");
        }
        var m = SCHEME.matcher(text.trim());
        if (!m.matches()) {
            throw new InvalidMonitorException("url", "is not an absolute URL: '" + UrlText.quotable(text) + "'");
        }
        String scheme = m.group(1).toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new InvalidMonitorException("url", "scheme must be http or https, was '" + m.group(1) + "'");
        }
        HttpUrl url = HttpUrl.parse(text.trim());
        if (url == null || url.host().isEmpty()) {
            throw new InvalidMonitorException(
                    "url", "is not a valid URL with a host: '" + UrlText.quotable(text) + "'");
        }
        return url;
    }

    static String method(String text) throws InvalidMonitorException {
        if (text == null || text.isBlank()) {
            return "GET";
        }
        String method = text.trim().toUpperCase(Locale.ROOT);
        if (!METHODS.contains(method)) {
            throw new InvalidMonitorException(
                    "method", "must be one of " + String.join(", ", METHODS) + ", was '" + text + "'");
        }
        return method;
    }

    /** Checks names and values without ever putting a value into a message. */
    static Map<String, String> headers(Map<String, String> headers) throws InvalidMonitorException {
        var checked = new LinkedHashMap<String, String>();
        for (var e : headers.entrySet()) {
            String name = e.getKey();
            if (name == null || !TOKEN.matcher(name).matches()) {
                throw new InvalidMonitorException("headers", badName(name));
            }
            String value = e.getValue() == null ? "" : e.getValue();
            for (int i = 0; i < value.length(); i++) {
                char c = value.charAt(i);
                if (c == '\r' || c == '\n') {
                    throw new InvalidMonitorException("headers." + name, "value contains a line break");
                }
                if ((c < 0x20 && c != '\t') || c == 0x7f) {
                    throw new InvalidMonitorException("headers." + name, "value contains a control character");
                }
            }
            checked.put(name, value);
        }
        return checked;
    }

    /**
     * Why a header name is refused, quoting it only up to its first invalid character: a user who pasted a whole header
     * line ({@code "Authorization: Bearer …"}) as a name has put the secret value after it.
     */
    static String badName(String name) {
        if (name == null || name.isEmpty()) {
            return "a header name is empty";
        }
        int bad = 0;
        while (bad < name.length()
                && TOKEN.matcher(name.substring(bad, bad + 1)).matches()) {
            bad++;
        }
        char c = name.charAt(bad);
        String what = c == ' ' ? "a space" : Character.isISOControl(c) ? "a control character" : "'" + c + "'";
        return "name '" + name.substring(0, bad) + "…' is not a valid header name: it contains " + what
                + " (the rest is not shown, in case it holds a value)";
    }

    private static MediaType contentType(Map<String, String> headers, String body) throws InvalidMonitorException {
        for (var e : headers.entrySet()) {
            if (e.getKey().equalsIgnoreCase("Content-Type")) {
                MediaType type = MediaType.parse(e.getValue());
                if (type == null) {
                    throw new InvalidMonitorException("headers." + e.getKey(), "value is not a media type");
                }
                return type;
            }
        }
        return MediaType.get(isJson(body) ? "application/json" : "text/plain; charset=utf-8");
    }

    private static boolean isJson(String body) {
        try {
            return !JSON.readTree(body).isMissingNode();
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public String toString() {
        return "HttpSettings[" + method + " " + url.redact() + ", headers=" + headers.keySet()
                + " (values hidden), body=" + (body == null ? "none" : body.length() + " chars") + ", expectedStatus="
                + expectedStatus + ", followRedirects=" + followRedirects + ", maxRedirects=" + maxRedirects
                + ", verifyTls=" + verifyTls + ", maxBodyBytes=" + maxBodyBytes + ", bodyContains=" + bodyContains
                + ", followHttpsToHttp=" + followHttpsToHttp + ", assertions="
                + assertions.list().size()
                + ", certExpiryWarningDays=" + certExpiryWarningDays + "]";
    }
}
