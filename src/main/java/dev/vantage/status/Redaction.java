package dev.vantage.status;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Scrubs secret values out of a validation message before the status shows it. The validators already name fields
 * rather than values, but a few quote what they reject (an unparsable URL, which may carry {@code user:password@} or a
 * token in its query), and a status page is read by more people than a log: every value that may be a secret is
 * replaced by {@code ***} wherever it appears.
 */
final class Redaction {
    static final String MASK = "***";
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Shorter values are too likely to match ordinary words of the message; none is a credential. */
    private static final int MIN_SECRET_LENGTH = 3;

    private Redaction() {}

    /** {@code message} with the URL's user info and query, header values and the body masked. */
    static String monitorReason(String message, String url, String headersJson, String body) {
        var secrets = new ArrayList<String>();
        if (url != null) {
            secrets.addAll(urlSecrets(url));
        }
        textValues(headersJson, secrets);
        if (body != null) {
            secrets.add(body);
        }
        return mask(message, secrets);
    }

    /** {@code message} with every text value of a channel's settings masked (URLs with tokens, keys, passwords). */
    static String channelReason(String message, String settingsJson) {
        var secrets = new ArrayList<String>();
        textValues(settingsJson, secrets);
        return mask(message, secrets);
    }

    /** The parts of a URL that may hold a credential: user info and query (also when the URL does not parse). */
    static List<String> urlSecrets(String url) {
        var out = new ArrayList<String>();
        int scheme = url.indexOf("://");
        int hostStart = scheme < 0 ? 0 : scheme + 3;
        int at = url.indexOf('@', hostStart);
        int slash = url.indexOf('/', hostStart);
        if (at >= 0 && (slash < 0 || at < slash)) {
            out.add(url.substring(hostStart, at));
        }
        int query = url.indexOf('?');
        if (query >= 0 && query + 1 < url.length()) {
            out.add(url.substring(query + 1));
        }
        return out;
    }

    private static void textValues(String json, List<String> into) {
        if (json == null) {
            return;
        }
        try {
            collect(JSON.readTree(json), into);
        } catch (java.io.IOException e) {
            into.add(json); // unparsable: the whole column may be a secret
        }
    }

    private static void collect(JsonNode node, List<String> into) {
        if (node == null) {
            return;
        }
        if (node.isTextual()) {
            into.add(node.asText());
        } else if (node.isContainerNode()) {
            node.forEach(child -> collect(child, into));
        }
    }

    static String mask(String message, List<String> secrets) {
        if (message == null) {
            return null;
        }
        String out = message;
        // Longest first, so that a secret containing another is masked whole.
        for (String s : secrets.stream()
                .filter(s -> s.strip().length() >= MIN_SECRET_LENGTH)
                .sorted(Comparator.comparingInt(String::length).reversed())
                .toList()) {
            out = out.replace(s, MASK);
        }
        return out;
    }
}
