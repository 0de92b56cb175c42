package dev.vantage.heartbeat;

/**
 * Told what became of a heartbeat: for a caller that must not answer its sender before the heartbeat is safe (the
 * push endpoints answer 200 only then). The writer and its buffer call it once a row is in the database or in the
 * journal, or is given up; a row can be settled more than once (journaled, then written), and an implementation keeps
 * the first outcome. Called with the buffer's lock held, on the writer's or an offering thread: record the outcome,
 * nothing more.
 */
@FunctionalInterface
public interface Receipt {
    /** For heartbeats nobody waits for (probes, and rows read back from a journal). */
    Receipt NONE = outcome -> {};

    void settled(Outcome outcome);

    /** What became of a heartbeat. */
    enum Outcome {
        /** Committed to api_heartbeats (or its slot was already filled: a replay). */
        WRITTEN,
        /** Appended to the disk journal: it is written when the database can take it, after a restart too. */
        JOURNALED,
        /** The database refused the row for its data; never written (counted and logged by the writer). */
        REJECTED,
        /** Given up at shutdown, neither written nor journaled. */
        LOST;

        /** Whether the heartbeat is written or will be. */
        public boolean safe() {
            return this == WRITTEN || this == JOURNALED;
        }
    }
}
