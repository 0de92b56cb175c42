package dev.vantage.notify;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.ArrayList;

/**
 * A {@link Notice} as JSON with snake_case keys, every field present (null when absent), in a fixed order: the form of
 * {@code notifications.payload}, the webhook's {@code data} and the postgres notifier's payload. {@link #event} wraps
 * it in the envelope that the webhook, redis and nats notifiers send, so one receiver parses all three. A {@linkplain
 * Notice#isGroup group} has kind {@code group}, a null {@code incident_id}, and its {@code members}, each in this same
 * form; a single notice has no {@code members} key, so it reads as it always did.
 */
public final class NoticeJson {
    /** Compact, key order as inserted: the same notice always writes the same bytes. */
    public static final ObjectMapper MAPPER = new ObjectMapper();

    private NoticeJson() {}

    public static ObjectNode toJson(Notice n) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("event", n.event().wireName());
        o.put("dedup_key", n.dedupKey());
        o.put("incident_id", n.incidentId());
        o.put("kind", n.kind());
        o.put("scope", n.scope());
        o.put("monitor_id", n.monitorId());
        o.put("monitor_name", n.monitorName());
        o.put("target", n.target());
        var dcs = o.putArray("datacenters");
        n.datacenters().forEach(dcs::add);
        o.put("state", n.state());
        o.put("error_type", n.errorType());
        o.put("error_message", n.errorMessage());
        o.put("opened_at", iso(n.openedAt()));
        o.put("resolved_at", iso(n.resolvedAt()));
        o.put("at", iso(n.at()));
        o.put("summary", n.summary());
        var suppressed = o.putArray("suppressed");
        for (Notice.Suppressed d : n.suppressed()) {
            suppressed
                    .addObject()
                    .put("monitor_id", d.monitorId())
                    .put("monitor_name", d.monitorName())
                    .put("dedup_key", d.dedupKey());
        }
        if (n.isGroup()) {
            // A group reports no incident of its own: its members do, each with its own dedup key.
            o.putNull("incident_id");
            var members = o.putArray("members");
            n.members().forEach(m -> members.add(toJson(m)));
        }
        return o;
    }

    /**
     * The notice as an event, as Standard Webhooks shapes one: {@code {"type":"incident.<event>","timestamp":<at>,
     * "data":<toJson>}}. The body of the webhook, redis and nats notifiers.
     */
    public static ObjectNode event(Notice n) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("type", "incident." + n.event().wireName());
        o.put("timestamp", iso(n.at()));
        o.set("data", toJson(n));
        return o;
    }

    /**
     * The id of one notification's message, the same on every attempt and different between notifications: the
     * webhook's {@code webhook-id}, the nats notifier's {@code Nats-Msg-Id}, the redis stream entry's {@code id}.
     */
    public static String messageId(long notificationId) {
        return "vantage-notification-" + notificationId;
    }

    /** Reads what {@link #toJson} wrote (a {@code notifications.payload}). */
    public static Notice fromJson(JsonNode o) {
        var dcs = new ArrayList<String>();
        JsonNode arr = o.path("datacenters");
        arr.forEach(d -> dcs.add(d.asText()));
        var suppressed = new ArrayList<Notice.Suppressed>();
        o.path("suppressed")
                .forEach(d -> suppressed.add(new Notice.Suppressed(
                        d.path("monitor_id").intValue(),
                        d.path("monitor_name").asText(),
                        d.path("dedup_key").asText())));
        var members = new ArrayList<Notice>();
        o.path("members").forEach(m -> members.add(fromJson(m)));
        return new Notice(
                Event.fromWire(o.path("event").asText()),
                text(o, "dedup_key"),
                o.path("incident_id").asLong(),
                text(o, "kind"),
                text(o, "scope"),
                o.hasNonNull("monitor_id") ? o.get("monitor_id").intValue() : null,
                text(o, "monitor_name"),
                text(o, "target"),
                dcs,
                text(o, "state"),
                text(o, "error_type"),
                text(o, "error_message"),
                instant(o, "opened_at"),
                instant(o, "resolved_at"),
                instant(o, "at"),
                text(o, "summary"),
                suppressed,
                members);
    }

    /** Compact JSON text of a node. */
    public static String write(JsonNode node) {
        try {
            return MAPPER.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree always serializes", e);
        }
    }

    public static String iso(Instant t) {
        return t == null ? null : t.toString();
    }

    private static String text(JsonNode o, String key) {
        return o.hasNonNull(key) ? o.get(key).asText() : null;
    }

    private static Instant instant(JsonNode o, String key) {
        return o.hasNonNull(key) ? Instant.parse(o.get(key).asText()) : null;
    }
}
