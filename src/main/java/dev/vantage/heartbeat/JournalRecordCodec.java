package dev.vantage.heartbeat;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.zip.CRC32C;

/**
 * A {@link HeartbeatRow} as the payload of a journal record, big-endian:
 *
 * <pre>
 * byte    format version (2)
 * int     CRC32C of HeartbeatCopyFormat.COLUMNS: the column layout of the line
 * long    monitorId
 * int     datacenterId
 * long    scheduledAt, seconds since the epoch
 * int     scheduledAt, nanoseconds
 * byte    1 when a lease epoch follows, 0 when it is null
 * long    leaseEpoch (0 when null)
 * int     line length
 * byte[]  line, a binary COPY tuple
 * </pre>
 *
 * The line is stored as COPY takes it, so a replay costs no encoding. Its column layout is fingerprinted because a
 * journal can outlive an upgrade that changes the columns: such a line would be refused by the database, or worse,
 * land in the wrong columns, so it is refused here instead.
 *
 * <p>Format 1, written before push monitors, has the same fields with lines of {@link HeartbeatCopyFormat#COLUMNS_V1}:
 * a journal left by such a Vantage is still replayed, each line completed with NULL for the columns added since (see
 * {@link HeartbeatCopyFormat#fromV1}).
 *
 * <p>A probe's {@code details} (schema 12) did not change the format: {@code details} has been in the column list
 * since push monitors (schema 7), where probes wrote NULL. A record of format 2 written before carries NULL there and
 * replays unchanged; one written since carries the details; a Vantage of either age reads both.
 */
final class JournalRecordCodec {
    private static final byte VERSION = 2;
    private static final byte VERSION_1 = 1;
    private static final int FIXED_BYTES = 1 + 4 + 8 + 4 + 8 + 4 + 1 + 8 + 4;
    static final int LAYOUT = layout(HeartbeatCopyFormat.COLUMNS);
    static final int LAYOUT_V1 = layout(HeartbeatCopyFormat.COLUMNS_V1);

    private JournalRecordCodec() {}

    static byte[] encode(HeartbeatRow row) {
        var out = ByteBuffer.allocate(FIXED_BYTES + row.line().length);
        out.put(VERSION)
                .putInt(LAYOUT)
                .putLong(row.monitorId())
                .putInt(row.datacenterId())
                .putLong(row.scheduledAt().getEpochSecond())
                .putInt(row.scheduledAt().getNano())
                .put((byte) (row.leaseEpoch() == null ? 0 : 1))
                .putLong(row.leaseEpoch() == null ? 0 : row.leaseEpoch())
                .putInt(row.line().length)
                .put(row.line());
        return out.array();
    }

    /** @throws IllegalArgumentException when the payload is not a row of this version and column layout */
    static HeartbeatRow decode(byte[] payload) {
        var in = ByteBuffer.wrap(payload);
        try {
            byte version = in.get();
            if (version != VERSION && version != VERSION_1) {
                throw new IllegalArgumentException("unknown journal record version " + version);
            }
            int expected = version == VERSION ? LAYOUT : LAYOUT_V1;
            int layout = in.getInt();
            if (layout != expected) {
                throw new IllegalArgumentException(
                        "written by a version of Vantage with other api_heartbeats columns (layout %08x, this one %08x)"
                                .formatted(layout, expected));
            }
            long monitorId = in.getLong();
            int datacenterId = in.getInt();
            Instant scheduledAt = Instant.ofEpochSecond(in.getLong(), in.getInt());
            boolean hasEpoch = in.get() != 0;
            long epoch = in.getLong();
            int length = in.getInt();
            if (length < 0 || length > in.remaining()) {
                throw new IllegalArgumentException("journal record cut short");
            }
            byte[] line = new byte[length];
            in.get(line);
            if (in.hasRemaining()) {
                throw new IllegalArgumentException(in.remaining() + " bytes after the line");
            }
            return new HeartbeatRow(
                    monitorId,
                    datacenterId,
                    scheduledAt,
                    hasEpoch ? epoch : null,
                    version == VERSION ? line : HeartbeatCopyFormat.fromV1(line));
        } catch (BufferUnderflowException e) {
            throw new IllegalArgumentException("journal record cut short", e);
        } catch (java.time.DateTimeException e) {
            throw new IllegalArgumentException("journal record with an impossible slot", e);
        }
    }

    private static int layout(String columns) {
        var crc = new CRC32C();
        crc.update(columns.getBytes(StandardCharsets.US_ASCII));
        return (int) crc.getValue();
    }
}
