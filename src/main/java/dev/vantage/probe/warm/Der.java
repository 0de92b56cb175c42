package dev.vantage.probe.warm;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * The few DER encodings (ITU-T X.690) a self-signed X.509 certificate needs, each returning the whole element: tag,
 * length, contents. Enough for {@link SelfSignedTls}; not a general ASN.1 library.
 */
final class Der {
    private static final DateTimeFormatter UTC_TIME =
            DateTimeFormatter.ofPattern("yyMMddHHmmss'Z'").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter GENERALIZED_TIME =
            DateTimeFormatter.ofPattern("yyyyMMddHHmmss'Z'").withZone(ZoneOffset.UTC);

    private Der() {}

    static byte[] sequence(byte[]... elements) {
        return element(0x30, concat(elements));
    }

    static byte[] set(byte[]... elements) {
        return element(0x31, concat(elements));
    }

    static byte[] integer(BigInteger value) {
        return element(0x02, value.toByteArray()); // two's complement, minimal: what DER asks
    }

    static byte[] bool(boolean value) {
        return element(0x01, new byte[] {(byte) (value ? 0xff : 0x00)});
    }

    /** A BIT STRING of whole bytes (no unused bits), as signatures and keys are. */
    static byte[] bitString(byte[] bytes) {
        byte[] contents = new byte[bytes.length + 1];
        System.arraycopy(bytes, 0, contents, 1, bytes.length);
        return element(0x03, contents);
    }

    static byte[] octetString(byte[] bytes) {
        return element(0x04, bytes);
    }

    static byte[] utf8String(String value) {
        return element(0x0c, value.getBytes(StandardCharsets.UTF_8));
    }

    /** RFC 5280 4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050; whole seconds, in UTC. */
    static byte[] time(Instant instant) {
        int year = instant.atOffset(ZoneOffset.UTC).getYear();
        if (year >= 1950 && year < 2050) {
            return element(0x17, UTC_TIME.format(instant).getBytes(StandardCharsets.US_ASCII));
        }
        return element(0x18, GENERALIZED_TIME.format(instant).getBytes(StandardCharsets.US_ASCII));
    }

    /** An OBJECT IDENTIFIER from its dotted form, e.g. {@code 1.2.840.10045.4.3.2}. */
    static byte[] oid(String dotted) {
        String[] arcs = dotted.split("\\.");
        if (arcs.length < 2) {
            throw new IllegalArgumentException("an object identifier has at least two arcs: " + dotted);
        }
        var out = new ByteArrayOutputStream();
        base128(out, Long.parseLong(arcs[0]) * 40 + Long.parseLong(arcs[1]));
        for (int i = 2; i < arcs.length; i++) {
            base128(out, Long.parseLong(arcs[i]));
        }
        return element(0x06, out.toByteArray());
    }

    /** A context-specific constructed tag around an element: {@code [n] EXPLICIT}. */
    static byte[] explicit(int tagNumber, byte[] element) {
        return element(0xa0 | tagNumber, element);
    }

    /** A context-specific primitive tag in place of the type's own: {@code [n] IMPLICIT} of a string or bytes. */
    static byte[] implicit(int tagNumber, byte[] contents) {
        return element(0x80 | tagNumber, contents);
    }

    static byte[] element(int tag, byte[] contents) {
        var out = new ByteArrayOutputStream(contents.length + 6);
        out.write(tag);
        int length = contents.length;
        if (length < 0x80) {
            out.write(length);
        } else {
            int bytes = (Integer.SIZE - Integer.numberOfLeadingZeros(length) + 7) / 8;
            out.write(0x80 | bytes);
            for (int shift = (bytes - 1) * 8; shift >= 0; shift -= 8) {
                out.write(length >>> shift);
            }
        }
        out.writeBytes(contents);
        return out.toByteArray();
    }

    private static void base128(ByteArrayOutputStream out, long value) {
        int groups = Math.max(1, (Long.SIZE - Long.numberOfLeadingZeros(value) + 6) / 7);
        for (int i = groups - 1; i >= 0; i--) {
            int group = (int) (value >>> (7 * i)) & 0x7f;
            out.write(i == 0 ? group : group | 0x80);
        }
    }

    private static byte[] concat(byte[]... parts) {
        var out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }
}
