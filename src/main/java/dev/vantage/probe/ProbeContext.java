package dev.vantage.probe;

import java.time.Duration;

/**
 * What the caller decides for one probe run.
 *
 * @param timeout the whole probe must finish within this, measured from the moment {@code probe} is called; the caller
 *     computes it once ({@link MonitorSpec#effectiveTimeout()}) and every phase shares it
 * @param includeBody keep the response body text in the result (schedules.include_response_body)
 * @param userAgent the User-Agent of a probe whose monitor sets none; an agent adds its datacenter, so that a target's
 *     access log tells the locations apart
 */
public record ProbeContext(Duration timeout, boolean includeBody, String userAgent) {
    public static final String USER_AGENT = "Vantage-Probe/1";

    public ProbeContext {
        if (timeout == null || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive, was " + timeout);
        }
        if (userAgent == null || userAgent.isBlank()) {
            throw new IllegalArgumentException("userAgent must not be blank");
        }
    }

    public ProbeContext(Duration timeout, boolean includeBody) {
        this(timeout, includeBody, USER_AGENT);
    }

    /** The User-Agent of an agent probing from a datacenter: {@code Vantage-Probe/1 (datacenter VA)}. */
    public static String userAgentFor(String datacenterCode) {
        return USER_AGENT + " (datacenter " + datacenterCode + ")";
    }
}
