package dev.vantage.probe;

import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;

/**
 * The outcome of one probe: everything a heartbeat row stores except its identity (monitor, datacenter, slot, agent),
 * which the caller adds.
 *
 * <p>Texts a target controls are cut here, for every type, by {@link TargetText}: the error message and each response
 * header to about 1 KiB, the headers to {@value TargetText#MAX_HEADER_CHARS} characters in all, the body to
 * {@value #MAX_BODY_CHARS} characters.
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
        int redirects) {

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
        if (success != (errorType == null)) {
            throw new IllegalArgumentException("errorType must be null exactly when the probe succeeded");
        }
    }

    /** A failure before any I/O: the monitor row cannot run. Silence is never an outcome, so this still is a result. */
    public static ProbeResult invalidConfig(Instant startedAt, String message) {
        return new ProbeResult(
                startedAt,
                false,
                ErrorType.INVALID_CONFIG,
                message,
                PhaseTimings.NONE,
                null,
                null,
                null,
                Map.of(),
                null,
                0);
    }

    /** A defect in Vantage itself, still reported as a result so that it shows up as a failed heartbeat. */
    public static ProbeResult internal(Instant startedAt, String message) {
        return new ProbeResult(
                startedAt, false, ErrorType.INTERNAL, message, PhaseTimings.NONE, null, null, null, Map.of(), null, 0);
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
}
