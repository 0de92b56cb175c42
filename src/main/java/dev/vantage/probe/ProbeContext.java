package dev.vantage.probe;

import java.time.Duration;

/**
 * What the caller decides for one probe run.
 *
 * @param timeout the whole probe must finish within this, measured from the moment {@code probe} is called; the caller
 *     computes it once ({@link MonitorSpec#effectiveTimeout()}) and every phase shares it
 * @param includeBody keep the response body text in the result (schedules.include_response_body)
 */
public record ProbeContext(Duration timeout, boolean includeBody) {
    public ProbeContext {
        if (timeout == null || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive, was " + timeout);
        }
    }
}
