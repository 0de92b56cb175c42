package dev.vantage.heartbeat.journal;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * The frame of one record in a segment: {@code [int length][int CRC32C of the payload][payload]}, big-endian. The
 * length comes first so a reader knows how much to read; the checksum then tells a complete record from a torn write
 * or a flipped bit. CRC32C because the JDK computes it with the CPU's instruction.
 */
final class Records {
    static final int HEADER_BYTES = 8;

    private Records() {}

    /** The payload framed, ready to be written in one call. */
    static byte[] frame(byte[] payload) {
        var frame = ByteBuffer.allocate(HEADER_BYTES + payload.length);
        frame.putInt(payload.length).putInt(crc(payload, 0, payload.length)).put(payload);
        return frame.array();
    }

    static int crc(byte[] bytes, int offset, int length) {
        var crc = new CRC32C();
        crc.update(bytes, offset, length);
        return (int) crc.getValue();
    }

    /** What stopped a scan of a segment before its end. */
    enum Damage {
        /** The last record is cut short: the process or the machine stopped during its write. */
        TORN,
        /** A record's length is impossible or its checksum does not match: the bytes changed after they were written. */
        CORRUPT
    }
}
