package dev.vantage.probe;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The one place where text that a target controls is cut before anything stores or sends it: status lines, header
 * values, error messages built from exception text. A target may answer with a 200 KB status line or 250 KB of
 * headers; every heartbeat, state, incident and notification would carry it.
 *
 * <p>A cut text has at most {@value #MAX_CHARS} characters in all: its start (never splitting a surrogate pair), then a
 * marker naming the size of the whole, so that a reader knows it was cut and by how much: {@code … [cut, 204800
 * bytes]}. Sizes are UTF-8 bytes. Cutting is idempotent: a cut text is short enough to pass again unchanged, so the
 * monitor module can cut what it reads from rows with the same function, whoever wrote them.
 */
public final class TargetText {
    /** Characters kept of one text: a status line, a header value, an error message. */
    public static final int MAX_CHARS = 1024;
    /** Characters kept of a target's text quoted inside one of our sentences (a malformed status line). */
    public static final int QUOTE_CHARS = 256;
    /** Characters kept of all response headers together (names and values); later headers are dropped. */
    public static final int MAX_HEADER_CHARS = 16 * 1024;
    /** Characters kept of an error type read from a row (ours are short words like {@code HTTP_STATUS}). */
    public static final int TYPE_CHARS = 64;
    /** Characters kept of a sentence built around a cut text (a state's details, a notice's summary). */
    public static final int SENTENCE_CHARS = 2 * MAX_CHARS;
    /** Characters kept of a header name. */
    static final int MAX_NAME_CHARS = 128;
    /** The name under which dropped headers are counted, when the total was reached. */
    public static final String DROPPED_HEADERS = "…";

    private TargetText() {}

    /** {@code text} if it has at most {@value #MAX_CHARS} characters, else its cut form; null stays null. */
    public static String cut(String text) {
        return cut(text, MAX_CHARS);
    }

    /**
     * {@code text} cut to {@value #QUOTE_CHARS} characters, for a target's text quoted inside a sentence of ours, so
     * that the sentence still ends as written.
     */
    public static String quoted(String text) {
        return cut(text, QUOTE_CHARS);
    }

    /** {@code text} if it has at most {@code max} characters, else its start and the marker in {@code max}. */
    public static String cut(String text, int max) {
        if (text == null || text.length() <= max) {
            return text;
        }
        String marker = marker(utf8Length(text));
        int end = Math.max(0, max - marker.length());
        if (end > 0 && Character.isHighSurrogate(text.charAt(end - 1))) {
            end--;
        }
        return text.substring(0, end) + marker;
    }

    /** The marker appended to a cut text whose whole was {@code bytes} long. */
    public static String marker(long bytes) {
        return "… [cut, " + bytes + " bytes]";
    }

    /**
     * Response headers as stored: each name and value cut, and at most {@value #MAX_HEADER_CHARS} characters in all.
     * Headers past the total are dropped and counted under the name {@value #DROPPED_HEADERS}, e.g. {@code "[cut, 37
     * more headers]"}.
     */
    public static Map<String, String> headers(Map<String, String> headers) {
        Map<String, String> out = new LinkedHashMap<>();
        int total = 0;
        int dropped = 0;
        for (var e : headers.entrySet()) {
            String name = cut(e.getKey(), MAX_NAME_CHARS);
            String value = cut(e.getValue());
            int size = name.length() + (value == null ? 0 : value.length());
            if (dropped > 0 || total + size > MAX_HEADER_CHARS) {
                dropped++;
                continue;
            }
            total += size;
            out.put(name, value);
        }
        if (dropped > 0) {
            out.put(DROPPED_HEADERS, "[cut, " + dropped + " more headers]");
        }
        return out;
    }

    /** UTF-8 length without encoding: a 200 KB text is not copied again to be measured. */
    static long utf8Length(CharSequence s) {
        long n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                n++;
            } else if (c < 0x800) {
                n += 2;
            } else if (Character.isHighSurrogate(c)
                    && i + 1 < s.length()
                    && Character.isLowSurrogate(s.charAt(i + 1))) {
                n += 4;
                i++;
            } else {
                n += 3;
            }
        }
        return n;
    }
}
