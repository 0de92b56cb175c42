package dev.vantage.probe;

/**
 * A monitor's URL as the user typed it, fit to quote in a validation message. Such a message is logged, stored as the
 * {@code INVALID_CONFIG} heartbeat's error, and from there reaches states, incidents, notifications and the status; a
 * URL may carry a credential in its user info ({@code https://user:password@host/}) or in its query
 * ({@code ?token=…}), so both are replaced by {@code ***}. Works on text that does not parse as a URL, which is when
 * it gets quoted.
 */
public final class UrlText {
    static final String MASK = "***";

    private UrlText() {}

    /** {@code url} with everything after its first {@code ?} or {@code #}, and its user info, masked; null for null. */
    public static String quotable(String url) {
        if (url == null) {
            return null;
        }
        String out = url;
        int query = indexOfAny(out, '?', '#');
        if (query >= 0 && query + 1 < out.length()) {
            out = out.substring(0, query + 1) + MASK;
        }
        int scheme = out.indexOf("://");
        int authority = scheme < 0 ? 0 : scheme + 3;
        // The last '@': an unencoded password may hold '@' or '/'. A path with '@' in it is masked too: the message
        // then hides more than it must, never less.
        int at = out.lastIndexOf('@');
        if (at >= authority) {
            out = out.substring(0, authority) + MASK + out.substring(at);
        }
        return out;
    }

    private static int indexOfAny(String s, char a, char b) {
        int i = s.indexOf(a);
        int j = s.indexOf(b);
        return i < 0 ? j : j < 0 ? i : Math.min(i, j);
    }
}
