package dev.vantage.heartbeat;

/** Where the scheduler hands finished probes. Never blocks the caller. */
public interface HeartbeatSink {
    /**
     * Takes a heartbeat for persistence. Returns false when it had to drop it (the reason is counted and logged by the
     * sink, never silent).
     */
    boolean offer(Heartbeat heartbeat);
}
