package dev.vantage.notify;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/**
 * One way of telling people ({@code webhook}, {@code slack}, {@code pagerduty}, ...). Implementations are registered,
 * one line each, in {@link NotifierRegistry#standard} and looked up there by type.
 *
 * <p>The contract every implementation keeps (checked by {@code NotifierContractTest}):
 *
 * <ul>
 *   <li>{@link #configure} validates a channel's settings into the notifier's own immutable settings record, does no
 *       I/O, and reports the first problem as an {@link InvalidChannelException} naming the field; the settings
 *       record's {@code toString()} shows no credential;
 *   <li>{@link #render} is pure: the same notice gives the same message, byte for byte; a notifier that
 *       {@linkplain #groups groups} renders a group notice so that every member can be told apart (e.g. one line
 *       each, with {@link Text#lines});
 *   <li>{@link #send} never throws and returns by the deadline (plus a small slack), with an {@link Outcome} that says
 *       whether to retry; it never logs and never returns a credential;
 *   <li>thresholds, reminders and resolve rules are not its business: the evaluator and the delivery loop decide
 *       what to send and when.
 * </ul>
 *
 * @param <S> the validated settings of this notifier
 * @param <M> the rendered message
 */
public interface Notifier<S, M> {

    /** Canonical lower-case type name, as stored in {@code notification_channels.type}. */
    String type();

    /** Validates a channel's settings. Pure: no I/O. */
    S configure(JsonNode settings) throws InvalidChannelException;

    /**
     * Renders a notice into this notifier's message. Pure.
     *
     * @param notificationId the outbox row's id, the same on every attempt (the webhook-id of Standard Webhooks)
     */
    M render(S settings, long notificationId, Notice notice);

    /** Sends a rendered message once. Never throws; returns by {@code deadline}. */
    Outcome send(S settings, M message, Instant deadline);

    /**
     * Whether one message may list several incidents ({@linkplain Notice#isGroup a group notice}, rendered by
     * {@link #render} like any other). False for a service that takes one incident per request (PagerDuty Events v2:
     * one event per dedup key): the delivery loop then sends each notification on its own, without waiting for the
     * channel's {@code group_seconds}.
     */
    default boolean groups() {
        return true;
    }
}
