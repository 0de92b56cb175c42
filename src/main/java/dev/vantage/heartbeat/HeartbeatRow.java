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
 */
public record HeartbeatRow(long monitorId, int datacenterId, Instant scheduledAt, Long leaseEpoch, byte[] line) {

    public HeartbeatRow {
        Objects.requireNonNull(scheduledAt, "scheduledAt");
        Objects.requireNonNull(line, "line");
    }

    public static HeartbeatRow of(Heartbeat heartbeat) {
        return new HeartbeatRow(
                heartbeat.monitorId(),
                heartbeat.datacenterId(),
                heartbeat.scheduledAt(),
                heartbeat.leaseEpoch(),
                HeartbeatCopyFormat.line(heartbeat));
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
