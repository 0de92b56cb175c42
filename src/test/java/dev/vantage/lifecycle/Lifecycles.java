package dev.vantage.lifecycle;

import dev.vantage.testing.TestDatabase;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** Test helpers: a settable clock, and heartbeats written with SQL as a user (or a replayed journal) would. */
final class Lifecycles {
    private Lifecycles() {}

    /** A clock the test moves by hand. */
    static final class SettableClock extends Clock {
        private volatile Instant now;

        SettableClock(Instant now) {
            this.now = now;
        }

        void set(Instant value) {
            now = value;
        }

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

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
