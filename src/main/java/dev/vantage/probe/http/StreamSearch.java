package dev.vantage.probe.http;

import java.nio.charset.StandardCharsets;

/**
 * Finds a text in a body as it streams past, without holding the body: Knuth-Morris-Pratt over the UTF-8 bytes, so a
 * match that straddles two reads is found and each byte is looked at once. Memory is one int per byte of the needle.
 */
final class StreamSearch {
    private final byte[] needle;
    private final int[] fallback;
    private int matched;
    private boolean found;

    StreamSearch(String text) {
        needle = text.getBytes(StandardCharsets.UTF_8);
        fallback = new int[needle.length];
        for (int i = 1, k = 0; i < needle.length; i++) {
            while (k > 0 && needle[i] != needle[k]) {
                k = fallback[k - 1];
            }
            if (needle[i] == needle[k]) {
                k++;
            }
            fallback[i] = k;
        }
        found = needle.length == 0;
    }

    /** Feeds the next bytes of the body; returns whether the text has been seen so far. */
    boolean feed(byte[] buf, int off, int len) {
        for (int i = off; i < off + len && !found; i++) {
            while (matched > 0 && buf[i] != needle[matched]) {
                matched = fallback[matched - 1];
            }
            if (buf[i] == needle[matched]) {
                matched++;
            }
            if (matched == needle.length) {
                found = true;
            }
        }
        return found;
    }

    boolean found() {
        return found;
    }
}
