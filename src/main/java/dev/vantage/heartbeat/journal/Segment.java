package dev.vantage.heartbeat.journal;

import dev.vantage.heartbeat.journal.Records.Damage;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
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
     * Opens an existing segment and verifies every record, streaming (at most a window or one record in memory). A
     * record that is cut short or fails its checksum costs that record: the scan resynchronises on the next valid
     * record (a plausible length and a matching checksum). Bytes past {@code maxFileBytes}, more than the journal may
     * hold, are damage and are not read. Damage is cut out of the file (truncated at the end, or the good records
     * copied to a new file that replaces it) so that it is reported once. The segment is sealed.
     *
     * @param maxPayload the largest payload a record of this journal can have
     */
    static Recovered recover(Path path, long firstSeq, long maxFileBytes, int maxPayload) throws IOException {
        var file = new RandomAccessFile(path.toFile(), "rw");
        try {
            long length = file.length();
            long limit = Math.min(length, maxFileBytes);
            var scanner = new SegmentScanner(file, limit, maxPayload);
            var kept = new ArrayList<long[]>(); // stretches of good records: [from, to)
            long records = 0;
            long damagedRecords = 0;
            long offset = 0;
            long keptFrom = 0;
            Damage damage = null;
            long damageOffset = -1;
            boolean endsDamaged = false;
            while (offset < limit) {
                int frame = scanner.validFrameAt(offset);
                if (frame > 0) {
                    offset += frame;
                    records++;
                    endsDamaged = false;
                    continue;
                }
                if (damage == null) {
                    damage = scanner.damageAt(offset);
                    damageOffset = offset;
                }
                if (offset > keptFrom) {
                    kept.add(new long[] {keptFrom, offset});
                }
                damagedRecords++; // one per damaged stretch: exact for a flipped bit or a torn write
                endsDamaged = true;
                long next = scanner.nextValid(offset + 1);
                offset = next < 0 ? limit : next;
                keptFrom = offset;
            }
            if (offset > keptFrom) {
                kept.add(new long[] {keptFrom, offset});
            }
            if (length > limit) {
                if (damage == null) {
                    damage = Damage.CORRUPT;
                    damageOffset = limit;
                }
                if (!endsDamaged) {
                    damagedRecords++;
                }
            }
            long keptBytes = kept.stream().mapToLong(k -> k[1] - k[0]).sum();
            if (damage != null) {
                file = cutOut(path, file, kept);
            }
            var segment = new Segment(idOf(path), path, firstSeq, file);
            segment.sealed = true;
            segment.records = records;
            segment.size = keptBytes;
            return damage == null
                    ? new Recovered(segment, null, -1, 0, 0)
                    : new Recovered(segment, damage, damageOffset, damagedRecords, length - keptBytes);
        } catch (IOException | RuntimeException e) {
            file.close();
            throw e;
        }
    }

    /**
     * Leaves only the {@code kept} stretches in the file: a truncation when they are its start, otherwise a copy into
     * a new file that atomically replaces it (a crash before the move leaves the original, read again next time).
     */
    private static RandomAccessFile cutOut(Path path, RandomAccessFile file, List<long[]> kept) throws IOException {
        if (kept.isEmpty() || (kept.size() == 1 && kept.getFirst()[0] == 0)) {
            file.setLength(kept.isEmpty() ? 0 : kept.getFirst()[1]);
            file.getFD().sync();
            return file;
        }
        Path copy = path.resolveSibling(path.getFileName() + ".recovering");
        Files.deleteIfExists(copy);
        byte[] chunk = new byte[64 << 10];
        try (var out = new RandomAccessFile(copy.toFile(), "rw")) {
            for (long[] stretch : kept) {
                for (long at = stretch[0]; at < stretch[1]; ) {
                    int n = (int) Math.min(chunk.length, stretch[1] - at);
                    file.seek(at);
                    file.readFully(chunk, 0, n);
                    out.write(chunk, 0, n);
                    at += n;
                }
            }
            out.getFD().sync();
        }
        file.close();
        Files.move(copy, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        return new RandomAccessFile(path.toFile(), "rw");
    }

    /**
     * What recovery found in a segment.
     *
     * @param damage null when every byte was a good record; else what the first damage was
     * @param damageOffset where the first damage began, -1 when none
     * @param damagedRecords records discarded, best effort: one per damaged stretch (exact for a flipped bit or a
     *     torn write), plus one for bytes past the journal's bound
     * @param damagedBytes bytes discarded
     */
    record Recovered(Segment segment, Damage damage, long damageOffset, long damagedRecords, long damagedBytes) {}

    /**
     * The offset of the first valid record after the damaged one at {@code offset}, or -1 when none follows: where a
     * reader resumes after a record that failed its checksum when read back.
     */
    long nextValidAfter(long offset, int maxPayload) throws IOException {
        return new SegmentScanner(file, size, maxPayload).nextValid(offset + 1);
    }

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
