package dev.vantage.probe;

import java.util.Set;

/**
 * One kind of probe ({@code http}, {@code tcp}, ...). Implementations are found with {@link java.util.ServiceLoader}
 * (listed in {@code META-INF/services/dev.vantage.probe.Monitor}) and looked up by {@link MonitorRegistry}.
 *
 * <p>The contract every implementation keeps (checked by {@code MonitorContractTest}):
 *
 * <ul>
 *   <li>{@link #configure} validates a row into the type's own immutable settings record, does no I/O, and reports the
 *       first problem as an {@link InvalidMonitorException} naming the field;
 *   <li>{@link #probe} never throws and never blocks past {@code context.deadline()} by more than a small slack: every
 *       failure is a {@link ProbeResult} with an {@link ErrorType};
 *   <li>it never touches the database; the caller persists results.
 * </ul>
 *
 * @param <S> the validated settings of this type
 */
public interface Monitor<S> {

    /** Canonical lower-case type name, as stored in {@code api_monitors.type}, e.g. {@code "http"}. */
    String type();

    /** Other accepted spellings of the type, matched case-insensitively (the old agent stored {@code HTTPS}). */
    default Set<String> aliases() {
        return Set.of();
    }

    /**
     * The request columns of {@code api_monitors} this type reads besides {@code url} and {@code timeout_ms}: any of
     * {@code "method"}, {@code "headers"}, {@code "body"}. Others are ignored in a row ({@code method} defaults to GET
     * for every row), but {@code vantage probe} refuses an option that sets one, rather than drop it silently.
     */
    default Set<String> requestColumns() {
        return Set.of();
    }

    /** Validates a monitor row into this type's settings. Pure: no I/O, no DNS. */
    S configure(MonitorSpec spec) throws InvalidMonitorException;

    /** Probes the target once. Never throws; returns by the deadline. */
    ProbeResult probe(S settings, ProbeContext context);
}
