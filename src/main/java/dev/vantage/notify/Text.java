package dev.vantage.notify;

import java.nio.charset.StandardCharsets;

/** Cutting text to a receiver's limits without splitting a character. */
public final class Text {
    static final String ELLIPSIS = "…";

    private Text() {}

    /** At most {@code max} UTF-16 chars; a cut text ends with an ellipsis. */
    public static String truncate(String s, int max) {
        if (s == null || s.length() <= max) {
            return s;
        }
        int end = max - 1;
        if (Character.isLowSurrogate(s.charAt(end)) && Character.isHighSurrogate(s.charAt(end - 1))) {
            end--;
        }
        return s.substring(0, end) + ELLIPSIS;
    }

    public static int utf8Length(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }
}
