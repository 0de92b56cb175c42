package dev.vantage.notify;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A notice's facts as people read them, in one order, for the notifiers that show a list of fields (Teams, Discord,
 * Telegram, Opsgenie, Alertmanager): one place to change when a notice gains a field.
 */
public final class NoticeFacts {
    private NoticeFacts() {}

    /**
     * Title to value, absent values left out: Event, State, Monitor, Datacenters, Target, Error, Opened at, Resolved at,
     * Incident (the dedup key).
     */
    public static Map<String, String> of(Notice n) {
        var facts = new LinkedHashMap<String, String>();
        put(facts, "Event", n.event().wireName());
        put(facts, "State", n.state());
        put(facts, "Monitor", n.monitorName());
        put(facts, "Datacenters", n.datacenters().isEmpty() ? null : String.join(", ", n.datacenters()));
        put(facts, "Target", n.target());
        put(facts, "Error", error(n));
        put(facts, "Opened at", NoticeJson.iso(n.openedAt()));
        put(facts, "Resolved at", NoticeJson.iso(n.resolvedAt()));
        put(facts, "Incident", n.dedupKey());
        return Collections.unmodifiableMap(facts);
    }

    /** What the notice is about: the monitor's name, else the datacenters, else its kind. */
    public static String subject(Notice n) {
        if (n.monitorName() != null) {
            return n.monitorName();
        }
        if (!n.datacenters().isEmpty()) {
            return "datacenter " + String.join(", ", n.datacenters());
        }
        return n.kind();
    }

    /** {@code <error type>: <error message>}, either alone when the other is absent, or null. */
    public static String error(Notice n) {
        if (n.errorType() == null || n.errorMessage() == null) {
            return n.errorType() != null ? n.errorType() : n.errorMessage();
        }
        return n.errorType() + ": " + n.errorMessage();
    }

    private static void put(Map<String, String> facts, String title, String value) {
        if (value != null) {
            facts.put(title, value);
        }
    }
}
