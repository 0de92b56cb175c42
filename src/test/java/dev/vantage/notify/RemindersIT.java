package dev.vantage.notify;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vantage.testing.PostgresExtension;
import dev.vantage.testing.PostgresExtension.Fresh;
import dev.vantage.testing.TestDatabase;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Reminders: one per due (incident, channel), only for open notified incidents and channels that repeat. */
@ExtendWith(PostgresExtension.class)
class RemindersIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant T0 = Instant.now().truncatedTo(ChronoUnit.SECONDS);

    private TestDatabase db;

    private int channel(String name, String repeatEvery, boolean enabled) {
        return (int) db.count(
                "INSERT INTO notification_channels (name, type, repeat_every, enabled)"
                        + " VALUES (?, 'webhook', CAST(? AS interval), ?) RETURNING id",
                name,
                repeatEvery,
                enabled);
    }

    private long incident(int monitorId, boolean notified, boolean resolved) {
        return db.count(
                "INSERT INTO incidents (kind, monitor_id, scope, opened_at, resolved_at, notified)"
                        + " VALUES ('monitor', ?, 'global', ?, ?, ?) RETURNING id",
                monitorId,
                T0.atOffset(ZoneOffset.UTC),
                resolved ? T0.plusSeconds(10).atOffset(ZoneOffset.UTC) : null,
                notified);
    }

    private void firing(long incidentId, int channelId) {
        db.execute(
                "INSERT INTO notifications (incident_id, channel_id, event, dedup_key, payload, created_at, status)"
                        + " VALUES (?, ?, 'firing', ?, CAST(? AS jsonb), ?, 'delivered')",
                incidentId,
                channelId,
                "vantage-incident-" + incidentId,
                OutboxPayload.write(OutboxSeed.notice(incidentId, Event.FIRING, T0)),
                T0.atOffset(ZoneOffset.UTC));
    }

    private int enqueue(Instant now) {
        return db.jdbi().inTransaction(h -> Reminders.enqueue(h, now));
    }

    private List<String> reminders() {
        return db.jdbi().withHandle(h -> h.createQuery(
                        "SELECT incident_id || '/' || channel_id FROM notifications WHERE event = 'reminder' ORDER BY id")
                .mapTo(String.class)
                .list());
    }

    @Test
    void exactlyOneReminderPerDueIncidentAndChannel(@Fresh TestDatabase db) throws Exception {
        this.db = db;
        int repeats = channel("repeats", "1 minute", true);
        int once = channel("once", null, true);
        int disabled = channel("disabled", "1 minute", false);
        long open = incident(1, true, false);
        long resolved = incident(2, true, true);
        long unnotified = incident(3, false, false);
        long elsewhere = incident(4, true, false);
        for (int channel : List.of(repeats, once, disabled)) {
            firing(open, channel);
        }
        firing(resolved, repeats);
        firing(unnotified, repeats);
        firing(elsewhere, once);

        assertThat(enqueue(T0.plusSeconds(30))).as("not due yet").isZero();
        assertThat(enqueue(T0.plusSeconds(60))).isEqualTo(1);
        assertThat(enqueue(T0.plusSeconds(60))).as("the same tick again").isZero();
        assertThat(enqueue(T0.plusSeconds(90)))
                .as("a minute after the reminder, not the firing")
                .isZero();
        assertThat(enqueue(T0.plusSeconds(120))).isEqualTo(1);
        assertThat(reminders()).containsExactly(open + "/" + repeats, open + "/" + repeats);

        var payloads = db.jdbi().withHandle(h -> h.createQuery(
                        "SELECT payload::text FROM notifications WHERE channel_id = :c ORDER BY id")
                .bind("c", repeats)
                .mapTo(String.class)
                .list());
        ObjectNode firing = (ObjectNode) JSON.readTree(payloads.get(0));
        JsonNode second = JSON.readTree(payloads.get(4)); // firings of open, resolved, unnotified; two reminders
        assertThat(second.get("event").asText()).isEqualTo("reminder");
        assertThat(second.get("at").asText()).isEqualTo(T0.plusSeconds(120).toString());
        firing.put("event", "reminder").put("at", T0.plusSeconds(120).toString());
        assertThat(second).isEqualTo(firing);
        assertThat(db.count(
                        "SELECT count(*) FROM notifications WHERE event = 'reminder' AND status = 'pending'"
                                + " AND dedup_key = ? AND created_at = ?",
                        "vantage-incident-" + open,
                        T0.plusSeconds(120).atOffset(ZoneOffset.UTC)))
                .isEqualTo(1);

        Notice notice = OutboxPayload.read(payloads.get(4), Event.REMINDER, "vantage-incident-" + open, open);
        assertThat(notice.at()).isEqualTo(T0.plusSeconds(120));
        assertThat(notice.summary()).isEqualTo("checkout is DOWN");
    }
}
