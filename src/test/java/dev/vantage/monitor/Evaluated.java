package dev.vantage.monitor;

import static org.awaitility.Awaitility.await;

import dev.vantage.testing.TestDatabase;
import java.time.Duration;

/** What the end-to-end tests of the monitor module read back: how far it evaluated, and a monitor's global state. */
final class Evaluated {
    private Evaluated() {}

    /** The newest heartbeat's id, or 0. */
    static long latestHeartbeat(TestDatabase db) {
        return db.count("SELECT coalesce(max(id), 0) FROM api_heartbeats");
    }

    /** Until the monitor module's cursor has read past heartbeat {@code id}. */
    static void awaitEvaluatedPast(TestDatabase db, long id) {
        await().atMost(Duration.ofSeconds(30))
                .until(() ->
                        db.count("SELECT coalesce(max(heartbeat_id), 0) FROM monitor_cursor WHERE name = 'heartbeats'")
                                > id);
    }

    /** Monitor 1's global state, or null before it has one. */
    static String globalState(TestDatabase db) {
        return db.jdbi().withHandle(h -> h.createQuery(
                        "SELECT state FROM monitor_states WHERE monitor_id = 1 AND datacenter_id IS NULL")
                .mapTo(String.class)
                .findOne()
                .orElse(null));
    }
}
