package dev.vantage.notify;

import dev.vantage.testing.TestDatabase;
import java.time.Instant;
import java.util.List;

/** Rows the evaluator would write, inserted directly: channels, incidents and outbox rows. */
final class OutboxSeed {
    private final TestDatabase db;

    OutboxSeed(TestDatabase db) {
        this.db = db;
    }

    int channel(String name, String type) {
        return (int) db.count(
                "INSERT INTO notification_channels (name, type, repeat_every, group_seconds) VALUES (?, ?, NULL, 0)"
                        + " RETURNING id",
                name,
                type);
    }

    /** An open, notified, global monitor incident of monitor {@code monitorId}. */
    long incident(int monitorId) {
        return db.count(
                "INSERT INTO incidents (kind, monitor_id, scope, opened_at, notified)"
                        + " VALUES ('monitor', ?, 'global', now(), true) RETURNING id",
                monitorId);
    }

    /** Enqueues one notification due now; returns its id. */
    long enqueue(long incidentId, int channelId, Event event) {
        Notice notice = notice(incidentId, event, Instant.now());
        return db.count(
                "INSERT INTO notifications (incident_id, channel_id, event, dedup_key, payload)"
                        + " VALUES (?, ?, ?, ?, CAST(? AS jsonb)) RETURNING id",
                incidentId,
                channelId,
                event.wireName(),
                notice.dedupKey(),
                OutboxPayload.write(notice));
    }

    static Notice notice(long incidentId, Event event, Instant at) {
        return new Notice(
                event,
                "vantage-incident-" + incidentId,
                incidentId,
                "monitor",
                "global",
                7,
                "checkout",
                "https://shop.example/checkout",
                List.of("NY", "VA"),
                event == Event.RESOLVED ? "UP" : "DOWN",
                "HTTP_STATUS",
                "[STATUS] (503) == 200",
                at.minusSeconds(60),
                event == Event.RESOLVED ? at : null,
                at,
                "checkout is " + (event == Event.RESOLVED ? "UP" : "DOWN"));
    }
}
