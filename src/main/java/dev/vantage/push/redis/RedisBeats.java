package dev.vantage.push.redis;

import dev.vantage.heartbeat.BeatKind;
import dev.vantage.heartbeat.LogThrottle;
import dev.vantage.push.BeatIntake;
import dev.vantage.push.MessageBody;
import dev.vantage.push.PushMeters;
import dev.vantage.push.PushMeters.Outcome;
import dev.vantage.push.PushTokens;
import dev.vantage.push.redis.StreamConsumer.Entry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * What the Redis ingest does with a batch of entries: reads each one ({@link RedisEntry}), finds its monitor by
 * subject (registering one when allowed), hands it to the {@link BeatIntake} and says which entries are done, that is
 * may be acknowledged:
 *
 * <ul>
 *   <li>a beat committed or journaled (the durable receipt), and only then;
 *   <li>an entry that will never be a beat: malformed, too large, an unknown subject that is not registered, a
 *       disabled monitor, a monitor past its rate, a row the database refuses. Each is counted under its outcome and
 *       logged (at most a few lines per 10 s) with the stream and the entry id, so a poison entry is not read forever;
 *   <li>not an entry that could not be made safe (the database away and no journal, the replica stopping, a subject
 *       that cannot be looked up): it stays pending and is read again.
 * </ul>
 *
 * <p>A monitor's rate ({@code VANTAGE_PUSH_RATE}, {@code VANTAGE_PUSH_BURST}) is measured on its entries' ids, when
 * they were added, not when they are read ({@link EntryRates}): a backlog read at once after an outage is the beats
 * its senders sent at their pace, not a flood, and dropping its newest beats would make a monitor look silent.
 *
 * <p>Entries of one subject are taken one after the other in stream order (a run's start before its end); subjects
 * go side by side on virtual threads, so a batch costs about one commit. Once one entry could not be made safe, the
 * rest of the batch is not tried: each would wait out the same deadline.
 */
final class RedisBeats implements StreamConsumer.EntryHandler {
    private static final Logger log = LoggerFactory.getLogger(RedisBeats.class);
    /** Registers a push monitor for a subject nobody configured. */
    @FunctionalInterface
    interface Registrar {
        /**
         * The monitor now holding {@code subject}, registered with what the sender says about itself; empty when it
         * cannot be (another kind of monitor holds the subject).
         *
         * @throws UnavailableException when the database cannot be asked
         */
        Optional<PushTokens.Target> register(String subject, RedisEntry.Registration registration)
                throws UnavailableException;

        /** The database could not register the subject now; the reason never quotes a bound value. */
        final class UnavailableException extends Exception {
            UnavailableException(String reason) {
                super("cannot register a push subject: " + reason);
            }
        }
    }

    private final RedisIngestSettings settings;
    private final BeatIntake intake;
    private final PushTokens tokens;
    private final Registrar registrar;
    private final PushMeters.Beats meters;
    private final Clock clock;
    private final EntryRates rates;
    private final LogThrottle refusedLog;
    private final LogThrottle unavailableLog;

    RedisBeats(
            RedisIngestSettings settings,
            BeatIntake intake,
            PushTokens tokens,
            Registrar registrar,
            EntryRates rates,
            PushMeters.Beats meters,
            Clock clock) {
        this.settings = settings;
        this.rates = rates;
        this.intake = intake;
        this.tokens = tokens;
        this.registrar = registrar;
        this.meters = meters;
        this.clock = clock;
        this.refusedLog = new LogThrottle(clock, Duration.ofSeconds(10), 5);
        this.unavailableLog = new LogThrottle(clock, Duration.ofSeconds(10), 1);
    }

    private record Read(Entry entry, RedisEntry.Beat beat) {}

    @Override
    public Set<Entry> handle(List<Entry> batch) {
        long started = System.nanoTime();
        Instant now = clock.instant();
        Set<Entry> done = ConcurrentHashMap.newKeySet();
        Map<String, List<Read>> bySubject = new LinkedHashMap<>();
        for (Entry e : batch) {
            switch (read(e, now)) {
                case RedisEntry.Beat beat ->
                    bySubject
                            .computeIfAbsent(beat.subject(), s -> new ArrayList<>())
                            .add(new Read(e, beat));
                case RedisEntry.Refused refused -> {
                    meters.counted(
                            refused.problem() == RedisEntry.Problem.TOO_LARGE ? Outcome.TOO_LARGE : Outcome.MALFORMED,
                            started);
                    refused(e, refused.reason());
                    done.add(e);
                }
            }
        }
        var unavailable = new AtomicBoolean();
        Map<String, String> identity = MDC.getCopyOfContextMap();
        try (var threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (List<Read> reads : bySubject.values()) {
                threads.execute(() -> {
                    if (identity != null) {
                        MDC.setContextMap(identity); // the replica, first in every line
                    }
                    for (Read r : reads) {
                        if (unavailable.get()) {
                            return;
                        }
                        if (takeOrDrop(r, started)) {
                            done.add(r.entry());
                        } else {
                            unavailable.set(true);
                        }
                    }
                });
            }
        }
        return done;
    }

    /** {@link RedisEntry#read}, which a defect could still make throw: the entry is then refused, not read forever. */
    private static RedisEntry.Read read(Entry e, Instant now) {
        try {
            return RedisEntry.read(e.stream(), e.id().toString(), e.fields(), now);
        } catch (RuntimeException ex) {
            log.error("Redis ingest: entry {} of stream {} could not be read", e.id(), e.stream(), ex);
            return new RedisEntry.Refused(
                    RedisEntry.Problem.MALFORMED, "unreadable (" + ex.getClass().getSimpleName() + ")");
        }
    }

    /**
     * {@link #take}, and a defect while taking it drops the entry with an error line: an entry that makes the ingest
     * fail would otherwise be read and fail forever.
     */
    private boolean takeOrDrop(Read r, long started) {
        try {
            return take(r, started);
        } catch (RuntimeException e) {
            meters.counted(Outcome.FAILED, started);
            log.error(
                    "Redis ingest: entry {} of stream {} failed and is dropped (acknowledged)",
                    r.entry().id(),
                    r.entry().stream(),
                    e);
            return true;
        }
    }

    /** Takes one beat; true when its entry is done (safe, or never to be a beat), false to keep it pending. */
    private boolean take(Read r, long started) {
        RedisEntry.Beat beat = r.beat();
        Optional<PushTokens.Target> target;
        String unregistered = null;
        try {
            target = tokens.findSubject(beat.subject());
            if (target.isEmpty()) {
                unregistered = unregistered(beat);
                if (unregistered == null) {
                    target = registrar.register(beat.subject(), beat.registration());
                    if (target.isPresent()) {
                        tokens.rememberSubject(beat.subject(), target.get());
                    } else {
                        unregistered = " (registrations are past their rate, or a monitor that is not a push monitor"
                                + " has the subject)";
                    }
                }
            }
        } catch (PushTokens.UnavailableException | Registrar.UnavailableException e) {
            meters.counted(Outcome.UNAVAILABLE, started);
            unavailable(e.getMessage());
            return false;
        }
        if (target.isEmpty()) {
            meters.counted(Outcome.UNKNOWN_SUBJECT, started);
            refused(r.entry(), "no push monitor has subject " + beat.subject() + unregistered);
            return true;
        }
        PushTokens.Target monitor = target.get();
        if (!monitor.enabled()) {
            meters.counted(Outcome.DISABLED, started);
            return true;
        }
        if (!rates.admit(monitor.monitorId(), beat.key())) {
            meters.counted(Outcome.RATE_LIMITED, started);
            refused(r.entry(), "subject " + beat.subject() + " sent more beats than its rate; dropped");
            return true;
        }
        switch (intake.submit(monitor.monitorId(), intakeBeat(beat)).outcome()) {
            case ACCEPTED -> meters.counted(Outcome.ACCEPTED, started);
            case REJECTED -> meters.counted(Outcome.FAILED, started);
            case UNAVAILABLE, DISABLED, RATE_LIMITED -> {
                // submit() answers UNAVAILABLE (not safe in time, or stopping) and never the other two.
                meters.counted(Outcome.UNAVAILABLE, started);
                return false;
            }
        }
        return true;
    }

    /** Why an unknown subject is not registered (to end the log line), or null when it may be. */
    private String unregistered(RedisEntry.Beat beat) {
        if (!settings.autoRegister()) {
            return " (VANTAGE_REDIS_AUTO_REGISTER is off)";
        }
        return beat.registration() == null ? ", and the entry gives no interval to register one with" : null;
    }

    /**
     * The beat as the intake takes it. Its key is the entry id's, exactly; its receive time is the entry id's too
     * (when Redis took it), so a run's start and end read from a backlog still measure the run, not the backlog.
     */
    static BeatIntake.Beat intakeBeat(RedisEntry.Beat beat) {
        return new BeatIntake.Beat(
                beat.kind(),
                beat.exitStatus(),
                beat.rid(),
                MessageBody.of(beat.message()),
                beat.detailsJson(),
                beat.key(),
                beat.key(),
                true,
                failure(beat));
    }

    /**
     * A fail beat's reason for people (the incident's and the notice's error_message): the first line of its message,
     * cut to {@value RedisEntry#MAX_TEXT_CHARS} characters, when it has one and no exit status; else the intake's default ({@code the job reported a failure}, {@code exit
     * status N}).
     */
    static String failure(RedisEntry.Beat beat) {
        if (beat.kind() != BeatKind.FAIL || beat.exitStatus() != null || beat.message() == null) {
            return null;
        }
        return RedisEntry.text(beat.message().strip().lines().findFirst().orElse(""));
    }

    private void refused(Entry e, String reason) {
        long suppressed = refusedLog.event();
        if (suppressed >= 0) {
            log.warn(
                    "Redis ingest: entry {} of stream {} acknowledged without a row: {}{}",
                    e.id(),
                    e.stream(),
                    reason,
                    suppressed > 0 ? " (and " + suppressed + " more since the last report)" : "");
        }
    }

    private void unavailable(String why) {
        long suppressed = unavailableLog.event();
        if (suppressed >= 0) {
            log.warn(
                    "Redis ingest: entries left pending, read again later: {}{}",
                    why,
                    suppressed > 0 ? " (and " + suppressed + " more since the last report)" : "");
        }
    }
}
