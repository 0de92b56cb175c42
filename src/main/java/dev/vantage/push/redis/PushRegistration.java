package dev.vantage.push.redis;

import dev.vantage.push.PushTokens;
import dev.vantage.push.TokenBucket;
import java.time.Duration;
import java.util.Optional;
import java.util.function.LongSupplier;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registers a push monitor for a subject nobody configured, with what its sender says about itself: the subject as
 * push_subject, the description (else the subject) as its name, a schedule of the sender's interval and its grace.
 * Through {@code vantage_register_push_subject} (V8), a SECURITY DEFINER function, so the monitor's role needs no
 * INSERT on the configuration tables; it is race-safe across replicas, and a subject whose monitor exists (disabled
 * included: that is how a subject is retired) gets that monitor back, never a second one.
 *
 * <p>The rules are NATS's ({@code push.nats.SubjectRegistry}, which calls the same function for HeartbeatMessages):
 * at most {@value #PER_SECOND} registrations a second, so a sender inventing subjects cannot fill the table quickly;
 * interval and grace in whole seconds rounded up; an interval past a day (the schedules' bound) is a day and the rest
 * goes to the grace, so the silence that is DOWN stays interval + grace; a grace of at most 7 days. Kept apart only
 * because SubjectRegistry takes a NATS message; the two are meant to become one class taking (subject, description,
 * interval, grace).
 */
final class PushRegistration implements RedisBeats.Registrar {
    private static final Logger log = LoggerFactory.getLogger(PushRegistration.class);
    static final double PER_SECOND = 10;
    static final int MAX_INTERVAL_SECONDS = 86_400;
    static final int MAX_GRACE_SECONDS = 604_800;

    private static final String REGISTER =
            "SELECT id, enabled, registered FROM vantage_register_push_subject(:subject, :name, :interval, :grace)";

    /** The schedule's interval and the grace, in whole seconds as the rows take them; grace null for the default. */
    record Period(int intervalSeconds, Integer graceSeconds) {
        static Period of(RedisEntry.Registration r) {
            long interval = ceilSeconds(r.interval());
            long grace = r.grace() == null ? 0 : ceilSeconds(r.grace());
            if (interval > MAX_INTERVAL_SECONDS) {
                grace += interval - MAX_INTERVAL_SECONDS;
                interval = MAX_INTERVAL_SECONDS;
            }
            grace = Math.min(grace, MAX_GRACE_SECONDS);
            return new Period((int) Math.max(1, interval), grace == 0 ? null : (int) grace);
        }

        private static long ceilSeconds(Duration d) {
            return d.getSeconds() + (d.getNano() > 0 ? 1 : 0);
        }
    }

    private final Jdbi jdbi;
    private final TokenBucket registrations;
    private final LongSupplier nanoTime;

    PushRegistration(Jdbi jdbi, LongSupplier nanoTime) {
        this.jdbi = jdbi;
        this.registrations = new TokenBucket(PER_SECOND, (int) PER_SECOND, nanoTime.getAsLong());
        this.nanoTime = nanoTime;
    }

    static PushRegistration of(Jdbi jdbi) {
        return new PushRegistration(jdbi, System::nanoTime);
    }

    @Override
    public Optional<PushTokens.Target> register(String subject, RedisEntry.Registration registration)
            throws UnavailableException {
        if (registrations.take(nanoTime.getAsLong()) > 0) {
            return Optional.empty();
        }
        var period = Period.of(registration);
        record Row(int id, boolean enabled, boolean registered) {}
        Optional<Row> row;
        try {
            row = jdbi.withHandle(h -> h.createQuery(REGISTER)
                    .bind("subject", subject)
                    .bind("name", registration.description())
                    .bind("interval", period.intervalSeconds())
                    .bind("grace", period.graceSeconds())
                    .map((rs, ctx) -> new Row(rs.getInt(1), rs.getBoolean(2), rs.getBoolean(3)))
                    .findOne());
        } catch (JdbiException e) {
            throw new UnavailableException(rootReason(e));
        }
        row.filter(Row::registered)
                .ifPresent(r -> log.info(
                        "Registered push monitor {} for Redis subject {}: \"{}\", every {} s, grace {}",
                        r.id(),
                        subject,
                        registration.description() == null ? subject : registration.description(),
                        period.intervalSeconds(),
                        period.graceSeconds() == null
                                ? "the default (its period, at most an hour)"
                                : period.graceSeconds() + " s"));
        return row.map(r -> new PushTokens.Target(r.id(), r.enabled()));
    }

    /** The driver's or the pool's reason: never Jdbi's message, which lists the statement's arguments. */
    private static String rootReason(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t == e ? e.getClass().getSimpleName() : t.getClass().getSimpleName() + ": " + t.getMessage();
    }
}
