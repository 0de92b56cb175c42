package dev.vantage.store;

import java.time.Instant;

/**
 * An outbox row the delivery loop has just claimed, with the channel's identity for logs and meters.
 *
 * @param attempt the attempt this claim is for ({@code notifications.attempts} after the claim); it also identifies
 *     the claim: an outcome is recorded only while the row still has this attempt count
 * @param channelName {@code notification_channels.name}, for logs (never a credential)
 * @param channelType {@code notification_channels.type}, for meters
 * @param groupId the id of the first row sent together with this one as one notice (its own id when sent alone)
 */
public record ClaimedNotification(
        long id,
        long incidentId,
        int channelId,
        String event,
        String dedupKey,
        String payloadJson,
        int attempt,
        Instant createdAt,
        String channelName,
        String channelType,
        boolean channelEnabled,
        long groupId) {}
