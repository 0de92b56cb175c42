package dev.vantage.evaluate;

import dev.vantage.notify.Event;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A notification the evaluator asks for: one outbox row per channel, in the order of the requests.
 *
 * @param at when the event happened (the slot of the heartbeat that caused it, or the tick's time)
 * @param channels channel ids to notify; may be empty (nobody to tell, the incident still counts as notified)
 * @param summary one line for people
 * @param incident the incident as it was when the notice was requested (resolvedAt set for RESOLVED and FOUND); with
 *     {@code key} and {@code incident.openedAt()} it names the incident row even when a monitor resolved one incident
 *     and opened the next in the same drain
 */
public record NoticeRequest(
        IncidentKey key, Event event, Instant at, List<Integer> channels, String summary, Incident incident) {

    public NoticeRequest {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(event, "event");
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(summary, "summary");
        channels = List.copyOf(channels);
        if (!incident.key().equals(key)) {
            throw new IllegalArgumentException("notice for " + key + " carries incident " + incident.key());
        }
    }
}
