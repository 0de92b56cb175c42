package dev.vantage.push.nats;

import dev.vantage.push.PushTokens;
import dev.vantage.push.TokenBucket;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registers a subject that no push monitor has, through {@code vantage_register_push_subject} (V8): race-safe across
 * replicas, a disabled row is returned and never replaced. At most {@code perSecond} registrations a second, so a
 * publisher inventing subjects cannot fill the table quickly. Also tells, once per subject, when a sender's interval or
 * grace differs from its monitor's row: the row is the truth, the message changes nothing.
 */
final class SubjectRegistry {
    private static final Logger log = LoggerFactory.getLogger(SubjectRegistry.class);
    static final int MAX_INTERVAL_SECONDS = 86_400;
    static final int MAX_GRACE_SECONDS = 604_800;
    static final int MAX_NAME = 100;

    /**
     * What a message registers: the schedule's interval and the grace in whole seconds (rounded up, as the row takes
     * them). An interval past a day (the schedules' bound) is a day, and what is over goes to the grace, so that the
     * silence that is DOWN stays the sender's interval + grace.
     *
     * @param graceSeconds null when the message gives none: the push monitor's default (its period, at most an hour)
     */
    record Registration(String subject, String name, int intervalSeconds, Integer graceSeconds) {
        static Registration of(HeartbeatMessage m) {
            long interval = ceilSeconds(m.interval());
            long grace = m.grace() == null ? 0 : ceilSeconds(m.grace());
            if (interval > MAX_INTERVAL_SECONDS) {
                grace += interval - MAX_INTERVAL_SECONDS;
                interval = MAX_INTERVAL_SECONDS;
            }
            grace = Math.min(grace, MAX_GRACE_SECONDS);
            String name = m.description() == null ? m.subject() : m.description();
            if (name.length() > MAX_NAME) {
                int end = Character.isHighSurrogate(name.charAt(MAX_NAME - 1)) ? MAX_NAME - 1 : MAX_NAME;
                name = name.substring(0, end);
            }
            return new Registration(m.subject(), name, (int) Math.max(1, interval), grace == 0 ? null : (int) grace);
        }

        private static long ceilSeconds(Duration d) {
            return d.getSeconds() + (d.getNano() > 0 ? 1 : 0);
        }
    }

    /** The database could not register the subject now. */
    static final class UnavailableException extends Exception {
        UnavailableException(String reason) {
            super(reason);
        }
    }

    private record Period(int intervalSeconds, Integer graceSeconds) {}

    private final Jdbi jdbi;
    private final PushTokens tokens;
    private final TokenBucket registrations;
    private final LongSupplier nanoTime;
    private final ConcurrentHashMap<Integer, Period> periods = new ConcurrentHashMap<>();
    private final Set<String> toldDiffers = ConcurrentHashMap.newKeySet();

    SubjectRegistry(Jdbi jdbi, PushTokens tokens, double perSecond, LongSupplier nanoTime) {
        this.jdbi = jdbi;
        this.tokens = tokens;
        this.registrations = new TokenBucket(perSecond, (int) Math.max(1, Math.ceil(perSecond)), nanoTime.getAsLong());
        this.nanoTime = nanoTime;
    }

    /**
     * The monitor of the message's subject, registered when none has it; empty when registrations are past their rate,
     * or when a monitor that is not a push monitor holds the subject.
     */
    Optional<PushTokens.Target> register(HeartbeatMessage message) throws UnavailableException {
        if (registrations.take(nanoTime.getAsLong()) > 0) {
            return Optional.empty();
        }
        var r = Registration.of(message);
        record Row(int id, boolean enabled, boolean registered) {}
        Optional<Row> row;
        try {
            row = jdbi.withHandle(h -> h.createQuery(
                            "SELECT id, enabled, registered FROM vantage_register_push_subject(:subject, :name,"
                                    + " :interval, :grace)")
                    .bind("subject", r.subject())
                    .bind("name", r.name())
                    .bind("interval", r.intervalSeconds())
                    .bind("grace", r.graceSeconds())
                    .map((rs, ctx) -> new Row(rs.getInt(1), rs.getBoolean(2), rs.getBoolean(3)))
                    .findOne());
        } catch (JdbiException e) {
            throw new UnavailableException(rootReason(e));
        }
        if (row.isEmpty()) {
            return Optional.empty();
        }
        var target = new PushTokens.Target(row.get().id(), row.get().enabled());
        tokens.rememberSubject(r.subject(), target);
        if (row.get().registered()) {
            periods.put(target.monitorId(), new Period(r.intervalSeconds(), r.graceSeconds()));
            log.info(
                    "Registered push monitor {} for NATS subject {}: \"{}\", every {} s, grace {}",
                    target.monitorId(),
                    r.subject(),
                    r.name(),
                    r.intervalSeconds(),
                    r.graceSeconds() == null ? "the default (its period, at most an hour)" : r.graceSeconds() + " s");
        }
        return Optional.of(target);
    }

    /**
     * Tells once per subject (per process) when the message's interval or grace is not its monitor's row's: the row
     * is kept. The row's period is read once per monitor; a failed read is tried with a later message.
     */
    void compare(PushTokens.Target target, HeartbeatMessage message) {
        if (toldDiffers.contains(message.subject())) {
            return;
        }
        Period row = periods.get(target.monitorId());
        if (row == null) {
            try {
                row = jdbi.withHandle(h -> h.createQuery("SELECT s.interval, m.grace_seconds FROM api_monitors m"
                                + " JOIN schedules s ON s.id = m.schedule_id WHERE m.id = :id")
                        .bind("id", target.monitorId())
                        .map((rs, ctx) -> new Period(rs.getInt(1), (Integer) rs.getObject(2)))
                        .findOne()
                        .orElse(null));
            } catch (JdbiException e) {
                log.debug("Cannot read the period of push monitor {}: {}", target.monitorId(), rootReason(e));
                return;
            }
            if (row == null) {
                return;
            }
            periods.put(target.monitorId(), row);
        }
        var sent = Registration.of(message);
        boolean sameGrace = sent.graceSeconds() == null || sent.graceSeconds().equals(row.graceSeconds());
        if (sent.intervalSeconds() != row.intervalSeconds() || !sameGrace) {
            if (toldDiffers.add(message.subject())) {
                log.warn(
                        "NATS subject {} is sent with interval {} s, grace {}, but push monitor {} has interval {} s,"
                                + " grace {}: the monitor's row is kept (change its schedule_id or grace_seconds to"
                                + " follow the sender)",
                        message.subject(),
                        sent.intervalSeconds(),
                        sent.graceSeconds() == null ? "none" : sent.graceSeconds() + " s",
                        target.monitorId(),
                        row.intervalSeconds(),
                        row.graceSeconds() == null ? "the default" : row.graceSeconds() + " s");
            }
        }
    }

    /** The innermost cause's message: the driver's, which never quotes a bound value. */
    private static String rootReason(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t == e ? e.getClass().getSimpleName() : t.getClass().getSimpleName() + ": " + t.getMessage();
    }
}
