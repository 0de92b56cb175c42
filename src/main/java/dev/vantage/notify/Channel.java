package dev.vantage.notify;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.Objects;

/**
 * A validated {@code notification_channels} row: its notifier bound to its settings, so that callers render and send
 * without naming the notifier's types.
 *
 * <pre>{@code
 * Channel channel = registry.configure(row.id(), row.name(), row.type(), row.settings());
 * Channel.Message message = channel.render(notificationId, notice);
 * Outcome outcome = channel.send(message, deadline);
 * }</pre>
 */
public record Channel(int id, String name, Binding<?, ?> binding) {
    public Channel {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(binding, "binding");
    }

    /** Validates {@code settings} with {@code notifier}. Pure. */
    public static <S, M> Channel configure(int id, String name, Notifier<S, M> notifier, JsonNode settings)
            throws InvalidChannelException {
        return new Channel(id, name, new Binding<>(notifier, notifier.configure(settings)));
    }

    public String type() {
        return binding.notifier().type();
    }

    /** {@link Notifier#groups}. */
    public boolean groups() {
        return binding.notifier().groups();
    }

    /** {@link Notifier#render}: pure. */
    public Message render(long notificationId, Notice notice) {
        return binding.render(notificationId, notice);
    }

    /**
     * {@link Notifier#send}: never throws, returns by the deadline.
     *
     * @throws IllegalArgumentException if the message was rendered by another channel
     */
    public Outcome send(Message message, Instant deadline) {
        return binding.send(message, deadline);
    }

    /** A notifier and settings it validated. */
    public record Binding<S, M>(Notifier<S, M> notifier, S settings) {
        public Binding {
            Objects.requireNonNull(notifier, "notifier");
            Objects.requireNonNull(settings, "settings");
        }

        Message render(long notificationId, Notice notice) {
            return new Message(this, notifier.render(settings, notificationId, notice));
        }

        Outcome send(Message message, Instant deadline) {
            if (message.binding != this) {
                throw new IllegalArgumentException("the message was rendered for another channel");
            }
            @SuppressWarnings("unchecked") // only render() makes a Message, with this binding's M
            M body = (M) message.body;
            return notifier.send(settings, body, deadline);
        }
    }

    /** A rendered message, sendable only through the channel that rendered it. */
    public static final class Message {
        private final Binding<?, ?> binding;
        private final Object body;

        private Message(Binding<?, ?> binding, Object body) {
            this.binding = binding;
            this.body = Objects.requireNonNull(body, "body");
        }

        /** The notifier's own message (a record of that notifier); may hold a credential that its wire format needs. */
        public Object body() {
            return body;
        }

        @Override
        public String toString() {
            return "Message[" + binding.notifier().type() + "]";
        }
    }
}
