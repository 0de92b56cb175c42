package dev.vantage.beat;

import java.nio.ByteBuffer;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * The end of a stream of bytes, bounded twice: at most {@code maxBytes} bytes and at most {@code maxLines} lines, so
 * that a job's output or a long file becomes a message of known size. Thread-safe: a job's stdout and stderr write
 * into one tail, interleaved as they arrive.
 */
public final class OutputTail {
    private final byte[] ring;
    private final int maxLines;
    private long total; // bytes ever appended
    private int start; // index of the oldest byte kept
    private int size; // bytes kept

    /**
     * @param maxBytes the most bytes kept (1 or more)
     * @param maxLines the most lines kept, or {@link Integer#MAX_VALUE} for no line bound
     */
    public OutputTail(int maxBytes, int maxLines) {
        if (maxBytes < 1 || maxLines < 1) {
            throw new IllegalArgumentException("maxBytes and maxLines must be 1 or more");
        }
        this.ring = new byte[maxBytes];
        this.maxLines = maxLines;
    }

    public synchronized void append(byte[] bytes, int offset, int length) {
        total += length;
        if (length >= ring.length) {
            System.arraycopy(bytes, offset + length - ring.length, ring, 0, ring.length);
            start = 0;
            size = ring.length;
            return;
        }
        for (int i = 0; i < length; i++) {
            int at = (start + size) % ring.length;
            ring[at] = bytes[offset + i];
            if (size == ring.length) {
                start = (start + 1) % ring.length;
            } else {
                size++;
            }
        }
    }

    /** Bytes appended since the tail was made, kept or not. */
    public synchronized long total() {
        return total;
    }

    /**
     * The kept text, decoded as UTF-8 (a character cut at the front is dropped, invalid bytes become U+FFFD), cut to the
     * last {@code maxLines} lines; when anything was cut, a first line says how many bytes. Empty when nothing came.
     */
    public synchronized String text() {
        byte[] kept = new byte[size];
        for (int i = 0; i < size; i++) {
            kept[i] = ring[(start + i) % ring.length];
        }
        int from = 0;
        if (total > size) {
            while (from < kept.length && (kept[from] & 0xC0) == 0x80) {
                from++; // the rest of a character whose first byte was cut
            }
        }
        int lines = 0;
        for (int i = from; i < kept.length; i++) {
            if (kept[i] == '\n') {
                lines++;
            }
        }
        if (kept.length > from && kept[kept.length - 1] != '\n') {
            lines++; // a last line without its newline yet
        }
        // '\n' is never part of a multi-byte UTF-8 character, so lines can be cut on bytes.
        for (int i = from, drop = lines - maxLines; drop > 0 && i < kept.length; i++) {
            if (kept[i] == '\n') {
                drop--;
                from = i + 1;
            }
        }
        long cut = total - (kept.length - from);
        String text = decode(kept, from);
        return cut > 0 ? "[… " + cut + " bytes cut]\n" + text : text;
    }

    private static String decode(byte[] bytes, int from) {
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPLACE)
                    .onUnmappableCharacter(CodingErrorAction.REPLACE)
                    .decode(ByteBuffer.wrap(bytes, from, bytes.length - from))
                    .toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new IllegalStateException("a replacing decoder does not throw", e);
        }
    }
}
