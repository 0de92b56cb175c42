package dev.vantage.web;

import static java.util.Map.entry;

import dev.vantage.Meters;
import dev.vantage.heartbeat.HeartbeatMeters;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import java.time.Duration;
import java.util.Map;
import java.util.stream.LongStream;

/**
 * What every series of a Vantage process looks like on {@code /metrics}, applied as meter filters before any meter is
 * registered:
 *
 * <ul>
 *   <li>HELP text: every {@code vantage.*} meter is described here, by name, so that one name has one text wherever it
 *       is registered (several classes register {@link Meters#LOOP_ERRORS}, say); a builder's own description wins.
 *   <li>Histograms, never client-side percentiles: every timer and distribution summary of Vantage and HikariCP
 *       publishes fixed buckets ({@link #SECONDS}, or the meter's own), so that replicas aggregate with {@code
 *       histogram_quantile(sum by (le) (...))} and the number of series stays fixed (15 per tag combination here).
 *   <li>Prometheus naming: the JVM binder's {@code process.cpu.time} (nanoseconds, {@code process_cpu_time_ns_total})
 *       is replaced by {@code process_cpu_seconds_total}, and {@code system.cpu.count} is renamed {@code
 *       system_cpus}, so that {@code promtool check metrics} is clean.
 * </ul>
 */
public final class MeterConventions {
    /** Buckets of every Vantage and HikariCP timer without buckets of its own: 1 ms to 30 s, 14 bounds and +Inf. */
    static final Duration[] SECONDS = LongStream.of(
                    1, 2, 5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 30_000)
            .mapToObj(Duration::ofMillis)
            .toArray(Duration[]::new);

    /** Enqueue to acceptance includes retries with backoff: 100 ms to 1 h, 10 bounds and +Inf. */
    static final Duration[] NOTIFICATION_LATENCY = LongStream.of(
                    100, 500, 1_000, 5_000, 10_000, 30_000, 60_000, 300_000, 900_000, 3_600_000)
            .mapToObj(Duration::ofMillis)
            .toArray(Duration[]::new);

    static final String CPU_COUNT = "system.cpu.count";
    static final String CPU_COUNT_RENAMED = "system.cpus";
    static final String CPU_TIME = "process.cpu.time";

    /** HELP text by meter name. */
    static final Map<String, String> HELP = Map.ofEntries(
            entry(Meters.BUILD_INFO, "1, with the version of Vantage and of Java this process runs"),
            entry(Meters.PROBES, "Probes finished, by monitor type and outcome (success or the error type)"),
            entry(Meters.PROBE_PHASES, "Duration of one phase of a probe, by monitor type and phase"),
            entry(Meters.PROBES_IN_FLIGHT, "Probes running now"),
            entry(Meters.SCHEDULE_LATENESS, "How late probes start after their slot"),
            entry(Meters.SLOTS_SKIPPED, "Probe slots not probed, by reason"),
            entry(Meters.MONITORS_SCHEDULED, "Monitors this agent runs"),
            entry(
                    Meters.MONITORS_INVALID,
                    "Monitor rows that failed validation (they write INVALID_CONFIG heartbeats)"),
            entry(Meters.CONFIG_RELOADS, "Configuration reloads, by outcome"),
            entry(Meters.CHANNELS_INVALID, "Notification channels that cannot be used"),
            entry(Meters.LOOP_ERRORS, "Unexpected errors in a background loop (logged; the loop goes on), by loop"),
            entry(Meters.WARMUP_RUNS, "Warm-up runs of the agent's probe path, by when and outcome"),
            entry(Meters.WARMUP_PROBES, "Warm-up probes run against in-process loopback targets"),
            entry(Meters.RESULTS_ABANDONED, "Probe results dropped because the lease epoch they ran under was lost"),
            entry(Meters.LEASE_LEADER, "1 while this replica leads (the shard of) its lease, else 0"),
            entry(Meters.LEASE_EPOCH, "Epoch of this replica's last lease acquisition (0 before the first)"),
            entry(Meters.LEASE_ACQUISITIONS, "Leases taken"),
            entry(Meters.LEASE_LOSSES, "Leases lost"),
            entry(Meters.LEASE_FOREIGN_HOLDER, "1 while a standby finds its lease lock held by a foreign login"),
            entry(Meters.LEASE_FOREIGN_HOLDS, "Times a standby found its lease lock held by a foreign login"),
            entry(Meters.NOTIFICATIONS, "Notification delivery attempts, by channel type and outcome"),
            entry(Meters.NOTIFICATIONS_FAILED, "Notifications given up, by channel type and reason"),
            entry(Meters.NOTIFICATION_LATENCY, "From enqueueing a notification to its acceptance by the receiver"),
            entry(Meters.NOTIFICATION_ATTEMPT_DURATION, "One notification delivery attempt"),
            entry(Meters.OUTBOX_PENDING, "Outbox rows still pending (NaN while this replica does not deliver)"),
            entry(Meters.OUTBOX_OLDEST_AGE, "Age of the oldest pending outbox row, 0 when none (NaN on a standby)"),
            entry(Meters.EVALUATE_LAG, "Seconds between now and inserted_at of the last heartbeat evaluated"),
            entry(Meters.WATERMARK_LAG, "Age of the oldest running transaction with an xid, holding the cursor back"),
            entry(Meters.WATERMARK_LAG_XIDS, "Transaction ids between the heartbeat cursor's watermark and the next"),
            entry(Meters.EVALUATED, "Heartbeats read by the monitor module, by outcome (applied, late, ignored)"),
            entry(Meters.EVALUATION_REBUILDS, "Failed evaluation rounds after which the evaluator was rebuilt"),
            entry(Meters.EVALUATION_ROUNDS, "One evaluation round (one transaction)"),
            entry(Meters.NOTIFICATIONS_ENQUEUED, "Outbox rows written by the evaluator"),
            entry(Meters.ROLLUPS_WRITTEN, "Rows of api_heartbeat_rollups (re)computed"),
            entry(Meters.PUSH_BEATS, "Beats of push monitors, by source and outcome"),
            entry(Meters.PUSH_MESSAGES_CUT, "Accepted beats whose message was cut to its bound"),
            entry(Meters.PUSH_INGEST, "From a beat's arrival to its answer, by source and outcome"),
            entry(Meters.PUSH_TOKENS, "Push monitors whose tokens this replica has loaded"),
            entry(Meters.PUSH_TOKEN_LOOKUPS, "Database lookups of tokens not loaded, by outcome"),
            entry(Meters.PUSH_NATS_DROPPED, "NATS messages the client dropped because the subscription fell behind"),
            entry(Meters.MONITOR_STATE, "1 per monitor and datacenter (or global), labelled with its current state"),
            entry(Meters.MONITOR_UP, "1 while a monitor is UP in a datacenter (or globally), else 0"),
            entry(Meters.MONITOR_STATE_OMITTED, "Monitor and datacenter pairs left out of the state gauges (bound)"),
            entry(HeartbeatMeters.WRITTEN, "Heartbeat rows written"),
            entry(HeartbeatMeters.DUPLICATES, "Heartbeat rows whose slot was already filled: not written"),
            entry(HeartbeatMeters.FENCED, "Heartbeat rows refused by the lease fence (not a loss)"),
            entry(HeartbeatMeters.BATCHES, "Heartbeat write transactions committed"),
            entry(HeartbeatMeters.BATCH_DURATION, "One heartbeat write transaction"),
            entry(HeartbeatMeters.RETRIES, "Heartbeat write attempts retried, by reason"),
            entry(HeartbeatMeters.DROPPED, "Heartbeats that will never be written, by reason"),
            entry(HeartbeatMeters.QUEUE_DEPTH, "Heartbeats waiting in memory"),
            entry(HeartbeatMeters.QUEUE_CAPACITY, "Room of the heartbeat queue"),
            entry(HeartbeatMeters.JOURNAL_BYTES, "Bytes of the heartbeat journal's segment files"),
            entry(HeartbeatMeters.JOURNAL_RECORDS, "Heartbeats in the disk journal, not yet written"),
            entry(HeartbeatMeters.PARTITIONS_CREATED, "Partitions of api_heartbeats created"),
            entry(HeartbeatMeters.PARTITIONS_DROPPED, "Partitions of api_heartbeats dropped past the retention"),
            entry(HeartbeatMeters.PARTITION_FAILURES, "Failed partition maintenance runs"));

    private MeterConventions() {}

    /** Adds the filters; call it on a new registry, before any meter is registered (filters apply at registration). */
    public static void apply(MeterRegistry registry) {
        registry.config()
                .meterFilter(MeterFilter.deny(id -> id.getName().equals(CPU_TIME)))
                .meterFilter(new MeterFilter() {
                    @Override
                    public Meter.Id map(Meter.Id id) {
                        String name = id.getName().equals(CPU_COUNT) ? CPU_COUNT_RENAMED : id.getName();
                        String description = id.getDescription();
                        if (description == null || description.isBlank()) {
                            description = HELP.get(name);
                        }
                        if (name.equals(id.getName()) && java.util.Objects.equals(description, id.getDescription())) {
                            return id;
                        }
                        return new Meter.Id(
                                name, Tags.of(id.getTagsAsIterable()), id.getBaseUnit(), description, id.getType());
                    }

                    @Override
                    public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
                        return histogram(id, config);
                    }
                });
    }

    /**
     * No client-side percentiles for Vantage's and HikariCP's timers and summaries, and fixed buckets for their timers
     * (in nanoseconds, a timer's base unit inside Micrometer) unless the builder gave its own.
     */
    static DistributionStatisticConfig histogram(Meter.Id id, DistributionStatisticConfig config) {
        String name = id.getName();
        if (!name.startsWith(Meters.PREFIX) && !name.startsWith("hikaricp.")) {
            return config;
        }
        var buckets =
                DistributionStatisticConfig.builder().percentiles(new double[0]).percentilesHistogram(false);
        double[] own = config.getServiceLevelObjectiveBoundaries();
        if (id.getType() == Meter.Type.TIMER && (own == null || own.length == 0)) {
            Duration[] bounds = name.equals(Meters.NOTIFICATION_LATENCY) ? NOTIFICATION_LATENCY : SECONDS;
            buckets.serviceLevelObjectives(LongStream.range(0, bounds.length)
                    .mapToDouble(i -> bounds[(int) i].toNanos())
                    .toArray());
        }
        return buckets.build().merge(config);
    }
}
