package dev.vantage.notify.nats;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vantage.notify.Attempt;
import dev.vantage.notify.InvalidChannelException;
import dev.vantage.notify.Notice;
import dev.vantage.notify.NoticeJson;
import dev.vantage.notify.Notifier;
import dev.vantage.notify.NotifierContext;
import dev.vantage.notify.Outcome;
import io.nats.client.AuthenticationException;
import io.nats.client.Connection;
import io.nats.client.ErrorListener;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.impl.Headers;
import io.nats.client.impl.NatsMessage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.TimeoutException;

/**
 * NATS (jnats): the notice's event JSON, the webhook's body ({@link NoticeJson#event}), published to a subject with
 * the header {@code Nats-Msg-Id} set to the notification's message id, the same on every attempt, so that a JetStream
 * stream on the subject stores a retry's duplicate once.
 *
 * <p>Each attempt connects, publishes, flushes and closes. The flush is a round trip to the server, so a publish the
 * server did not take is a failed attempt (retried by the outbox), never a silent loss; an error the server sent
 * before the flush's answer (a publish permission refused) rejects the attempt. Core NATS keeps nothing for
 * subscribers who are away: a receiver that must not miss a notice captures the subject in a JetStream stream.
 * Connecting once per attempt keeps no connection per channel, which the {@link Notifier} contract has no lifecycle
 * for; notifications are rare. Details name the server's {@code host:port}, never a credential nor the server's text.
 */
public final class NatsNotifier implements Notifier<NatsSettings, NatsNotifier.Message> {
    /** The header JetStream deduplicates published messages by, within its stream's duplicate window. */
    public static final String MESSAGE_ID_HEADER = "Nats-Msg-Id";

    /** Shown in the server's connection list ({@code /connz}), so an operator can tell Vantage's connections. */
    static final String CONNECTION_NAME = "vantage-notify";

    /**
     * Left of the budget after the connect's own timeout. jnats reports refused credentials only when its connect
     * times out (the server's -ERR does not end the wait), so the connect must time out before the attempt does for
     * refused credentials to be told apart from a silent server.
     */
    private static final Duration AFTER_CONNECT = Duration.ofMillis(250);

    /** jnats's default listener logs through java.util.logging; the outcome says what failed instead. */
    private static final ErrorListener SILENT = new ErrorListener() {};

    private final Clock clock;

    public NatsNotifier(NotifierContext context) {
        this.clock = context.clock();
    }

    /**
     * A rendered notice.
     *
     * @param id the notification's message id ({@link NoticeJson#messageId}), sent as {@code Nats-Msg-Id}
     * @param body the event JSON
     */
    public record Message(String id, String body) {
        public Message {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(body, "body");
        }
    }

    @Override
    public String type() {
        return "nats";
    }

    @Override
    public NatsSettings configure(JsonNode settings) throws InvalidChannelException {
        return NatsSettings.from(settings);
    }

    @Override
    public Message render(NatsSettings settings, long notificationId, Notice notice) {
        return new Message(NoticeJson.messageId(notificationId), NoticeJson.write(NoticeJson.event(notice)));
    }

    @Override
    public Outcome send(NatsSettings settings, Message message, Instant deadline) {
        return Attempt.withDeadline(clock, deadline, "NATS", () -> attempt(settings, message, deadline));
    }

    private Outcome attempt(NatsSettings settings, Message message, Instant deadline) {
        Instant start = clock.instant();
        Duration budget = min(settings.timeout(), Duration.between(start, deadline));
        Instant end = start.plus(budget);
        Duration connectTimeout =
                budget.compareTo(AFTER_CONNECT.multipliedBy(2)) > 0 ? budget.minus(AFTER_CONNECT) : budget;
        String where = "NATS at " + settings.address();
        Connection connection = null;
        try {
            connection = Nats.connect(options(settings, connectTimeout));
            var headers = new Headers().put(MESSAGE_ID_HEADER, message.id());
            connection.publish(NatsMessage.builder()
                    .subject(settings.subject())
                    .headers(headers)
                    .data(message.body(), StandardCharsets.UTF_8)
                    .build());
            connection.flush(atLeastOneMilli(Duration.between(clock.instant(), end)));
            String error = connection.getLastError();
            if (error != null) {
                return serverError(where, error);
            }
            return Outcome.delivered(null);
        } catch (AuthenticationException e) {
            return Outcome.rejected(null, where + " refused the credentials");
        } catch (IOException e) {
            return Outcome.retry(
                    null,
                    null,
                    where + ": cannot connect (refused, unreachable or no answer within " + connectTimeout.toMillis()
                            + " ms)");
        } catch (TimeoutException e) {
            return Outcome.retry(
                    null, null, where + " did not confirm the publish within " + budget.toMillis() + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Outcome.retry(null, null, where + ": attempt interrupted");
        } catch (RuntimeException e) {
            // Never the exception's message: jnats quotes the server's words and its URL.
            return Outcome.retry(null, null, where + ": " + e.getClass().getSimpleName());
        } finally {
            close(connection);
        }
    }

    private static Options options(NatsSettings settings, Duration connectTimeout) {
        var options = new Options.Builder()
                .server(settings.url())
                .connectionName(CONNECTION_NAME)
                .connectionTimeout(connectTimeout)
                .noReconnect()
                .ignoreDiscoveredServers()
                .errorListener(SILENT);
        if (settings.user() != null) {
            options.userInfo(
                    settings.user().reveal().toCharArray(),
                    settings.password().reveal().toCharArray());
        }
        if (settings.token() != null) {
            options.token(settings.token().reveal().toCharArray());
        }
        return options.build();
    }

    /** A {@code -ERR} the server sent while we published: a refused permission will be refused again. */
    private static Outcome serverError(String where, String error) {
        String lower = error.toLowerCase(Locale.ROOT);
        if (lower.contains("permissions violation")) {
            return Outcome.rejected(null, where + " refused the publish: permissions violation");
        }
        if (lower.contains("authorization") || lower.contains("authentication")) {
            return Outcome.rejected(null, where + " refused the credentials");
        }
        return Outcome.retry(null, null, where + " answered an error");
    }

    private static void close(Connection connection) {
        if (connection == null) {
            return;
        }
        try {
            connection.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Duration min(Duration a, Duration b) {
        return atLeastOneMilli(a.compareTo(b) <= 0 ? a : b);
    }

    private static Duration atLeastOneMilli(Duration d) {
        return d.compareTo(Duration.ofMillis(1)) < 0 ? Duration.ofMillis(1) : d;
    }
}
