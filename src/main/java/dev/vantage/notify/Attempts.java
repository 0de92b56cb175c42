package dev.vantage.notify;

import dev.vantage.store.ClaimedNotification;
import dev.vantage.store.OutboxDao;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One attempt at a claimed row, outside any transaction: finds the channel's sender, reads the payload, sends, then
 * records the attempt in a short transaction (its {@code notification_attempts} row and the notification's new status:
 * delivered; pending again after a backoff; failed when rejected or out of time), and counts and logs it. A row whose
 * channel cannot be used or whose payload cannot be read fails without an attempt.
 */
final class Attempts {
    // Under the delivery's logger: operators follow one logger for the whole outbox.
    private static final Logger log = LoggerFactory.getLogger(Delivery.class);
    private static final int MAX_ERROR_CHARS = 500;

    private final Jdbi jdbi;
    private final ChannelDirectory channels;
    private final DeliverySettings settings;
    private final RetryDelay retryDelay;
    private final DeliveryMeters meters;
    /** Channels whose unavailability was logged; a channel is logged again after it was usable in between. */
    private final Set<Integer> unavailableLogged = ConcurrentHashMap.newKeySet();

    Attempts(
            Jdbi jdbi,
            ChannelDirectory channels,
            DeliverySettings settings,
            RetryDelay retryDelay,
            DeliveryMeters meters) {
        this.jdbi = jdbi;
        this.channels = channels;
        this.settings = settings;
        this.retryDelay = retryDelay;
        this.meters = meters;
    }

    /**
     * What became of the row.
     *
     * @param status the notification's status after this attempt; empty when the claim was lost
     * @param latency from enqueueing to delivery, when delivered
     * @param delay until the next attempt, when retried
     */
    private record Recorded(Optional<String> status, Duration latency, Duration delay) {}

    /** Sends a claimed row once, unless its channel or payload makes that impossible, and records what happened. */
    void run(ClaimedNotification row) {
        Optional<ChannelDirectory.Sender> sender =
                row.channelEnabled() ? channels.find(row.channelId()) : Optional.empty();
        if (sender.isEmpty()) {
            unusableChannel(row);
            return;
        }
        if (unavailableLogged.remove(row.channelId())) {
            log.info("Channel {} is usable again", row.channelName());
        }
        Notice notice;
        try {
            notice = OutboxPayload.read(
                    row.payloadJson(), Event.fromWire(row.event()), row.dedupKey(), row.incidentId());
        } catch (IllegalArgumentException e) {
            unsendable(row, "unreadable payload: " + e.getMessage(), "payload");
            return;
        }
        notice = withSuppressed(notice);
        Instant started = Instant.now();
        long t0 = System.nanoTime();
        Outcome outcome = attempt(sender.get(), row, notice, started.plus(settings.attemptTimeout()));
        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        record(row, started, took, outcome);
    }

    /**
     * The monitor incidents this one suppressed, read now rather than when the notice was enqueued: dependents go
     * DOWN a little after their dependency fired.
     */
    private Notice withSuppressed(Notice notice) {
        if (!"monitor".equals(notice.kind())) {
            return notice;
        }
        var rows = jdbi.withExtension(OutboxDao.class, dao -> dao.listSuppressed(notice.incidentId()));
        return notice.withSuppressed(rows.stream()
                .map(r -> new Notice.Suppressed(r.monitorId(), r.monitorName(), r.dedupKey()))
                .toList());
    }

    private static Outcome attempt(
            ChannelDirectory.Sender sender, ClaimedNotification row, Notice notice, Instant deadline) {
        try {
            Outcome outcome = sender.deliver(row.id(), notice, deadline);
            return outcome != null ? outcome : Outcome.retry(null, null, "notifier returned no outcome");
        } catch (RuntimeException e) {
            // A notifier must not throw; retrying is the safe reading of a bug that may be transient.
            log.error(
                    "Channel {} incident {} {}: notifier failed", row.channelName(), row.incidentId(), row.event(), e);
            return Outcome.retry(null, null, "notifier failed: " + e.getClass().getSimpleName());
        }
    }

    private void unusableChannel(ClaimedNotification row) {
        String why = row.channelEnabled() ? channels.whyUnavailable(row.channelId()) : "channel disabled";
        if (unavailableLogged.add(row.channelId())) {
            log.warn("Channel {} cannot be used, failing its notifications: {}", row.channelName(), why);
        }
        unsendable(row, why, "channel");
    }

    private void unsendable(ClaimedNotification row, String why, String reason) {
        jdbi.useExtension(OutboxDao.class, dao -> dao.markUnsendable(row.id(), row.attempt(), truncate(why)));
        meters.failed(row.channelType(), reason);
        log.debug(
                "Channel {} incident {} {}: failed without an attempt: {}",
                row.channelName(),
                row.incidentId(),
                row.event(),
                why);
    }

    private void record(ClaimedNotification row, Instant started, Duration took, Outcome outcome) {
        String error = truncate(describe(outcome));
        Recorded recorded = jdbi.inTransaction(h -> {
            var dao = h.attach(OutboxDao.class);
            dao.insertAttempt(
                    row.id(),
                    row.attempt(),
                    started.atOffset(ZoneOffset.UTC),
                    took.toNanos() / 1e6,
                    outcome.kind().name().toLowerCase(Locale.ROOT),
                    outcome.statusCode(),
                    error);
            return switch (outcome.kind()) {
                case DELIVERED -> {
                    var seconds = dao.markDelivered(row.id(), row.attempt());
                    yield new Recorded(
                            seconds.map(s -> "delivered"),
                            seconds.map(s -> Duration.ofNanos((long) (s * 1e9))).orElse(null),
                            null);
                }
                case RETRY -> {
                    Duration delay = retryDelay.after(row.attempt(), outcome.retryAfter());
                    String giveUp = "gave up: not delivered within " + human(settings.maxAge()) + " of being enqueued ("
                            + row.attempt() + " attempts); last error: " + error;
                    var status = dao.markRetry(
                            row.id(),
                            row.attempt(),
                            delay.toMillis(),
                            settings.maxAge().toMillis(),
                            error,
                            truncate(giveUp));
                    yield new Recorded(status, null, delay);
                }
                case REJECTED -> {
                    int n = dao.markRejected(row.id(), row.attempt(), error);
                    yield new Recorded(n == 1 ? Optional.of("failed") : Optional.empty(), null, null);
                }
            };
        });
        meters.attempt(row.channelType(), outcome.kind(), took);
        report(row, outcome, error, recorded);
    }

    private void report(ClaimedNotification row, Outcome outcome, String error, Recorded recorded) {
        if (recorded.status().isEmpty()) {
            log.info(
                    "Channel {} incident {} {}: attempt {} of notification {} ended ({}) after its claim expired;"
                            + " only the attempt is recorded",
                    row.channelName(),
                    row.incidentId(),
                    row.event(),
                    row.attempt(),
                    row.id(),
                    outcome.kind());
            return;
        }
        switch (outcome.kind()) {
            case DELIVERED -> {
                meters.delivered(row.channelType(), recorded.latency());
                log.debug(
                        "Channel {} incident {} {}: delivered at attempt {}",
                        row.channelName(),
                        row.incidentId(),
                        row.event(),
                        row.attempt());
            }
            case RETRY -> {
                if (recorded.status().get().equals("failed")) {
                    meters.failed(row.channelType(), "expired");
                    log.warn(
                            "Channel {} incident {} {}: gave up after {} attempts within {}: {}",
                            row.channelName(),
                            row.incidentId(),
                            row.event(),
                            row.attempt(),
                            human(settings.maxAge()),
                            error);
                } else {
                    log.info(
                            "Channel {} incident {} {}: attempt {} failed ({}), next in {} ms",
                            row.channelName(),
                            row.incidentId(),
                            row.event(),
                            row.attempt(),
                            error,
                            recorded.delay().toMillis());
                }
            }
            case REJECTED -> {
                meters.failed(row.channelType(), "rejected");
                log.warn(
                        "Channel {} incident {} {}: rejected, not retried: {}",
                        row.channelName(),
                        row.incidentId(),
                        row.event(),
                        error);
            }
        }
    }

    /** The reason of a failed attempt for the database and the log; null when delivered. */
    private static String describe(Outcome outcome) {
        if (outcome.kind() == Outcome.Kind.DELIVERED) {
            return null;
        }
        if (outcome.detail() != null && !outcome.detail().isBlank()) {
            return outcome.detail();
        }
        return outcome.statusCode() != null
                ? "HTTP " + outcome.statusCode()
                : outcome.kind().name().toLowerCase(Locale.ROOT);
    }

    static String truncate(String s) {
        return s == null || s.length() <= MAX_ERROR_CHARS ? s : s.substring(0, MAX_ERROR_CHARS - 1) + "…";
    }

    static String human(Duration d) {
        if (d.toMillis() % 3_600_000 == 0) {
            return d.toHours() + " h";
        }
        if (d.toMillis() % 60_000 == 0) {
            return d.toMinutes() + " min";
        }
        if (d.toMillis() % 1_000 == 0) {
            return d.toSeconds() + " s";
        }
        return d.toMillis() + " ms";
    }
}
