package dev.vantage.heartbeat.journal;

import dev.vantage.heartbeat.journal.Records.Damage;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;

/**
 * One file of a {@link Journal}: records appended at its end, read from an offset. Not thread-safe: the journal's lock
 * guards it, except {@link #sync()}, which the sync thread calls without it.
 *
 * <p>I/O goes through {@link RandomAccessFile} rather than a {@code FileChannel}: a channel is closed for every thread
 * when a thread using it is interrupted, and appends come from probe threads that shutdown may interrupt.
 */
final class Segment {
    private static final Pattern NAME = Pattern.compile("segment-(\\d{16})\\.journal");
    private static final int READ_CHUNK = 1 << 20;

    final long id;
    final Path path;
    /** Sequence number of the first record, counted from 0 at each open of the journal. */
    final long firstSeq;

    private final RandomAccessFile file;
    /** Bytes of complete records: the end of the last good append. */
    private long size;

    private long records;
    /** Written since the last sync. */
    boolean dirty;
    /** Takes no more appends: rolled, recovered, or a write failed half-way. */
    boolean sealed;

    private Segment(long id, Path path, long firstSeq, RandomAccessFile file) {
        this.id = id;
        this.path = path;
        this.firstSeq = firstSeq;
        this.file = file;
    }

    static String fileName(long id) {
        return "segment-%016d.journal".formatted(id);
    }

    /** The id in a segment file's name, or -1 when the name is not a segment's. */
    static long idOf(Path file) {
        var m = NAME.matcher(file.getFileName().toString());
        return m.matches() ? Long.parseLong(m.group(1)) : -1;
    }

    static Segment create(Path directory, long id, long firstSeq) throws IOException {
        Path path = directory.resolve(fileName(id));
        Files.createFile(path); // fails if it exists: never append to a file this journal did not start
        return new Segment(id, path, firstSeq, new RandomAccessFile(path.toFile(), "rw"));
    }

    /**
     * Opens an existing segment and verifies every record. The first record that is cut short or fails its checksum
     * ends the segment: the file is truncated there so the damage is reported once. The segment is sealed.
     */
    static Recovered recover(Path path, long firstSeq) throws IOException {
        var file = new RandomAccessFile(path.toFile(), "rw");
        try {
            var segment = new Segment(idOf(path), path, firstSeq, file);
            segment.sealed = true;
            byte[] bytes = new byte[Math.toIntExact(file.length())];
            file.readFully(bytes);
            var buffer = ByteBuffer.wrap(bytes);
            Scan scan = scan(buffer, Integer.MAX_VALUE, null);
            segment.records = scan.records();
            segment.size = buffer.position();
            if (scan.damage() == null) {
                return new Recovered(segment, null, 0, 0);
            }
            long damagedBytes = bytes.length - segment.size;
            long damagedRecords = Records.countDamaged(buffer);
            file.setLength(segment.size);
            file.getFD().sync();
            return new Recovered(segment, scan.damage(), damagedRecords, damagedBytes);
        } catch (IOException | RuntimeException e) {
            file.close();
            throw e;
        }
    }

    /**
     * What recovery found in a segment.
     *
     * @param damage null when every byte was a good record
     * @param damagedRecords records discarded from the damage on (best effort, see {@link Records#countDamaged})
     * @param damagedBytes bytes discarded, from {@code segment.size()} on
     */
    record Recovered(Segment segment, Damage damage, long damagedRecords, long damagedBytes) {}

    /** Appends a framed record; on failure the segment is cut back to its last good record, or sealed. */
    void append(byte[] frame) throws IOException {
        try {
            file.seek(size);
            file.write(frame);
        } catch (IOException e) {
            try {
                file.setLength(size);
            } catch (IOException truncate) {
                e.addSuppressed(truncate);
                sealed = true; // the next append starts a new file rather than write after a partial record
            }
            throw e;
        }
        size += frame.length;
        records++;
        dirty = true;
    }

    /**
     * Adds to {@code out} up to {@code max} payloads from {@code offset} (a record boundary); returns the offset after
     * the last one read.
     *
     * @throws CorruptSegmentException when the record at {@code offset} fails its checksum: the bytes changed after
     *     they were written. Records read before a bad one are returned first; the next call throws.
     */
    long read(long offset, int max, List<byte[]> out) throws IOException {
        int taken = 0;
        while (taken < max && offset < size) {
            // About what max records take (a heartbeat is under 2 KiB without a body), not a whole chunk for a few.
            long want = Math.min(READ_CHUNK, Math.max(Records.HEADER_BYTES, (max - taken) * 2_048L));
            var buffer = ByteBuffer.wrap(readAt(offset, (int) Math.min(size - offset, want)));
            Scan scan = scan(buffer, max - taken, out);
            if (scan.records() == 0 && scan.damage() == Damage.TORN && buffer.remaining() >= Records.HEADER_BYTES) {
                // Not damage: one record longer than a chunk.
                long length = buffer.getInt(0);
                if (length >= 0 && length <= size - offset - Records.HEADER_BYTES) {
                    buffer = ByteBuffer.wrap(readAt(offset, Math.toIntExact(Records.HEADER_BYTES + length)));
                    scan = scan(buffer, 1, out);
                }
            }
            if (scan.records() == 0) {
                if (taken > 0) {
                    break;
                }
                throw new CorruptSegmentException(offset);
            }
            taken += (int) scan.records();
            offset += buffer.position();
            if (scan.damage() == Damage.CORRUPT) {
                break;
            }
        }
        return offset;
    }

    private byte[] readAt(long offset, int length) throws IOException {
        byte[] bytes = new byte[length];
        file.seek(offset);
        file.readFully(bytes);
        return bytes;
    }

    /**
     * Verifies records from the buffer's position, at most {@code max}, adding their payloads to {@code out} when not
     * null. Leaves the position after the last good record.
     */
    private static Scan scan(ByteBuffer buffer, int max, List<byte[]> out) {
        long count = 0;
        while (count < max && buffer.hasRemaining()) {
            if (buffer.remaining() < Records.HEADER_BYTES) {
                return new Scan(count, Damage.TORN);
            }
            int start = buffer.position();
            int length = buffer.getInt(start);
            int crc = buffer.getInt(start + 4);
            if (length < 0) {
                return new Scan(count, Damage.CORRUPT);
            }
            if (length > buffer.remaining() - Records.HEADER_BYTES) {
                return new Scan(count, Damage.TORN);
            }
            if (Records.crc(buffer.array(), start + Records.HEADER_BYTES, length) != crc) {
                return new Scan(count, Damage.CORRUPT);
            }
            if (out != null) {
                byte[] payload = new byte[length];
                buffer.get(start + Records.HEADER_BYTES, payload);
                out.add(payload);
            }
            buffer.position(start + Records.HEADER_BYTES + length);
            count++;
        }
        return new Scan(count, null);
    }

    /** @param damage why the scan stopped before the end of its bytes, or null */
    private record Scan(long records, Damage damage) {}

    /** Forces written records to the disk. Called by the sync thread, without the journal's lock. */
    void sync() throws IOException {
        file.getFD().sync();
    }

    long size() {
        return size;
    }

    long records() {
        return records;
    }

    /** Sequence number after the last record. */
    long endSeq() {
        return firstSeq + records;
    }

    void close() throws IOException {
        file.close();
    }

    /** Closes and deletes the file. */
    void delete() throws IOException {
        file.close();
        Files.deleteIfExists(path);
    }

    /** A record of a segment failed its checksum when read back. */
    static final class CorruptSegmentException extends IOException {
        CorruptSegmentException(long offset) {
            super("the record at offset " + offset + " fails its checksum");
        }
    }
}
