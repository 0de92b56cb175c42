package dev.vantage.notify;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

/**
 * A {@link Notice} as stored in {@code notifications.payload}: the record's components by name, {@code event} in its
 * wire name ("firing"), times as ISO-8601 strings. Reading is lenient (unknown fields ignored, the event in any case)
 * because the payload is fixed when enqueued and must stay readable by later versions.
 */
public final class OutboxPayload {
    private static final JsonMapper JSON = JsonMapper.builder()
            .addModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(MapperFeature.ACCEPT_CASE_INSENSITIVE_ENUMS)
            .build();

    private OutboxPayload() {}

    public static String write(Notice notice) {
        ObjectNode tree = JSON.valueToTree(notice);
        tree.put("event", notice.event().wireName());
        return tree.toString();
    }

    /**
     * Reads a payload; the row's own columns win over the payload for the event, the dedup key and the incident.
     *
     * @throws IllegalArgumentException when the payload is not a notice; the message quotes none of it
     */
    public static Notice read(String json, Event event, String dedupKey, long incidentId) {
        try {
            if (!(JSON.readTree(json) instanceof ObjectNode tree)) {
                throw new IllegalArgumentException("payload is not a JSON object");
            }
            tree.put("event", event.wireName());
            tree.put("dedupKey", dedupKey);
            tree.put("incidentId", incidentId);
            if (!tree.hasNonNull("datacenters")) {
                tree.putArray("datacenters");
            }
            return JSON.treeToValue(tree, Notice.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("payload is not a notice: " + e.getOriginalMessage(), e);
        }
    }
}
