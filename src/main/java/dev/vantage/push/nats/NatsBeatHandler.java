package dev.vantage.push.nats;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vantage.beat.Rfc3339;
import dev.vantage.heartbeat.LogThrottle;
import dev.vantage.push.BeatIntake;
import dev.vantage.push.MessageBody;
import dev.vantage.push.PushMeters.Outcome;
import dev.vantage.push.PushTokens;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What becomes of one NATS message: read it ({@link HeartbeatMessage}), find its monitor by subject (registering an
 * unknown one unless told not to), and hand the beat to the {@link BeatIntake}; returns the outcome to count. Never
 * throws for a message, whatever it holds, and never logs a payload: bad messages are logged at most a few times every
 * 10 s, by subject.
 *
 * <p>The key: the sender's {@code generated_at} when it is within {@link #KEY_PAST} before and {@link #KEY_FUTURE}
 * after the receive time (and not before the monitor's last key), so that the same message taken again (priming from
 * a stream at the next start) writes nothing; else the receive time, as for a ping. A sender whose clock is ahead
 * would postpone its own DOWN by as much: hence the shorter bound ahead.
 */
final class NatsBeatHandler {
    private static final Logger log = LoggerFactory.getLogger(NatsBeatHandler.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The largest payload read; a longer one is counted as too_large. A beat's message is cut to 100 KiB anyway. */
    static final int MAX_PAYLOAD = 256 * 1024;

    static final Duration KEY_PAST = Duration.ofMinutes(5);
    static final Duration KEY_FUTURE = Duration.ofMinutes(1);

    private final BeatIntake intake;
    private final PushTokens tokens;
    private final SubjectRegistry registry;
    private final boolean autoRegister;
    private final LogThrottle badLog;
    private final LogThrottle unknownLog;
    private final LogThrottle unavailableLog;
    private final LogThrottle limitedLog;

    NatsBeatHandler(BeatIntake intake, PushTokens tokens, SubjectRegistry registry, boolean autoRegister, Clock clock) {
        this.intake = intake;
        this.tokens = tokens;
        this.registry = registry;
        this.autoRegister = autoRegister;
        this.badLog = new LogThrottle(clock, Duration.ofSeconds(10), 5);
        this.unknownLog = new LogThrottle(clock, Duration.ofSeconds(10), 5);
        this.unavailableLog = new LogThrottle(clock, Duration.ofSeconds(10), 1);
        this.limitedLog = new LogThrottle(clock, Duration.ofSeconds(10), 1);
    }

    /**
     * @param natsSubject the subject the message came on
     * @param received when it came, at microsecond precision
     * @param primed whether it is a stream's last message taken at start: one older than {@link #KEY_PAST} is then
     *     skipped (it was stored when it came, or its sender has long been silent, which a fresh beat would hide)
     * @return the outcome, or empty for a primed message skipped
     */
    Optional<Outcome> handle(String natsSubject, byte[] payload, Instant received, boolean primed) {
        if (payload.length > MAX_PAYLOAD) {
            bad(natsSubject, "a payload of " + payload.length + " bytes, more than " + MAX_PAYLOAD);
            return Optional.of(Outcome.TOO_LARGE);
        }
        HeartbeatMessage message;
        switch (HeartbeatMessage.parse(payload, natsSubject)) {
            case HeartbeatMessage.Malformed m -> {
                bad(natsSubject, m.reason());
                return Optional.of(Outcome.MALFORMED);
            }
            case HeartbeatMessage.Valid v -> message = v.message();
        }
        Instant key = key(message.generatedAt(), received);
        if (primed && key == null) {
            return Optional.empty();
        }
        Optional<PushTokens.Target> target;
        try {
            target = tokens.findSubject(message.subject());
            if (target.isEmpty() && autoRegister) {
                target = registry.register(message);
            }
        } catch (PushTokens.UnavailableException | SubjectRegistry.UnavailableException e) {
            unavailable(message.subject(), e.getMessage());
            return Optional.of(Outcome.UNAVAILABLE);
        }
        if (target.isEmpty()) {
            unknown(message.subject());
            return Optional.of(Outcome.UNKNOWN_SUBJECT);
        }
        if (!target.get().enabled()) {
            return Optional.of(Outcome.DISABLED); // retired: dropped and counted, never registered again
        }
        registry.compare(target.get(), message);
        var beat = new BeatIntake.Beat(
                message.kind(),
                message.exitStatus(),
                message.rid(),
                MessageBody.of(message.message()),
                details(message, natsSubject, primed),
                received,
                key);
        BeatIntake.Result result = intake.accept(target.get(), beat);
        return Optional.of(
                switch (result.outcome()) {
                    case ACCEPTED -> Outcome.ACCEPTED;
                    case DISABLED -> Outcome.DISABLED;
                    case RATE_LIMITED -> {
                        limited(message.subject());
                        yield Outcome.RATE_LIMITED;
                    }
                    case UNAVAILABLE -> Outcome.UNAVAILABLE; // the intake tells why
                    case REJECTED -> Outcome.FAILED;
                });
    }

    /** The sender's time as the key when it is near the receive time, else null (the receive time). */
    static Instant key(Instant generatedAt, Instant received) {
        if (generatedAt.isBefore(received.minus(KEY_PAST)) || generatedAt.isAfter(received.plus(KEY_FUTURE))) {
            return null;
        }
        return generatedAt.truncatedTo(ChronoUnit.MICROS);
    }

    /**
     * {@code {"source":"nats","subject":…,"host":…,"generated_at":…}}, and only when they apply: {@code nats_subject}
     * (when the message names another subject than the one it came on), {@code rid}, {@code exit_status},
     * {@code primed}. The rid is where a replica that did not see a run's start finds it.
     */
    static String details(HeartbeatMessage m, String natsSubject, boolean primed) {
        ObjectNode o = JSON.createObjectNode();
        o.put("source", "nats");
        o.put("subject", m.subject());
        if (natsSubject != null && !natsSubject.equals(m.subject())) {
            o.put("nats_subject", natsSubject);
        }
        if (m.host() != null) {
            o.put("host", clean(m.host()));
        }
        o.put("generated_at", Rfc3339.format(m.generatedAt()));
        if (m.rid() != null) {
            o.put("rid", m.rid().toString());
        }
        if (m.exitStatus() != null) {
            o.put("exit_status", m.exitStatus());
        }
        if (primed) {
            o.put("primed", true);
        }
        return o.toString();
    }

    /** A host name as sent, at most 200 characters, without control characters (jsonb holds no NUL). */
    private static String clean(String value) {
        var out = new StringBuilder(Math.min(value.length(), 200));
        for (int i = 0; i < value.length() && out.length() < 200; i++) {
            char c = value.charAt(i);
            if (!Character.isISOControl(c)) {
                out.append(c);
            }
        }
        return out.toString();
    }

    private void bad(String subject, String why) {
        long suppressed = badLog.event();
        if (suppressed >= 0) {
            log.warn(
                    "NATS message on {} is not a heartbeat ({}); dropped{}",
                    subject,
                    why,
                    suppressed > 0 ? ", and " + suppressed + " more bad messages since the last report" : "");
        }
    }

    private void unknown(String subject) {
        long suppressed = unknownLog.event();
        if (suppressed >= 0) {
            log.warn(
                    "No push monitor has the NATS subject {} ({}); its beat is dropped{}",
                    subject,
                    autoRegister
                            ? "registrations are past their rate, or a monitor of another type holds it"
                            : "VANTAGE_NATS_AUTO_REGISTER is off: insert a push monitor with this push_subject",
                    suppressed > 0 ? ", and " + suppressed + " more since the last report" : "");
        }
    }

    private void unavailable(String subject, String why) {
        long suppressed = unavailableLog.event();
        if (suppressed >= 0) {
            log.warn(
                    "A beat on NATS subject {} was dropped: {}{}",
                    subject,
                    why,
                    suppressed > 0 ? ", and " + suppressed + " more since the last report" : "");
        }
    }

    private void limited(String subject) {
        long suppressed = limitedLog.event();
        if (suppressed >= 0) {
            log.warn(
                    "NATS subject {} sends more beats than its rate (VANTAGE_PUSH_RATE, VANTAGE_PUSH_BURST); dropped"
                            + " {}",
                    subject,
                    suppressed > 0 ? "with " + suppressed + " more since the last report" : "");
        }
    }
}
