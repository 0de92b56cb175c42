package dev.vantage.push.redis;

import dev.vantage.Fatal;
import dev.vantage.loop.Backoff;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.StreamEntryID;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.params.XAutoClaimParams;
import redis.clients.jedis.params.XReadGroupParams;
import redis.clients.jedis.resps.StreamEntry;

/**
 * The Redis side of the ingest, on one thread and one connection: reads entries through the consumer group, hands
 * each batch to an {@link EntryHandler}, and acknowledges (XACK) exactly the entries the handler says are done. An
 * entry not acknowledged stays pending in the group and is read again: first by this consumer (its own pending
 * entries, read from id {@code 0} at every (re)connect and after a batch that left some), and, once it has been
 * pending for {@link RedisIngestSettings#claimMinIdle()}, by whichever consumer of the group claims it first
 * (XAUTOCLAIM), so a replica that died with entries in hand loses none of them.
 *
 * <p>A lost connection (or a server that refuses us) is retried with capped exponential backoff and jitter, with one
 * log line when the outage begins and one when it ends; nothing else in the process waits for Redis. A group missing
 * (a new stream, a server restarted without persistence) is created at {@code $} with MKSTREAM: a new group reads
 * what is added from then on, not a stream's history.
 */
final class StreamConsumer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(StreamConsumer.class);
    /** The id before every entry: this consumer's pending entries are read from it, and XAUTOCLAIM starts there. */
    static final StreamEntryID ZERO = new StreamEntryID(0, 0);
    /** XAUTOCLAIM rounds per stream per claim pass, so a huge backlog of dead consumers does not starve new reads. */
    private static final int CLAIM_ROUNDS = 16;

    /** An entry as read: its stream, id and fields; null fields for an entry deleted from the stream while pending. */
    record Entry(String stream, StreamEntryID id, Map<String, String> fields) {}

    /** Handles a batch of entries and says which ones are done: those are acknowledged, the others stay pending. */
    @FunctionalInterface
    interface EntryHandler {
        Set<Entry> handle(List<Entry> batch);
    }

    private final RedisIngestSettings settings;
    private final EntryHandler handler;
    private final Clock clock;
    private final RedisConnection connection;
    private final Backoff retry;
    private final Map<String, String> mdc;
    private final CountDownLatch stopRequested = new CountDownLatch(1);
    private final Thread thread;
    private volatile boolean stopping;
    private volatile boolean connected;

    private int retries; // only the consumer's thread touches it

    StreamConsumer(RedisIngestSettings settings, EntryHandler handler, Clock clock) {
        this.settings = settings;
        this.handler = handler;
        this.clock = clock;
        this.connection = new RedisConnection(settings, clock);
        this.retry = new Backoff(Duration.ofSeconds(1), settings.claimMinIdle(), new SplittableRandom());
        Map<String, String> context = MDC.getCopyOfContextMap();
        this.mdc = context == null ? Map.of() : Map.copyOf(context);
        this.thread = Fatal.platformThread("redis-ingest", this::run);
    }

    void start() {
        thread.start();
    }

    /** Whether the consumer is connected and its groups exist: beats are being read. */
    boolean connected() {
        return connected;
    }

    /**
     * Stops reading; the batch in hand is finished (its entries reach their receipts within the handler's bound) and
     * acknowledged, then the connection closes. Waits at most {@code deadline}.
     */
    void stop(Duration deadline) {
        stopping = true;
        stopRequested.countDown();
        try {
            thread.join(deadline);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            log.warn(
                    "Redis ingest: still busy {} after the stop; its unacknowledged entries stay pending for another"
                            + " consumer",
                    deadline);
        }
    }

    @Override
    public void close() {
        stop(settings.block().plus(settings.timeout()).multipliedBy(2));
    }

    private void run() {
        MDC.setContextMap(mdc);
        while (!stopping) {
            try (var jedis = connection.open()) {
                createGroups(jedis);
                consume(jedis);
            } catch (RuntimeException e) {
                connected = false;
                if (!stopping) {
                    pause(connection.failed(e));
                }
            } finally {
                connected = false;
            }
        }
        log.info("Redis ingest: stopped reading {}", settings.streams());
    }

    /** Reads, handles and acknowledges until stopped or the connection fails. */
    private void consume(Jedis jedis) {
        // This consumer's own pending entries first: a previous life's, or those of a batch that was not made safe.
        var backlog = new LinkedHashMap<String, StreamEntryID>();
        settings.streams().forEach(s -> backlog.put(s, ZERO));
        Instant nextClaim = clock.instant();
        boolean reading = false;
        while (!stopping) {
            boolean done = true;
            // Not while retrying: work that cannot be made safe now is better left to other consumers.
            if (retries == 0 && !clock.instant().isBefore(nextClaim)) {
                done = claim(jedis);
                nextClaim = clock.instant().plus(settings.claimEvery());
            }
            List<Entry> batch;
            if (!backlog.isEmpty()) {
                batch = read(jedis, backlog, false);
                for (String stream : List.copyOf(backlog.keySet())) {
                    var last = batch.stream()
                            .filter(e -> e.stream().equals(stream))
                            .reduce((a, b) -> b);
                    if (last.isEmpty()) {
                        backlog.remove(stream);
                    } else {
                        backlog.put(stream, last.get().id());
                    }
                }
            } else {
                // New entries only once this consumer's own are done: while beats cannot be made safe (the database
                // away, say), new entries wait in the stream, where another replica may read them.
                var undelivered = new LinkedHashMap<String, StreamEntryID>();
                settings.streams().forEach(s -> undelivered.put(s, StreamEntryID.XREADGROUP_UNDELIVERED_ENTRY));
                batch = read(jedis, undelivered, true);
            }
            if (!reading) {
                // Only a read that worked ends an outage: a server that takes the connection and refuses the reads
                // is still one outage, logged once.
                reading = true;
                connected = true;
                connection.reading();
            }
            if (!batch.isEmpty()) {
                done &= handleAndAck(jedis, batch);
            }
            if (!done) {
                // Some entries could not be made safe (the database away and no journal, say): they stay pending,
                // and are read again from the start of this consumer's pending entries after a while.
                retries++;
                settings.streams().forEach(s -> backlog.put(s, ZERO));
                pause(Duration.ofNanos(retry.delayNanos(retries)));
            } else if (backlog.isEmpty()) {
                retries = 0;
            }
        }
    }

    private List<Entry> read(Jedis jedis, Map<String, StreamEntryID> streams, boolean block) {
        var params = XReadGroupParams.xReadGroupParams().count(settings.count());
        if (block) {
            params.block((int) settings.block().toMillis());
        }
        List<Map.Entry<String, List<StreamEntry>>> reply;
        try {
            reply = jedis.xreadGroup(settings.group(), settings.consumer(), params, streams);
        } catch (JedisDataException e) {
            if (RedisConnection.code(e).equals("NOGROUP")) {
                log.info(
                        "Redis ingest: group {} was missing (a stream deleted, or the server restarted without its"
                                + " data); creating it again",
                        settings.group());
                createGroups(jedis);
                return List.of();
            }
            throw e;
        }
        var batch = new ArrayList<Entry>();
        if (reply != null) {
            for (var stream : reply) {
                for (StreamEntry e : stream.getValue()) {
                    batch.add(new Entry(stream.getKey(), e.getID(), e.getFields()));
                }
            }
        }
        return batch;
    }

    /**
     * Claims the entries pending longer than {@link RedisIngestSettings#claimMinIdle()} in every stream, from any
     * consumer (this one's own included), and handles them like new ones; true when all of them were done.
     */
    private boolean claim(Jedis jedis) {
        boolean done = true;
        long minIdle = settings.claimMinIdle().toMillis();
        var params = XAutoClaimParams.xAutoClaimParams().count(settings.count());
        for (String stream : settings.streams()) {
            StreamEntryID cursor = ZERO;
            for (int round = 0; round < CLAIM_ROUNDS && !stopping; round++) {
                Map.Entry<StreamEntryID, List<StreamEntry>> reply;
                try {
                    reply = jedis.xautoclaim(stream, settings.group(), settings.consumer(), minIdle, cursor, params);
                } catch (JedisDataException e) {
                    if (RedisConnection.code(e).equals("NOGROUP")) {
                        createGroups(jedis);
                        break;
                    }
                    throw e;
                }
                var batch = new ArrayList<Entry>();
                for (StreamEntry e : reply.getValue()) {
                    if (e != null) {
                        batch.add(new Entry(stream, e.getID(), e.getFields()));
                    }
                }
                if (!batch.isEmpty()) {
                    log.info(
                            "Redis ingest: claimed {} entries of stream {} pending for more than {} s (read by a"
                                    + " consumer that stopped before acknowledging them)",
                            batch.size(),
                            stream,
                            settings.claimMinIdle().toSeconds());
                    done &= handleAndAck(jedis, batch);
                }
                cursor = reply.getKey();
                if (cursor == null || cursor.equals(ZERO)) {
                    break;
                }
            }
        }
        return done;
    }

    /** Handles the batch and acknowledges what is done; true when every entry was. */
    private boolean handleAndAck(Jedis jedis, List<Entry> batch) {
        Set<Entry> done = new LinkedHashSet<>();
        for (Entry e : batch) {
            if (e.fields() == null) {
                log.warn(
                        "Redis ingest: entry {} of stream {} was deleted (trimmed?) before it was written; acknowledged",
                        e.id(),
                        e.stream());
                done.add(e);
            }
        }
        var beats = batch.stream().filter(e -> e.fields() != null).toList();
        if (!beats.isEmpty()) {
            done.addAll(handler.handle(beats));
        }
        Map<String, List<StreamEntryID>> byStream = new LinkedHashMap<>();
        for (Entry e : done) {
            byStream.computeIfAbsent(e.stream(), s -> new ArrayList<>()).add(e.id());
        }
        for (var stream : byStream.entrySet()) {
            jedis.xack(stream.getKey(), settings.group(), stream.getValue().toArray(StreamEntryID[]::new));
        }
        return done.size() == batch.size();
    }

    /** XGROUP CREATE … $ MKSTREAM for every stream; a group that exists (BUSYGROUP) is kept as it is. */
    private void createGroups(Jedis jedis) {
        for (String stream : settings.streams()) {
            try {
                jedis.xgroupCreate(stream, settings.group(), StreamEntryID.XGROUP_LAST_ENTRY, true);
                log.info(
                        "Redis ingest: created group {} on stream {}, reading entries added from now on",
                        settings.group(),
                        stream);
            } catch (JedisDataException e) {
                if (!RedisConnection.code(e).equals("BUSYGROUP")) {
                    throw e;
                }
            }
        }
    }

    /** Waits, or less when stopped. */
    private void pause(Duration delay) {
        try {
            stopRequested.await(delay.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stopping = true;
        }
    }
}
