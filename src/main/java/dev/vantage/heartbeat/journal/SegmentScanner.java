package dev.vantage.heartbeat.journal;

import dev.vantage.heartbeat.journal.Records.Damage;
import java.io.IOException;
import java.io.RandomAccessFile;

/**
 * Reads the records of a segment file through a bounded window, never the whole file: recovery of a segment of any
 * size holds at most {@link #WINDOW} bytes, or one record when a record is larger. Finds where a valid record starts
 * again after damage, so that a flipped bit costs its record and not the rest of the segment.
 */
final class SegmentScanner {
    static final int WINDOW = 1 << 20;
    /**
     * After damage, a record is looked for within this many bytes (the largest segment the journal writes): past it,
     * the rest of the file is damage. Bounds the search in a file of junk.
     */
    static final long RESYNC_SPAN = JournalSettings.MAX_SEGMENT_BYTES;
    /**
     * After damage, only a record of at most this payload is taken for the next valid one. In random bytes about one
     * offset in 4,096 has such a length, so the checksums computed over a whole span stay bounded (about 1 GiB for 8
     * MiB of junk); a larger record right after damage is lost with it. Heartbeats are a few KiB.
     */
    static final int RESYNC_MAX_PAYLOAD = 1 << 20;

    private final RandomAccessFile file;
    private final long limit;
    private final int maxPayload;
    private byte[] buffer = new byte[0];
    private long bufferStart;
    private int bufferLength;

    /**
     * @param limit bytes of the file to consider; what lies past it is not read
     * @param maxPayload the largest payload a record of this journal can have: a longer length field is damage
     */
    SegmentScanner(RandomAccessFile file, long limit, int maxPayload) {
        this.file = file;
        this.limit = limit;
        this.maxPayload = maxPayload;
    }

    /** The frame length (header and payload) of the valid record at {@code offset}, or -1 when none starts there. */
    int validFrameAt(long offset) throws IOException {
        if (limit - offset < Records.HEADER_BYTES) {
            return -1;
        }
        int i = load(offset, Records.HEADER_BYTES);
        int length = intAt(i);
        int crc = intAt(i + 4);
        if (!plausible(length) || length > limit - offset - Records.HEADER_BYTES) {
            return -1;
        }
        i = load(offset, Records.HEADER_BYTES + length);
        if (Records.crc(buffer, i + Records.HEADER_BYTES, length) != crc) {
            return -1;
        }
        return Records.HEADER_BYTES + length;
    }

    /** The payload of the valid record at {@code offset}, whose frame is {@code frameLength} bytes. */
    byte[] payloadAt(long offset, int frameLength) throws IOException {
        int i = load(offset, frameLength);
        byte[] payload = new byte[frameLength - Records.HEADER_BYTES];
        System.arraycopy(buffer, i + Records.HEADER_BYTES, payload, 0, payload.length);
        return payload;
    }

    /** Why no valid record starts at {@code offset}: cut short by the end of the bytes considered, or corrupt. */
    Damage damageAt(long offset) throws IOException {
        if (limit - offset < Records.HEADER_BYTES) {
            return Damage.TORN;
        }
        int length = intAt(load(offset, Records.HEADER_BYTES));
        return plausible(length) && length > limit - offset - Records.HEADER_BYTES ? Damage.TORN : Damage.CORRUPT;
    }

    /**
     * The first offset at or after {@code from}, within {@link #RESYNC_SPAN}, where a valid record of at most {@link
     * #RESYNC_MAX_PAYLOAD} starts, or -1 when there is none.
     */
    long nextValid(long from) throws IOException {
        long end = Math.min(limit, from + RESYNC_SPAN);
        for (long at = from; end - at >= Records.HEADER_BYTES; at++) {
            int length = intAt(load(at, Records.HEADER_BYTES));
            if (length > 0 && length <= RESYNC_MAX_PAYLOAD && validFrameAt(at) >= 0) {
                return at;
            }
        }
        return -1;
    }

    /** Empty payloads are never appended; a zero length is what a zero-filled stretch of a file looks like. */
    private boolean plausible(int length) {
        return length > 0 && length <= maxPayload;
    }

    /** Makes bytes [offset, offset + n) available in the buffer and returns where they start in it. */
    private int load(long offset, int n) throws IOException {
        if (offset >= bufferStart && offset + n <= bufferStart + bufferLength) {
            return (int) (offset - bufferStart);
        }
        int size = (int) Math.max(n, Math.min(WINDOW, limit - offset));
        if (buffer.length < size) {
            buffer = new byte[size];
        }
        file.seek(offset);
        file.readFully(buffer, 0, size);
        bufferStart = offset;
        bufferLength = size;
        return 0;
    }

    private int intAt(int i) {
        return ((buffer[i] & 0xff) << 24)
                | ((buffer[i + 1] & 0xff) << 16)
                | ((buffer[i + 2] & 0xff) << 8)
                | (buffer[i + 3] & 0xff);
    }
}
