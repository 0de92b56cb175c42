package dev.vantage.heartbeat;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Objects;

/**
 * A heartbeat ready for the database: its binary COPY tuple (see {@link HeartbeatCopyFormat}) and the slot key that names it
 * in logs. Encoded once, on the probe's thread, so the writer thread only talks to the database, and so a buffer
 * holds (and a journal would store) exactly the bytes COPY takes.
 *
 * @param monitorId api_monitors.id
 * @param datacenterId datacenters.id
 * @param scheduledAt the slot
 * @param leaseEpoch the datacenter lease epoch it was probed under (its fencing token), null without a lease
 * @param line one tuple of binary COPY format
 * @param receipt told when the row is written, journaled or given up (never stored: a row read back from a journal
 *     has {@link Receipt#NONE})
 */
public record HeartbeatRow(
        long monitorId, int datacenterId, Instant scheduledAt, Long leaseEpoch, byte[] line, Receipt receipt) {

    public HeartbeatRow {
        Objects.requireNonNull(scheduledAt, "scheduledAt");
        Objects.requireNonNull(line, "line");
        Objects.requireNonNull(receipt, "receipt");
    }

    /** A row nobody waits for. */
    public HeartbeatRow(long monitorId, int datacenterId, Instant scheduledAt, Long leaseEpoch, byte[] line) {
        this(monitorId, datacenterId, scheduledAt, leaseEpoch, line, Receipt.NONE);
    }

    public static HeartbeatRow of(Heartbeat heartbeat) {
        return new HeartbeatRow(
                heartbeat.monitorId(),
                heartbeat.datacenterId(),
                heartbeat.scheduledAt(),
                heartbeat.leaseEpoch(),
                HeartbeatCopyFormat.line(heartbeat));
    }

    /**
     * A pushed beat, encoded on the caller's thread; {@code receipt} learns when it is safe.
     *
     * @throws IllegalArgumentException when a value does not fit its column
     */
    public static HeartbeatRow of(PushedBeat beat, Receipt receipt) {
        return new HeartbeatRow(
                beat.monitorId(), PushedBeat.DATACENTER_ID, beat.key(), null, HeartbeatCopyFormat.line(beat), receipt);
    }

    /** The UTC day of the slot, which names its partition. */
    LocalDate day() {
        return LocalDate.ofInstant(scheduledAt, ZoneOffset.UTC);
    }

    Slot slot() {
        return new Slot(monitorId, datacenterId, scheduledAt);
    }

    record Slot(long monitorId, int datacenterId, Instant scheduledAt) {}
}
