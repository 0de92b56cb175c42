package dev.vantage.store;

/** A pending outbox row given up because it outlived the maximum age, with what its log line needs. */
public record AbandonedNotification(
        long id, long incidentId, String event, int attempts, String channelName, String channelType) {}
