package dev.vantage.probe;

import java.time.Instant;

/** A monitor row validated by its type: ready to run, immutable, comparable by value for reloads. */
public record PreparedProbe<S>(Monitor<S> monitor, S settings) {

    static <S> PreparedProbe<S> of(Monitor<S> monitor, MonitorSpec spec) throws InvalidMonitorException {
        return new PreparedProbe<>(monitor, monitor.configure(spec));
    }

    /**
     * Runs the probe. A type that breaks its contract by throwing still yields a result ({@link ErrorType#INTERNAL}), so
     * that a defect shows up as a failed heartbeat, never as silence.
     */
    public ProbeResult run(ProbeContext context) {
        Instant started = Instant.now();
        try {
            ProbeResult result = monitor.probe(settings, context);
            if (result == null) {
                return ProbeResult.internal(started, monitor.type() + " probe returned no result");
            }
            return result;
        } catch (RuntimeException | Error e) {
            if (e instanceof VirtualMachineError vme) {
                throw vme;
            }
            return ProbeResult.internal(started, monitor.type() + " probe failed unexpectedly: " + e);
        }
    }
}
