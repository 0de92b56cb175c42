package dev.vantage.heartbeat;

/** What a pushed beat reports, stored in {@code api_heartbeats.beat_kind} (NULL for a probe). */
public enum BeatKind {
    /** The job ran and succeeded (also exit status 0). */
    SUCCESS("success"),
    /** The job ran and failed (also an exit status other than 0). */
    FAIL("fail"),
    /** A run began; the success or fail that ends it carries its duration. */
    START("start"),
    /** A message only: no change of state. */
    LOG("log");

    /** The value of {@code api_heartbeats.beat_kind}. */
    public final String column;

    BeatKind(String column) {
        this.column = column;
    }
}
