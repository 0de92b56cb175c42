package dev.vantage.lifecycle;

import dev.vantage.testing.TestDatabase;

/** Test helpers: heartbeats written with SQL as a user (or a replayed journal) would. */
final class Lifecycles {
    private Lifecycles() {}

    /**
     * Inserts one heartbeat with the given response time and TLS handshake time (both may be null); a failure has an
     * error type.
     */
    static void heartbeat(
            TestDatabase db,
            int monitor,
            int datacenter,
            String slot,
            String errorType,
            Double responseMs,
            Double tlsMs) {
        db.execute(
                """
                INSERT INTO api_heartbeats (monitor_id, datacenter_id, scheduled_at, executed_at, success, error_type,
                                            response_time_ms, tls_handshake_ms, tcp_connect_ms)
                VALUES (?, ?, ?::timestamptz, ?::timestamptz, ?, ?, ?, ?, ?)
                """,
                monitor,
                datacenter,
                slot,
                slot,
                errorType == null,
                errorType,
                responseMs,
                tlsMs,
                responseMs == null ? null : responseMs / 10);
    }

    static void ensurePartitions(TestDatabase db, String fromDay, int days) {
        db.execute("SELECT vantage_ensure_heartbeat_partitions(?::date, ?)", fromDay, days);
    }
}
