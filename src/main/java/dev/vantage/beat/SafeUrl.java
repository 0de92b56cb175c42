package dev.vantage.beat;

import java.util.regex.Pattern;

/**
 * A beat URL fit to print in an error: a ping URL's token is its only secret ({@code /ping/<token>}), and any URL may
 * hold a password or a NATS token in its user info, or a secret in its query. Works on text that does not parse, which
 * is when a URL gets quoted; hides more than it must rather than less.
 */
public final class SafeUrl {
    static final String TOKEN = "<token>";

    /** A path segment that looks like a token: 16 or more of the token alphabet, UUIDs included. */
    private static final Pattern LONG_TOKEN = Pattern.compile("/[A-Za-z0-9_-]{16,}(?=/|$)");

    private SafeUrl() {}

    /**
     * {@code url} without user info, query or fragment, and with the path segment after {@code /ping/} replaced by
     * {@code <token>}, as is any path segment that looks like a token: {@code https://u:p@host/ping/abc?x=1} is
     * {@code https://host/ping/<token>}.
     */
    public static String of(String url) {
        if (url == null) {
            return null;
        }
        String out = url.strip();
        int query = indexOfAny(out, '?', '#');
        if (query >= 0) {
            out = out.substring(0, query);
        }
        int scheme = out.indexOf("://");
        int authority = scheme < 0 ? 0 : scheme + 3;
        // The last '@': an unencoded password may hold '@' or '/'.
        int at = out.lastIndexOf('@');
        if (at >= authority) {
            out = out.substring(0, authority) + out.substring(at + 1);
        }
        int ping = out.indexOf("/ping/", authority);
        if (ping >= 0) {
            int start = ping + "/ping/".length();
            int end = out.indexOf('/', start);
            out = out.substring(0, start) + TOKEN + (end < 0 ? "" : out.substring(end));
        }
        // A token pasted into a mistyped path (/pong/<token>) is still a token.
        int path = out.indexOf('/', authority);
        if (path >= 0) {
            out = out.substring(0, path)
                    + LONG_TOKEN.matcher(out.substring(path)).replaceAll("/" + TOKEN);
        }
        return out;
    }

    private static int indexOfAny(String s, char a, char b) {
        int i = s.indexOf(a);
        int j = s.indexOf(b);
        return i < 0 ? j : j < 0 ? i : Math.min(i, j);
    }
}
