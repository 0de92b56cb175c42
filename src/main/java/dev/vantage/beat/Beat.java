package dev.vantage.beat;

import java.time.Duration;
import java.util.Objects;
import java.util.UUID;

/**
 * One beat as its sender means it, before a transport renders it.
 *
 * @param kind what the beat reports
 * @param exitStatus the job's exit status (0 to 255), or null; with one, the kind is {@link Kind#SUCCESS} for 0 and
 *     {@link Kind#FAIL} for any other
 * @param message text sent with the beat (a job's output, a reason), or null for none; never empty
 * @param rid the run id that pairs a {@link Kind#START} with the beat that ends the run, or null
 * @param interval the period the sender promises to beat at; NATS and Redis carry it, the ping URL does not
 * @param grace how much longer than the interval a beat may be late, or null when not set; NATS and Redis only
 * @param host the sending host's name; NATS and Redis only
 * @param description a label for people, or null; NATS and Redis only
 */
public record Beat(
        Kind kind,
        Integer exitStatus,
        String message,
        UUID rid,
        Duration interval,
        Duration grace,
        String host,
        String description) {

    /** What a beat reports, by the name every transport uses for it. */
    public enum Kind {
        /** The job ran and succeeded (also exit status 0). */
        SUCCESS("success"),
        /** The job ran and failed (also an exit status other than 0). */
        FAIL("fail"),
        /** A run began; the beat with the same rid that ends it carries the run's duration. */
        START("start"),
        /** A message only: no change of state. */
        LOG("log");

        public final String wireName;

        Kind(String wireName) {
            this.wireName = wireName;
        }
    }

    public Beat {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(interval, "interval");
        Objects.requireNonNull(host, "host");
        if (exitStatus != null) {
            if (exitStatus < 0 || exitStatus > 255) {
                throw new IllegalArgumentException("exit status must be 0 to 255, was " + exitStatus);
            }
            if (kind != (exitStatus == 0 ? Kind.SUCCESS : Kind.FAIL)) {
                throw new IllegalArgumentException("exit status " + exitStatus + " does not go with " + kind);
            }
        }
        if (message != null && message.isEmpty()) {
            throw new IllegalArgumentException("an empty message is no message: null");
        }
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("interval must be more than 0, was " + interval);
        }
        if (grace != null && (grace.isNegative() || grace.isZero())) {
            throw new IllegalArgumentException("grace must be more than 0 or null, was " + grace);
        }
        if (host.isBlank()) {
            throw new IllegalArgumentException("host must not be blank");
        }
        if (description != null && description.isEmpty()) {
            description = null;
        }
    }

    /** A success beat with the sender's metadata: what {@code vantage beat} sends when given no kind. */
    public static Beat success(Duration interval, Duration grace, String host, String description) {
        return new Beat(Kind.SUCCESS, null, null, null, interval, grace, host, description);
    }

    /** This beat reporting {@code k}, without an exit status. */
    public Beat withKind(Kind k) {
        return new Beat(k, null, message, rid, interval, grace, host, description);
    }

    /** This beat reporting an exit status: success for 0, fail for any other. */
    public Beat withExitStatus(int status) {
        return new Beat(
                status == 0 ? Kind.SUCCESS : Kind.FAIL, status, message, rid, interval, grace, host, description);
    }

    public Beat withMessage(String text) {
        return new Beat(
                kind,
                exitStatus,
                text == null || text.isEmpty() ? null : text,
                rid,
                interval,
                grace,
                host,
                description);
    }

    public Beat withRid(UUID id) {
        return new Beat(kind, exitStatus, message, id, interval, grace, host, description);
    }
}
