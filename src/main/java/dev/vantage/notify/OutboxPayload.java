package dev.vantage.notify;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.format.DateTimeParseException;

/**
 * A {@link Notice} as stored in {@code notifications.payload}: {@link NoticeJson}'s snake_case form, the one users read
 * with SQL and the webhook sends as its {@code data}. Reading is lenient (unknown fields ignored) because a payload is
 * fixed when enqueued and must stay readable by later versions.
 */
public final class OutboxPayload {
    private OutboxPayload() {}

    public static String write(Notice notice) {
        return NoticeJson.write(NoticeJson.toJson(notice));
    }

    /**
     * Reads a payload; the row's own columns win over the payload for the event, the dedup key and the incident.
     *
     * @throws IllegalArgumentException when the payload is not a notice; the message quotes none of it
     */
    public static Notice read(String json, Event event, String dedupKey, long incidentId) {
        try {
            if (!(NoticeJson.MAPPER.readTree(json) instanceof ObjectNode tree)) {
                throw new IllegalArgumentException("payload is not a JSON object");
            }
            tree.put("event", event.wireName());
            tree.put("dedup_key", dedupKey);
            tree.put("incident_id", incidentId);
            if (!tree.hasNonNull("kind") || !tree.hasNonNull("summary")) {
                throw new IllegalArgumentException("payload is not a notice: it has no kind or no summary");
            }
            return NoticeJson.fromJson(tree);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("payload is not JSON", e);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("payload has a time that is not ISO-8601", e);
        }
    }
}
