package dev.vantage.push;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A beat's message, read from a request body: the first {@code keep} bytes as UTF-8 text, the rest read and
 * discarded (so the connection can serve the next request) and counted, and a mark at the end of a message that was
 * cut: {@code … [cut: 10485760 bytes received]}. Never holds more than {@code keep} bytes of a body plus a small
 * scratch buffer. A body past {@code max} bytes is not read to its end. Transports that receive the message as a
 * string (NATS, Redis) cut it the same way with {@link #of(String)}.
 */
public final class MessageBody {
    private static final int SCRATCH = 8 * 1024;

    private MessageBody() {}

    /**
     * @param text the message, null for an empty body
     * @param received bytes of the body
     * @param cut whether text holds only the start of it (and the mark)
     */
    public record Message(String text, long received, boolean cut) {
        public static final Message NONE = new Message(null, 0, false);
    }

    /**
     * A message received as a string, cut like a body to its first {@link PushSettings#MESSAGE_BYTES} bytes of UTF-8
     * (never inside a character) with the mark; {@link Message#NONE} for null or empty.
     */
    public static Message of(String text) {
        return of(text, PushSettings.MESSAGE_BYTES);
    }

    static Message of(String text, int keep) {
        if (text == null || text.isEmpty()) {
            return Message.NONE;
        }
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        if (bytes.length <= keep) {
            return new Message(text, bytes.length, false);
        }
        byte[] kept = Arrays.copyOf(bytes, keep);
        String head = decode(kept, characterBoundary(kept));
        return new Message(head + "… [cut: " + bytes.length + " bytes received]", bytes.length, true);
    }

    /** The body is longer than the bound: the rest is not read. */
    static final class TooLargeException extends Exception {
        TooLargeException(long max) {
            super("the body is longer than " + max + " bytes");
        }
    }

    static Message read(InputStream in, int keep, long max) throws IOException, TooLargeException {
        byte[] kept = in.readNBytes(keep);
        long received = kept.length;
        if (kept.length == keep) {
            var scratch = new byte[SCRATCH];
            int n;
            while ((n = in.read(scratch)) >= 0) {
                received += n;
                if (received > max) {
                    throw new TooLargeException(max);
                }
            }
        }
        if (received == 0) {
            return Message.NONE;
        }
        boolean cut = received > kept.length;
        int length = cut ? characterBoundary(kept) : kept.length;
        String text = decode(kept, length);
        return new Message(cut ? text + "… [cut: " + received + " bytes received]" : text, received, cut);
    }

    /** The length of the longest prefix that does not end inside a UTF-8 sequence. */
    static int characterBoundary(byte[] bytes) {
        int end = bytes.length;
        // Step back over continuation bytes (10xxxxxx) to the lead byte of the last sequence, at most 3.
        int lead = end - 1;
        while (lead >= 0 && end - lead <= 3 && (bytes[lead] & 0xC0) == 0x80) {
            lead--;
        }
        if (lead < 0) {
            return end;
        }
        int b = bytes[lead] & 0xFF;
        int needed = b < 0x80 ? 1 : b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1;
        return end - lead >= needed ? end : lead;
    }

    /** UTF-8, with a replacement character for each malformed sequence: a message is for people, not parsed. */
    private static String decode(byte[] bytes, int length) {
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPLACE)
                    .onUnmappableCharacter(CodingErrorAction.REPLACE)
                    .decode(ByteBuffer.wrap(bytes, 0, length))
                    .toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new IllegalStateException("a replacing decoder does not throw", e);
        }
    }
}
