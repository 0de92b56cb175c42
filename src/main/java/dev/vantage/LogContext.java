package dev.vantage;

import java.util.Map;
import org.slf4j.MDC;

/**
 * Replaces the current thread's MDC for the length of a {@code try} block and gives the caller's back at the end.
 * Components started in-process (the demo, tests) put their identity into the MDC their threads copy; without this,
 * the starting thread would keep it and label the caller's lines and the next component's.
 */
public final class LogContext implements AutoCloseable {
    private final Map<String, String> previous;

    private LogContext(Map<String, String> context) {
        this.previous = MDC.getCopyOfContextMap();
        MDC.setContextMap(context);
    }

    /** The MDC becomes exactly {@code context} until {@link #close}. */
    public static LogContext replace(Map<String, String> context) {
        return new LogContext(context);
    }

    @Override
    public void close() {
        if (previous == null) {
            MDC.clear();
        } else {
            MDC.setContextMap(previous);
        }
    }
}
