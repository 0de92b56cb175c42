package dev.vantage.notify;

import dev.vantage.Meters;
import dev.vantage.loop.BackgroundLoop;
import dev.vantage.store.AbandonedNotification;
import dev.vantage.store.ClaimedNotification;
import dev.vantage.store.Fence;
import dev.vantage.store.OutboxDao;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.random.RandomGenerator;
import java.util.stream.Collectors;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Delivers the outbox ({@code notifications}) while {@code active} says this process may (the monitor's lease).
 *
 * <p>One platform thread claims due rows in a short transaction, fenced by the lease, that sets
 * {@code claimed_until} and counts the attempt; each claimed row is then sent on a virtual thread <em>outside</em>
 * any transaction (an open transaction during a slow HTTP call would hold back the xmin horizon the monitor's
 * heartbeat cursor waits for), and its outcome recorded in a second short transaction. A process that dies mid-send
 * leaves the claim to expire and the row is sent again, with the same notification id and dedup key: at most one
 * duplicate per death. Rows of one incident and channel go in id order; different incidents and channels go in
 * parallel, with at most {@link DeliverySettings#perChannelConcurrency()} sends to one channel so that a slow receiver
 * leaves room for the others.
 *
 * <p>A channel with {@code group_seconds} above 0 holds the notifications of incidents that open (or end) until the
 * oldest is that old, then sends them as one {@link NoticeGroup} (up to {@link #GROUP_LIMIT}): one send, one claim,
 * one attempt recorded on every row, and a retry sends the same rows again ({@code notifications.group_id}). Claims
 * take turns under one advisory lock, so that two processes never split a group.
 *
 * <p>Outcomes are recorded only while the row's claim is this attempt's ({@code attempts} unchanged), so a sender
 * that outlived its claim cannot overwrite a newer attempt's result. Recording is not fenced: that the receiver
 * accepted a notification is a fact, and dropping it because the lease moved on would only send it twice.
 */
public final class Delivery implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Delivery.class);
    private static final Duration STATS_EVERY = Duration.ofSeconds(5);
    /** Failed rounds are retried after the poll interval at first, backing off to this. */
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(5);
    /**
     * The most notifications one notice lists: a group notice stays a message receivers accept (a webhook body of
     * about 1 MB at most); the rest go in the next notice, at once.
     */
    static final int GROUP_LIMIT = 1000;

    private final Jdbi jdbi;
    private final Fence fence;
    private final BooleanSupplier active;
    private final DeliverySettings settings;
    private final DeliveryMeters meters;
    private final ChannelDirectory channels;
    private final Attempts attempts;
    private final ExecutorService senders;
    private final Map<String, String> mdc;
    /** Sends in flight, by the id of their first row (each row is in one send at most). */
    private final Map<Long, InFlight> inFlight = new ConcurrentHashMap<>();

    private final MeterRegistry registry;
    private volatile BackgroundLoop loop;
    private long nextStatsNanos = System.nanoTime();
    private volatile double pending = Double.NaN;
    private volatile double oldestPendingSeconds = Double.NaN;

    /**
     * @param fence checked in every claim transaction: a process that lost the lease claims nothing
     * @param active asked before every round; while false the loop claims nothing (sends in flight finish)
     */
    public Delivery(
            Jdbi jdbi,
            ChannelDirectory channels,
            Fence fence,
            BooleanSupplier active,
            DeliverySettings settings,
            MeterRegistry registry) {
        this.jdbi = jdbi;
        this.fence = fence;
        this.active = active;
        this.settings = settings;
        this.meters = new DeliveryMeters(registry);
        this.registry = registry;
        this.channels = channels;
        this.attempts = new Attempts(
                jdbi,
                channels,
                settings,
                new RetryDelay(settings.backoffBase(), settings.backoffCap(), RandomGenerator.getDefault()),
                meters);
        this.senders = Executors.newThreadPerTaskExecutor(
                Thread.ofVirtual().name("notify-", 0).factory());
        this.mdc = MDC.getCopyOfContextMap() == null ? Map.of() : Map.copyOf(MDC.getCopyOfContextMap());
        Gauge.builder(Meters.OUTBOX_PENDING, this, d -> d.pending)
                .description("Outbox rows still pending")
                .register(registry);
        Gauge.builder(Meters.OUTBOX_OLDEST_AGE, this, d -> d.oldestPendingSeconds)
                .description("Age of the oldest pending outbox row")
                .baseUnit("seconds")
                .register(registry);
    }

    public synchronized void start() {
        if (loop != null) {
            throw new IllegalStateException("delivery already started");
        }
        log.info("Outbox delivery started");
        Duration poll = settings.pollInterval();
        loop = BackgroundLoop.named("outbox-delivery", "Outbox delivery", log, registry)
                .tag("delivery")
                .every(poll)
                .backoff(poll, poll.compareTo(MAX_BACKOFF) > 0 ? poll : MAX_BACKOFF)
                .start(this::runRound);
    }

    /** Looks for due rows now rather than at the next poll: the evaluator calls it after enqueueing. */
    public void wake() {
        var l = loop;
        if (l != null) {
            l.wake();
        }
    }

    /** Sends in flight (a group counts once). */
    public int inFlight() {
        return inFlight.size();
    }

    private Duration runRound() {
        if (active.getAsBoolean()) {
            round();
            refreshStats();
        } else {
            pending = Double.NaN;
            oldestPendingSeconds = Double.NaN;
        }
        return null;
    }

    private record Round(List<AbandonedNotification> abandoned, List<ClaimedNotification> claimed) {}

    /** One send in flight: its channel and the ids of its rows. */
    private record InFlight(int channelId, List<Long> ids) {}

    /** Gives up expired rows, claims due ones in one short fenced transaction, then hands each to a sender. */
    private void round() {
        int room = settings.maxConcurrency() - inFlight.size();
        long[] ids = inFlight.values().stream()
                .flatMap(f -> f.ids().stream())
                .mapToLong(Long::longValue)
                .toArray();
        int[] busy = inFlight.values().stream().mapToInt(InFlight::channelId).toArray();
        int[] ungrouped = channels.ungroupedChannels().stream()
                .mapToInt(Integer::intValue)
                .toArray();
        String reason = "gave up: not delivered within " + Attempts.human(settings.maxAge()) + " of being enqueued";
        Round round = jdbi.inTransaction(h -> {
            fence.check(h);
            var dao = h.attach(OutboxDao.class);
            dao.lockClaims(OutboxDao.CLAIM_LOCK);
            var abandoned = dao.abandonExpired(settings.maxAge().toMillis(), reason);
            var claimed = room <= 0
                    ? List.<ClaimedNotification>of()
                    : dao.claim(
                            room,
                            settings.perChannelConcurrency(),
                            ids,
                            busy,
                            ungrouped,
                            GROUP_LIMIT,
                            settings.claim().toMillis());
            return new Round(abandoned, claimed);
        });
        for (AbandonedNotification a : round.abandoned()) {
            meters.failed(a.channelType(), "expired");
            log.warn(
                    "Channel {} incident {} {}: {} ({} attempts)",
                    a.channelName(),
                    a.incidentId(),
                    a.event(),
                    reason,
                    a.attempts());
        }
        var sends = round.claimed().stream()
                .collect(Collectors.groupingBy(ClaimedNotification::groupId, LinkedHashMap::new, Collectors.toList()));
        for (var claimed : sends.values()) {
            List<ClaimedNotification> rows = claimed.stream()
                    .sorted(Comparator.comparingLong(ClaimedNotification::id))
                    .toList();
            long key = rows.getFirst().id();
            inFlight.put(
                    key,
                    new InFlight(
                            rows.getFirst().channelId(),
                            rows.stream().map(ClaimedNotification::id).toList()));
            try {
                senders.execute(() -> send(key, rows));
            } catch (RejectedExecutionException x) {
                inFlight.remove(key); // stopping: the claim expires and the rows are sent later
            }
        }
    }

    private void send(long key, List<ClaimedNotification> rows) {
        if (!mdc.isEmpty()) {
            MDC.setContextMap(mdc);
        }
        try {
            attempts.run(rows);
        } catch (RuntimeException e) {
            meters.loopError();
            log.error(
                    "Channel {} {}: could not record notification {}; its claim expires and it is sent again",
                    rows.getFirst().channelName(),
                    Attempts.who(rows),
                    rows.getFirst().id(),
                    e);
        } finally {
            inFlight.remove(key);
            wake(); // the next row of this incident and channel may be due now
            MDC.clear();
        }
    }

    private void refreshStats() {
        long now = System.nanoTime();
        if (now - nextStatsNanos < 0) {
            return;
        }
        nextStatsNanos = now + STATS_EVERY.toNanos();
        var stats = jdbi.withExtension(OutboxDao.class, OutboxDao::stats);
        pending = stats.pending();
        oldestPendingSeconds = stats.oldestPendingSeconds();
    }

    /**
     * Stops claiming at once and lets sends in flight finish and record within {@code grace}; the rest are
     * interrupted, and their claims expire so that the next holder sends them again. Returns true when every send
     * finished in time.
     */
    public boolean stop(Duration grace) {
        long deadline = System.nanoTime() + grace.toNanos();
        BackgroundLoop l;
        synchronized (this) {
            l = loop;
        }
        if (l != null) {
            l.stop(grace);
            log.info("Outbox delivery stopped");
        }
        try {
            senders.shutdown();
            if (senders.awaitTermination(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                return true;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        log.warn(
                "{} notification sends still in flight at shutdown; they are sent again once their claims expire",
                inFlight.size());
        senders.shutdownNow();
        return false;
    }

    /** {@link #stop} with a grace of one attempt timeout plus a second: a send that keeps its deadline records. */
    @Override
    public void close() {
        stop(settings.attemptTimeout().plusSeconds(1));
    }
}
