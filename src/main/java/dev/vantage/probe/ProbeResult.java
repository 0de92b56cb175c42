package dev.vantage.probe;

import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;

/**
 * The outcome of one probe: everything a heartbeat row stores except its identity (monitor, datacenter, slot, agent),
 * which the caller adds.
 *
 * <p>Built with {@link #success}, {@link #failure} or, when there is more to say than timings, {@link #at}: <pre>{@code
 * ProbeResult.at(startedAt).timings(t).statusCode(200).remoteAddress("127.0.0.1:80").success();
 * ProbeResult.at(startedAt).timings(t).details(Map.of("rcode", "NXDOMAIN")).failure(ErrorType.DNS, "no such name");
 * }</pre>
 *
 * <p>Texts a target controls are cut here, for every type, by {@link TargetText}: the error message and each response
 * header to about 1 KiB, the headers to {@value TargetText#MAX_HEADER_CHARS} characters in all, the body to
 * {@value #MAX_BODY_CHARS} characters, each text in {@code details} to {@value TargetText#MAX_CHARS}.
 *
 * @param startedAt wall-clock start of the probe (api_heartbeats.executed_at)
 * @param success true when every check passed
 * @param errorType why it failed; null exactly when {@code success}
 * @param errorMessage a human sentence naming the failed check, e.g. {@code status 503, expected 200-299}; null on
 *     success; never contains a header value; cut to {@value TargetText#MAX_CHARS} characters
 * @param timings phase durations; {@link PhaseTimings#NONE} when nothing was measured
 * @param statusCode HTTP status of the final response, null for other types or when no response arrived
 * @param responseSizeBytes body bytes read (up to the type's limit), null when no response arrived
 * @param remoteAddress ip:port actually connected to, null when no connection was made
 * @param responseHeaders response headers of the final response (multiple values joined with ", "), empty if none
 * @param body the start of the response body as text when the caller asked for it, else null
 * @param redirects number of redirect hops followed
 * @param details what only this type knows (a DNS answer, ping loss), as JSON values (see {@link ProbeDetails});
 *     stored in {@code api_heartbeats.details}, NULL when empty
 */
public record ProbeResult(
        Instant startedAt,
        boolean success,
        ErrorType errorType,
        String errorMessage,
        PhaseTimings timings,
        Integer statusCode,
        Long responseSizeBytes,
        String remoteAddress,
        Map<String, String> responseHeaders,
        String body,
        int redirects,
        Map<String, Object> details) {

    /** Characters of the body kept at most ({@code raw_response_body}); a probe reads no more than it keeps. */
    public static final int MAX_BODY_CHARS = 64 * 1024;

    public ProbeResult {
        Objects.requireNonNull(startedAt, "startedAt");
        Objects.requireNonNull(timings, "timings");
        errorMessage = TargetText.cut(errorMessage);
        responseHeaders = responseHeaders == null || responseHeaders.isEmpty()
                ? Map.of()
                : Collections.unmodifiableMap(TargetText.headers(responseHeaders));
        body = TargetText.cut(body, MAX_BODY_CHARS);
        details = ProbeDetails.copyOf(details);
        if (success != (errorType == null)) {
            throw new IllegalArgumentException("errorType must be null exactly when the probe succeeded");
        }
    }

    /** A passed probe that has nothing to report but its timings. */
    public static ProbeResult success(Instant startedAt, PhaseTimings timings) {
        return at(startedAt).timings(timings).success();
    }

    /** A failed probe that has nothing to report but its timings and why. */
    public static ProbeResult failure(Instant startedAt, ErrorType type, String message, PhaseTimings timings) {
        return at(startedAt).timings(timings).failure(type, message);
    }

    /** A result started at {@code startedAt}, every other field empty until set. */
    public static Builder at(Instant startedAt) {
        return new Builder(startedAt);
    }

    /** A failure before any I/O: the monitor row cannot run. Silence is never an outcome, so this still is a result. */
    public static ProbeResult invalidConfig(Instant startedAt, String message) {
        return failure(startedAt, ErrorType.INVALID_CONFIG, message, PhaseTimings.NONE);
    }

    /** A defect in Vantage itself, still reported as a result so that it shows up as a failed heartbeat. */
    public static ProbeResult internal(Instant startedAt, String message) {
        return failure(startedAt, ErrorType.INTERNAL, message, PhaseTimings.NONE);
    }

    /** A header of the final response, case-insensitively, or null. */
    public String header(String name) {
        for (var e : responseHeaders.entrySet()) {
            if (e.getKey().equalsIgnoreCase(name)) {
                return e.getValue();
            }
        }
        return null;
    }

    /** The fields of a result, by name; ends with {@link #success()}, {@link #failure} or {@link #outcome}. */
    public static final class Builder {
        private final Instant startedAt;
        private PhaseTimings timings = PhaseTimings.NONE;
        private Integer statusCode;
        private Long responseSizeBytes;
        private String remoteAddress;
        private Map<String, String> responseHeaders = Map.of();
        private String body;
        private int redirects;
        private Map<String, Object> details = Map.of();

        private Builder(Instant startedAt) {
            this.startedAt = Objects.requireNonNull(startedAt, "startedAt");
        }

        public Builder timings(PhaseTimings timings) {
            this.timings = timings;
            return this;
        }

        public Builder statusCode(Integer statusCode) {
            this.statusCode = statusCode;
            return this;
        }

        public Builder responseSizeBytes(Long responseSizeBytes) {
            this.responseSizeBytes = responseSizeBytes;
            return this;
        }

        public Builder remoteAddress(String remoteAddress) {
            this.remoteAddress = remoteAddress;
            return this;
        }

        public Builder responseHeaders(Map<String, String> responseHeaders) {
            this.responseHeaders = responseHeaders;
            return this;
        }

        public Builder body(String body) {
            this.body = body;
            return this;
        }

        public Builder redirects(int redirects) {
            this.redirects = redirects;
            return this;
        }

        /** What only this type knows; see {@link ProbeDetails} for the values allowed. */
        public Builder details(Map<String, ?> details) {
            this.details = details == null ? Map.of() : Collections.unmodifiableMap(details);
            return this;
        }

        public ProbeResult success() {
            return outcome(null, null);
        }

        public ProbeResult failure(ErrorType type, String message) {
            return outcome(Objects.requireNonNull(type, "type"), message);
        }

        /** Success when {@code type} is null, else a failure of that type. */
        public ProbeResult outcome(ErrorType type, String message) {
            return new ProbeResult(
                    startedAt,
                    type == null,
                    type,
                    message,
                    timings,
                    statusCode,
                    responseSizeBytes,
                    remoteAddress,
                    responseHeaders,
                    body,
                    redirects,
                    details);
        }
    }
}
