package dev.vantage.notify;

import dev.vantage.store.ClaimedNotification;
import dev.vantage.store.OutboxDao;
import dev.vantage.store.SuppressedIncident;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One attempt at a claimed send, outside any transaction: finds the channel's sender, reads the payloads, sends one
 * notice (a {@link NoticeGroup} when several rows were claimed together), then records the attempt on every row in a
 * short transaction (its {@code notification_attempts} row and the notification's new status: delivered; pending
 * again after a backoff; failed when rejected or out of time), and counts and logs it. A row whose channel cannot be
 * used or whose payload cannot be read fails without an attempt; the other members of its group are still sent.
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
     * What became of one row.
     *
     * @param status the notification's status after this attempt; empty when the claim was lost
     * @param latency from enqueueing to delivery, when delivered
     */
    private record Recorded(ClaimedNotification row, Optional<String> status, Duration latency) {}

    /**
     * Sends one claimed send once (one row, or the rows of a group as one notice), unless its channel or payloads
     * make that impossible, and records what happened on every row.
     *
     * @param rows one row, or the rows claimed together under one {@code group_id}, all of one channel
     */
    void run(List<ClaimedNotification> rows) {
        ClaimedNotification first = rows.getFirst();
        Optional<ChannelDirectory.Sender> sender =
                first.channelEnabled() ? channels.find(first.channelId()) : Optional.empty();
        if (sender.isEmpty()) {
            rows.forEach(this::unusableChannel);
            return;
        }
        if (unavailableLogged.remove(first.channelId())) {
            log.info("Channel {} is usable again", first.channelName());
        }
        if (rows.size() > 1 && channels.ungroupedChannels().contains(first.channelId())) {
            release(rows);
            return;
        }
        var sendable = new ArrayList<ClaimedNotification>();
        var notices = new ArrayList<Notice>();
        for (ClaimedNotification row : rows) {
            try {
                notices.add(OutboxPayload.read(
                        row.payloadJson(), Event.fromWire(row.event()), row.dedupKey(), row.incidentId()));
                sendable.add(row);
            } catch (IllegalArgumentException e) {
                unsendable(row, "unreadable payload: " + e.getMessage(), "payload");
            }
        }
        if (sendable.isEmpty()) {
            return;
        }
        notices = withSuppressed(notices);
        // A group of one is sent exactly as a notification sent alone; a group under its first row's id, which is
        // the same on every attempt (the webhook-id).
        boolean group = sendable.size() > 1;
        Notice notice = group ? NoticeGroup.of(first.groupId(), notices) : notices.getFirst();
        long messageId = group ? first.groupId() : sendable.getFirst().id();
        Instant started = Instant.now();
        long t0 = System.nanoTime();
        Outcome outcome = attempt(sender.get(), sendable, messageId, notice, started.plus(settings.attemptTimeout()));
        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        record(sendable, started, took, outcome);
    }

    /**
     * The notices with the monitor incidents each one suppressed, read now rather than when they were enqueued
     * (dependents go DOWN a little after their dependency fired), in one query for all of them.
     */
    private ArrayList<Notice> withSuppressed(List<Notice> notices) {
        long[] ids = notices.stream()
                .filter(n -> "monitor".equals(n.kind()))
                .mapToLong(Notice::incidentId)
                .toArray();
        var out = new ArrayList<Notice>(notices.size());
        if (ids.length == 0) {
            out.addAll(notices);
            return out;
        }
        Map<Long, List<Notice.Suppressed>> byIncident =
                jdbi.withExtension(OutboxDao.class, dao -> dao.listSuppressed(ids)).stream()
                        .collect(Collectors.groupingBy(
                                SuppressedIncident::suppressedBy,
                                Collectors.mapping(
                                        r -> new Notice.Suppressed(r.monitorId(), r.monitorName(), r.dedupKey()),
                                        Collectors.toList())));
        for (Notice n : notices) {
            var suppressed = "monitor".equals(n.kind()) ? byIncident.get(n.incidentId()) : null;
            out.add(suppressed == null ? n : n.withSuppressed(suppressed));
        }
        return out;
    }

    private static Outcome attempt(
            ChannelDirectory.Sender sender,
            List<ClaimedNotification> rows,
            long messageId,
            Notice notice,
            Instant deadline) {
        try {
            Outcome outcome = sender.deliver(messageId, notice, deadline);
            return outcome != null ? outcome : Outcome.retry(null, null, "notifier returned no outcome");
        } catch (RuntimeException e) {
            // A notifier must not throw; retrying is the safe reading of a bug that may be transient.
            log.error("Channel {} {}: notifier failed", rows.getFirst().channelName(), who(rows), e);
            return Outcome.retry(null, null, "notifier failed: " + e.getClass().getSimpleName());
        }
    }

    /** {@code incident 12 firing} for one row, {@code group 34 (5 notifications, firing)} for a group. */
    static String who(List<ClaimedNotification> rows) {
        ClaimedNotification first = rows.getFirst();
        if (rows.size() == 1) {
            return "incident " + first.incidentId() + " " + first.event();
        }
        String events = rows.stream().map(ClaimedNotification::event).distinct().collect(Collectors.joining(", "));
        return "group " + first.groupId() + " (" + rows.size() + " notifications, " + events + ")";
    }

    /** The channel stopped grouping since the claim (its type changed): nothing sent, the rows go one by one. */
    private void release(List<ClaimedNotification> rows) {
        jdbi.useTransaction(h -> {
            var dao = h.attach(OutboxDao.class);
            rows.forEach(row -> dao.release(row.id(), row.attempt()));
        });
        log.info(
                "Channel {} {}: the channel no longer groups; its notifications are sent one by one",
                rows.getFirst().channelName(),
                who(rows));
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

    /**
     * Records the outcome on every row in one transaction: one {@code notification_attempts} row each, the same
     * status, and for a retry the same next attempt time, so that the group is claimed again whole.
     */
    private void record(List<ClaimedNotification> rows, Instant started, Duration took, Outcome outcome) {
        String error = truncate(describe(outcome));
        int attempt = rows.stream().mapToInt(ClaimedNotification::attempt).max().orElseThrow();
        Duration delay = outcome.kind() == Outcome.Kind.RETRY ? retryDelay.after(attempt, outcome.retryAfter()) : null;
        List<Recorded> recorded = jdbi.inTransaction(h -> {
            var dao = h.attach(OutboxDao.class);
            var all = new ArrayList<Recorded>(rows.size());
            for (ClaimedNotification row : rows) {
                dao.insertAttempt(
                        row.id(),
                        row.attempt(),
                        started.atOffset(ZoneOffset.UTC),
                        took.toNanos() / 1e6,
                        outcome.kind().name().toLowerCase(Locale.ROOT),
                        outcome.statusCode(),
                        error);
                all.add(
                        switch (outcome.kind()) {
                            case DELIVERED -> {
                                var seconds = dao.markDelivered(row.id(), row.attempt());
                                yield new Recorded(
                                        row,
                                        seconds.map(s -> "delivered"),
                                        seconds.map(s -> Duration.ofNanos((long) (s * 1e9)))
                                                .orElse(null));
                            }
                            case RETRY -> {
                                String giveUp = "gave up: not delivered within " + human(settings.maxAge())
                                        + " of being enqueued (" + row.attempt() + " attempts); last error: " + error;
                                var status = dao.markRetry(
                                        row.id(),
                                        row.attempt(),
                                        delay.toMillis(),
                                        settings.maxAge().toMillis(),
                                        error,
                                        truncate(giveUp));
                                yield new Recorded(row, status, null);
                            }
                            case REJECTED -> {
                                int n = dao.markRejected(row.id(), row.attempt(), error);
                                yield new Recorded(row, n == 1 ? Optional.of("failed") : Optional.empty(), null);
                            }
                        });
            }
            return all;
        });
        for (Recorded r : recorded) {
            meters.attempt(r.row().channelType(), outcome.kind(), took);
            if (r.status().isPresent()) {
                switch (outcome.kind()) {
                    case DELIVERED -> meters.delivered(r.row().channelType(), r.latency());
                    case RETRY -> {
                        if (r.status().get().equals("failed")) {
                            meters.failed(r.row().channelType(), "expired");
                        }
                    }
                    case REJECTED -> meters.failed(r.row().channelType(), "rejected");
                }
            }
        }
        report(rows, outcome, error, recorded, delay);
    }

    /** One log line per send, a group's included. */
    private void report(
            List<ClaimedNotification> rows, Outcome outcome, String error, List<Recorded> recorded, Duration delay) {
        ClaimedNotification first = rows.getFirst();
        String who = who(rows);
        List<Recorded> kept =
                recorded.stream().filter(r -> r.status().isPresent()).toList();
        if (kept.isEmpty()) {
            log.info(
                    "Channel {} {}: attempt {} of notification {} ended ({}) after its claim expired;"
                            + " only the attempt is recorded",
                    first.channelName(),
                    who,
                    first.attempt(),
                    first.id(),
                    outcome.kind());
            return;
        }
        switch (outcome.kind()) {
            case DELIVERED ->
                log.debug("Channel {} {}: delivered at attempt {}", first.channelName(), who, first.attempt());
            case RETRY -> {
                long gaveUp = kept.stream()
                        .filter(r -> r.status().get().equals("failed"))
                        .count();
                if (gaveUp > 0) {
                    log.warn(
                            "Channel {} {}: gave up{} after {} attempts within {}: {}",
                            first.channelName(),
                            who,
                            rows.size() == 1 ? "" : " on " + gaveUp + " of them",
                            first.attempt(),
                            human(settings.maxAge()),
                            error);
                }
                if (gaveUp < kept.size()) {
                    log.info(
                            "Channel {} {}: attempt {} failed ({}), next in {} ms",
                            first.channelName(),
                            who,
                            first.attempt(),
                            error,
                            delay.toMillis());
                }
            }
            case REJECTED -> log.warn("Channel {} {}: rejected, not retried: {}", first.channelName(), who, error);
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
