package dev.vantage.heartbeat;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.EnumMap;
import java.util.Map;

/** The writer's meters, all named from {@link #PREFIX}; tags have a handful of values each. */
public final class HeartbeatMeters {
    public static final String PREFIX = dev.vantage.Meters.PREFIX + "heartbeats";

    /** Rows inserted. */
    public static final String WRITTEN = PREFIX + ".written";
    /** Rows whose slot was already filled (a replay or a retry after a lost commit acknowledgement): not written. */
    public static final String DUPLICATES = PREFIX + ".duplicates";
    /** Transactions committed. */
    /** Rows not written because a later lease epoch covers their slot (the writer's fence); not a loss. */
    public static final String FENCED = PREFIX + ".fenced";

    public static final String BATCHES = PREFIX + ".batches";
    /** Duration of one committed transaction (COPY and insert). */
    public static final String BATCH_DURATION = PREFIX + ".batch.duration";
    /**
     * Attempts that are retried, tagged {@code reason}: {@code unavailable} (database away or failing), {@code
     * partition} (a partition was missing and is created), {@code conflict} (a direct COPY met a filled slot and the
     * batch goes through the staging table).
     */
    public static final String RETRIES = PREFIX + ".retries";
    /** Heartbeats that will never be written, tagged {@code reason} (see {@link DropReason}). */
    public static final String DROPPED = PREFIX + ".dropped";
    /** Heartbeats waiting in the queue. */
    public static final String QUEUE_DEPTH = PREFIX + ".queue.depth";
    /** Room of the queue. */
    public static final String QUEUE_CAPACITY = PREFIX + ".queue.capacity";
    /** Bytes of the disk journal's segment files. */
    public static final String JOURNAL_BYTES = PREFIX + ".journal.bytes";
    /** Heartbeats in the disk journal, not yet acknowledged as written. */
    public static final String JOURNAL_RECORDS = PREFIX + ".journal.records";
    /** Partitions of api_heartbeats created by the partition maintainer, the writer or the monitor lease holder. */
    public static final String PARTITIONS_CREATED = PREFIX + ".partitions.created";
    /** Partitions of api_heartbeats dropped past the retention by the monitor lease holder (after their rollup). */
    public static final String PARTITIONS_DROPPED = PREFIX + ".partitions.dropped";
    /** Failed partition maintenance runs. */
    public static final String PARTITION_FAILURES = PREFIX + ".partitions.failures";

    /** Why a heartbeat was lost, the {@code reason} tag of {@link #DROPPED}. */
    public enum DropReason {
        /** The queue was full (database slow or away for longer than the queue lasts). */
        QUEUE_FULL("queue_full"),
        /** The database refused the row for a data reason. */
        REJECTED("rejected"),
        /** Offered after stop, or still unwritten when the shutdown deadline passed. */
        SHUTDOWN("shutdown"),
        /** The disk journal reached its bound: its oldest heartbeats were deleted unread. */
        JOURNAL_FULL("journal_full"),
        /**
         * A journal record was cut short or changed on disk (a crash during its write, a disk fault), or was written
         * by a Vantage version with other columns.
         */
        JOURNAL_CORRUPT("journal_corrupt"),
        /** A journal segment could not be read back (an I/O error). */
        JOURNAL_UNREADABLE("journal_unreadable");

        public final String tag;

        DropReason(String tag) {
            this.tag = tag;
        }
    }

    final Counter written;
    final Counter duplicates;
    final Counter fenced;
    final Counter batches;
    final Timer batchDuration;
    final Counter unavailableRetries;
    final Counter partitionRetries;
    final Counter conflictRetries;
    final Counter staleEpochRetries;
    final Counter partitionsCreated;
    private final Map<DropReason, Counter> dropped = new EnumMap<>(DropReason.class);

    HeartbeatMeters(MeterRegistry registry) {
        written = Counter.builder(WRITTEN).baseUnit("rows").register(registry);
        duplicates = Counter.builder(DUPLICATES).baseUnit("rows").register(registry);
        fenced = Counter.builder(FENCED).baseUnit("rows").register(registry);
        batches = Counter.builder(BATCHES).register(registry);
        // Buckets, not percentiles: see dev.vantage.web.MeterConventions.
        batchDuration = Timer.builder(BATCH_DURATION).register(registry);
        unavailableRetries =
                Counter.builder(RETRIES).tag("reason", "unavailable").register(registry);
        partitionRetries = Counter.builder(RETRIES).tag("reason", "partition").register(registry);
        conflictRetries = Counter.builder(RETRIES).tag("reason", "conflict").register(registry);
        staleEpochRetries =
                Counter.builder(RETRIES).tag("reason", "stale_epoch").register(registry);
        partitionsCreated = Counter.builder(PARTITIONS_CREATED).register(registry);
        for (DropReason reason : DropReason.values()) {
            dropped.put(
                    reason, Counter.builder(DROPPED).tag("reason", reason.tag).register(registry));
        }
    }

    static void gaugeQueue(MeterRegistry registry, HeartbeatBuffer buffer) {
        Gauge.builder(QUEUE_DEPTH, buffer, HeartbeatBuffer::size).register(registry);
        Gauge.builder(QUEUE_CAPACITY, buffer, HeartbeatBuffer::capacity).register(registry);
    }

    static void gaugeJournal(MeterRegistry registry, JournalingHeartbeatBuffer buffer) {
        Gauge.builder(JOURNAL_BYTES, buffer, JournalingHeartbeatBuffer::journalBytes)
                .baseUnit("bytes")
                .register(registry);
        Gauge.builder(JOURNAL_RECORDS, buffer, JournalingHeartbeatBuffer::journalRecords)
                .register(registry);
    }

    void dropped(DropReason reason, long count) {
        dropped.get(reason).increment(count);
    }
}
