package dev.vantage.store;

/**
 * A monitor incident held back by another ({@code incidents.suppressed_by}), as the notifying incident's notices list
 * it.
 *
 * @param suppressedBy the incident that notified instead ({@code incidents.suppressed_by})
 * @param monitorName the monitor's name, or {@code monitor #<id>} once it is deleted
 */
public record SuppressedIncident(long suppressedBy, int monitorId, String monitorName, String dedupKey) {}
