package dev.vantage.push;

import dev.vantage.heartbeat.BeatKind;
import dev.vantage.heartbeat.HeartbeatRow;
import dev.vantage.heartbeat.HeartbeatWriter;
import dev.vantage.heartbeat.LogThrottle;
import dev.vantage.heartbeat.PushedBeat;
import dev.vantage.heartbeat.Receipt;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes a beat of a push monitor, whatever it came by (an HTTP ping, a NATS message, a Redis stream entry): holds back
 * a monitor past its rate, gives the beat its row key ({@link BeatKeys}), pairs runs ({@link RunPairing}), hands the
 * row to the heartbeat writer and waits until it is committed or journaled. The transport finds the monitor ({@link
 * PushTokens}), builds the message and details, and maps the {@link Outcome} to its own answer (an HTTP status; an ack
 * or none). Thread-safe: each transport calls it from its own threads, and a call blocks for at most the ack deadline.
 */
public final class BeatIntake {
    private static final Logger log = LoggerFactory.getLogger(BeatIntake.class);

    /** What became of a beat. Only {@link #ACCEPTED} means it is safe. */
    public enum Outcome {
        /** Committed to the database or journaled. */
        ACCEPTED,
        /** The monitor is disabled: the beat is dropped. */
        DISABLED,
        /** The monitor sent more than its rate: the beat is dropped; {@link Result#retryAfter()} says when to retry. */
        RATE_LIMITED,
        /** Not safe within the deadline (the database away and no journal, the queue full, stopping): retry later. */
        UNAVAILABLE,
        /** The database refused the row for its data: retrying will not help. */
        REJECTED
    }

    /**
     * @param retryAfter for {@link Outcome#RATE_LIMITED}, when the monitor may send its next beat; else zero
     */
    public record Result(Outcome outcome, Duration retryAfter) {
        static final Result ACCEPTED = new Result(Outcome.ACCEPTED, Duration.ZERO);
        static final Result DISABLED = new Result(Outcome.DISABLED, Duration.ZERO);
        static final Result UNAVAILABLE = new Result(Outcome.UNAVAILABLE, Duration.ZERO);
        static final Result REJECTED = new Result(Outcome.REJECTED, Duration.ZERO);
        /** Admitted: the beat may be submitted. */
        static final Result ADMITTED = ACCEPTED;

        public Result {
            Objects.requireNonNull(outcome, "outcome");
            Objects.requireNonNull(retryAfter, "retryAfter");
        }

        public boolean accepted() {
            return outcome == Outcome.ACCEPTED;
        }
    }

    /**
     * A beat as a transport received it.
     *
     * @param kind what it reports
     * @param exitStatus the job's exit status when the sender gave one (kept in the fail beat's error), else null
     * @param rid the run id, or null
     * @param message what came with it, already cut ({@link MessageBody#of(String)}); {@link MessageBody.Message#NONE}
     * @param detailsJson how it came, a JSON object with a {@code source} key; null for none
     * @param receivedAt when it was received, at microsecond precision ({@link #now()})
     * @param preferredKey the key the transport would have it stored under (e.g. the sender's timestamp, so a replay
     *     writes nothing), already bounded near receivedAt; null for the receive time. Used only when it is not
     *     before the monitor's last key, unless {@code exactKey}.
     * @param exactKey whether {@code preferredKey} names this beat and no other (a Redis entry id): it is then the
     *     key even when it is before the monitor's last one, so a beat delivered again after later ones (a pending
     *     entry claimed from a dead consumer) still finds its row and writes nothing
     * @param failure a fail beat's error_message when the transport has a better one than the default ({@code the
     *     job reported a failure}, {@code exit status N}), e.g. the error a sender reported; null for the default
     */
    public record Beat(
            BeatKind kind,
            Integer exitStatus,
            UUID rid,
            MessageBody.Message message,
            String detailsJson,
            Instant receivedAt,
            Instant preferredKey,
            boolean exactKey,
            String failure) {
        public Beat {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(message, "message");
            Objects.requireNonNull(receivedAt, "receivedAt");
            if (exactKey && preferredKey == null) {
                throw new IllegalArgumentException("an exact key needs a preferred key");
            }
            if (failure != null && kind != BeatKind.FAIL) {
                throw new IllegalArgumentException("only a fail beat has a failure: " + kind);
            }
        }

        /** A beat with the default keying and failure text. */
        public Beat(
                BeatKind kind,
                Integer exitStatus,
                UUID rid,
                MessageBody.Message message,
                String detailsJson,
                Instant receivedAt,
                Instant preferredKey) {
            this(kind, exitStatus, rid, message, detailsJson, receivedAt, preferredKey, false, null);
        }
    }

    private final PushSettings settings;
    private final RateLimits rates;
    private final BeatKeys keys;
    private final RunPairing pairing;
    private final HeartbeatWriter writer;
    private final PushMeters meters;
    private final Clock clock;
    private final LogThrottle unavailableLog;
    private volatile boolean stopping;

    BeatIntake(
            PushSettings settings,
            RateLimits rates,
            BeatKeys keys,
            RunPairing pairing,
            HeartbeatWriter writer,
            PushMeters meters,
            Clock clock) {
        this.settings = settings;
        this.rates = rates;
        this.keys = keys;
        this.pairing = pairing;
        this.writer = writer;
        this.meters = meters;
        this.clock = clock;
        this.unavailableLog = new LogThrottle(clock, Duration.ofSeconds(10), 1);
    }

    /** Now, at microsecond precision: a beat's receive time. */
    public Instant now() {
        return BeatKeys.micros(clock.instant());
    }

    /** Whether the process is stopping: every beat is then {@link Outcome#UNAVAILABLE}. */
    public boolean stopping() {
        return stopping;
    }

    void stop() {
        stopping = true;
    }

    /** {@link #admit} then, when admitted, {@link #submit}. */
    public Result accept(PushTokens.Target target, Beat beat) {
        Result admitted = admit(target);
        return admitted.accepted() ? submit(target.monitorId(), beat) : admitted;
    }

    /**
     * Whether a beat of this monitor may be taken now: {@link Outcome#ACCEPTED} when it may (and takes one from its
     * rate), else why not. For a transport that should not read a beat's body when it is refused anyway.
     */
    public Result admit(PushTokens.Target target) {
        if (stopping) {
            return Result.UNAVAILABLE;
        }
        if (!target.enabled()) {
            return Result.DISABLED;
        }
        long wait = rates.take(target.monitorId());
        return wait > 0 ? new Result(Outcome.RATE_LIMITED, Duration.ofNanos(wait)) : Result.ADMITTED;
    }

    /**
     * Hands an admitted beat to the writer and waits until it is committed or journaled, within the ack deadline.
     * Pairs a start with its finish once the beat is safe.
     */
    public Result submit(int monitorId, Beat beat) {
        if (stopping) {
            return Result.UNAVAILABLE;
        }
        Instant received = beat.receivedAt();
        var receipt = new Waiting();
        if (writer.nearlyFull() || !writer.offer(HeartbeatRow.of(row(monitorId, beat), receipt))) {
            warnUnavailable("the beats waiting for the database fill the queue or the journal");
            return Result.UNAVAILABLE;
        }
        Receipt.Outcome settled = await(receipt);
        if (settled == null || !settled.safe()) {
            if (settled == Receipt.Outcome.REJECTED) {
                return Result.REJECTED;
            }
            warnUnavailable("a beat was neither written nor journaled within "
                    + settings.ackDeadline().toMillis() + " ms");
            return Result.UNAVAILABLE;
        }
        switch (beat.kind()) {
            case START -> pairing.started(monitorId, beat.rid(), received);
            case SUCCESS, FAIL -> pairing.finished(monitorId, beat.rid());
            case LOG -> {}
        }
        if (beat.message().cut()) {
            meters.cut.increment();
        }
        return Result.ACCEPTED;
    }

    private PushedBeat row(int monitorId, Beat beat) {
        Instant received = beat.receivedAt();
        Double duration = beat.kind() == BeatKind.SUCCESS || beat.kind() == BeatKind.FAIL
                ? pairing.durationMs(monitorId, beat.rid(), received)
                : null;
        String errorType = null;
        String errorMessage = null;
        if (beat.kind() == BeatKind.FAIL) {
            errorType = beat.exitStatus() == null ? "FAIL" : "EXIT_STATUS";
            errorMessage = beat.failure() != null
                    ? beat.failure()
                    : beat.exitStatus() == null ? "the job reported a failure" : "exit status " + beat.exitStatus();
        }
        Instant key = beat.preferredKey() == null
                ? keys.next(monitorId, received)
                : beat.exactKey()
                        ? keys.exactly(monitorId, beat.preferredKey())
                        : keys.next(monitorId, received, beat.preferredKey());
        return new PushedBeat(
                monitorId,
                key,
                received,
                beat.kind(),
                duration,
                errorType,
                errorMessage,
                beat.message().text(),
                beat.detailsJson());
    }

    /**
     * Waits for the beat to be safe. After {@code spillAfter} the writer is asked to journal what is pending rather
     * than wait for the database (with a journal, the answer then comes at once; without one, nothing changes).
     */
    private Receipt.Outcome await(Waiting receipt) {
        long deadline = System.nanoTime() + settings.ackDeadline().toNanos();
        try {
            Receipt.Outcome outcome = receipt.await(Math.min(
                    settings.spillAfter().toNanos(), settings.ackDeadline().toNanos()));
            if (outcome != null) {
                return outcome;
            }
            writer.spill();
            return receipt.await(Math.max(0, deadline - System.nanoTime()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private void warnUnavailable(String why) {
        long suppressed = unavailableLog.event();
        if (suppressed > 0) {
            log.warn("A beat was not taken (try again later), and {} more since the last report: {}", suppressed, why);
        } else if (suppressed == 0) {
            log.warn("A beat was not taken (try again later): {}", why);
        }
    }

    /** A receipt a transport's thread waits on; the first outcome counts. */
    static class Waiting implements Receipt {
        private final AtomicReference<Receipt.Outcome> outcome = new AtomicReference<>();
        private final CountDownLatch settled = new CountDownLatch(1);

        @Override
        public final void settled(Receipt.Outcome o) {
            if (outcome.compareAndSet(null, o)) {
                settled.countDown();
            }
        }

        /** The outcome, or null when none came within {@code nanos}. */
        final Receipt.Outcome await(long nanos) throws InterruptedException {
            settled.await(nanos, TimeUnit.NANOSECONDS);
            return outcome.get();
        }
    }
}
