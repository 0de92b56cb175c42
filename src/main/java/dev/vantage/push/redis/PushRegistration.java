package dev.vantage.push.redis;

import dev.vantage.push.PushTokens;
import java.time.Duration;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;

/**
 * Registers a push monitor for a subject nobody configured, with what its sender says about itself: the subject as
 * push_subject, the description (else the subject) as its name, a schedule of the sender's interval and its grace.
 * Through {@code vantage_register_push_subject} (migration V8), a SECURITY DEFINER function, so the monitor's role
 * needs no INSERT on the configuration tables; it is race-safe across replicas, and a subject whose monitor exists
 * (disabled included: that is how a subject is retired) gets that monitor back, never a second one.
 *
 * <p>Kept small on purpose: NATS auto-registration calls the same function, and the two callers are meant to become
 * one class.
 */
final class PushRegistration implements RedisBeats.Registrar {
    static final Duration MAX_INTERVAL = Duration.ofDays(1);
    static final Duration MAX_GRACE = Duration.ofDays(7);

    private static final String REGISTER =
            "SELECT id, enabled FROM vantage_register_push_subject(:subject, :name, :interval, :grace)";

    private final Jdbi jdbi;

    private PushRegistration(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    static PushRegistration of(Jdbi jdbi) {
        return new PushRegistration(jdbi);
    }

    /** Why a monitor cannot be registered with these settings (a schedule holds 1 s to 1 day), or null. */
    static String problem(RedisEntry.Registration registration) {
        if (registration.interval().compareTo(MAX_INTERVAL) > 0) {
            return "its interval is longer than a day, the longest schedule";
        }
        if (registration.grace() != null && registration.grace().compareTo(MAX_GRACE) > 0) {
            return "its grace is longer than 7 days";
        }
        return null;
    }

    @Override
    public Optional<PushTokens.Target> register(String subject, RedisEntry.Registration registration)
            throws UnavailableException {
        try {
            return jdbi.withHandle(h -> h.createQuery(REGISTER)
                    .bind("subject", subject)
                    .bind("name", registration.description())
                    .bind("interval", seconds(registration.interval()))
                    .bind("grace", registration.grace() == null ? null : seconds(registration.grace()))
                    .map((rs, ctx) -> new PushTokens.Target(rs.getInt("id"), rs.getBoolean("enabled")))
                    .findOne());
        } catch (JdbiException e) {
            throw new UnavailableException(rootReason(e));
        }
    }

    /** Whole seconds, rounded up (a 0.5 s interval is a 1 s schedule), at least 1. */
    static int seconds(Duration d) {
        long s = d.toSeconds() + (d.toNanosPart() > 0 ? 1 : 0);
        return (int) Math.max(1, s);
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
