package dev.vantage.notify;

import java.time.Instant;
import java.util.Optional;
import java.util.Set;

/**
 * The configured channels, as the delivery loop sees them: a channel id to something that can send to it. Backed by
 * the validated {@code notification_channels} rows; a row that failed validation, or whose type no notifier claims,
 * has no sender, and its notifications fail with {@link #whyUnavailable}'s reason.
 */
@FunctionalInterface
public interface ChannelDirectory {

    /** The sender of a usable channel; empty when the channel is unknown, invalid or of an unknown type. */
    Optional<Sender> find(int channelId);

    /**
     * Why {@link #find} returned empty, for {@code notifications.last_error} and one log line; e.g.
     * {@code "invalid channel: settings.url: not an http(s) URL"}. Never contains a credential.
     */
    default String whyUnavailable(int channelId) {
        return "channel unavailable: unknown, invalid or of an unknown type";
    }

    /**
     * Channels whose notifier does not {@linkplain Notifier#groups group}: their notifications are sent one by one,
     * at once, whatever their {@code group_seconds}.
     */
    default Set<Integer> ungroupedChannels() {
        return Set.of();
    }

    /** One channel with its notifier and validated settings (the notifier renders, then sends). */
    @FunctionalInterface
    interface Sender {
        /**
         * Sends one notice once. Keeps the {@link Notifier#send} contract: never throws, never logs a credential,
         * returns by {@code deadline} (plus a small slack).
         *
         * @param notificationId the outbox row's id, the same on every attempt (webhook-id)
         */
        Outcome deliver(long notificationId, Notice notice, Instant deadline);
    }
}
