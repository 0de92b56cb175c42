package dev.vantage.push;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.vantage.heartbeat.LogThrottle;
import dev.vantage.push.PushMeters.Outcome;
import dev.vantage.web.WebServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers {@code /ping/<token>[/start|/fail|/log|/<exit status>]}: parses the path, finds the token's monitor, asks
 * the {@link BeatIntake} to admit it (rate), reads the body into a bounded message, and has the intake take the beat,
 * which returns once it is committed or journaled: then it answers {@code 200 OK}. Every other answer
 * says the beat was not taken: 400 (malformed path), 404 (unknown or disabled token, one body for both), 413 (body
 * past {@link PushSettings#MAX_BODY_BYTES}), 429 (rate, with Retry-After), 503 (not safe within the deadline, with
 * Retry-After), 500 (the database refused it). Every answer is counted by outcome; no token is ever logged.
 */
final class PingHandler implements HttpHandler {
    private static final Logger log = LoggerFactory.getLogger(PingHandler.class);
    static final String OK = "OK\n";
    private static final String RETRY_AFTER_UNAVAILABLE = "2";

    /** The connection was cut off because the body came too slowly. */
    private static final class TimedOutException extends IOException {
        TimedOutException(IOException cause) {
            super("the request body did not arrive within the read deadline", cause);
        }
    }

    private final PushSettings settings;
    private final PushTokens tokens;
    private final BeatIntake intake;
    private final ReadDeadlines deadlines;
    private final PushMeters.Beats meters;
    private final LogThrottle unavailableLog;

    PingHandler(
            PushSettings settings,
            PushTokens tokens,
            BeatIntake intake,
            ReadDeadlines deadlines,
            PushMeters.Beats meters,
            Clock clock) {
        this.settings = settings;
        this.tokens = tokens;
        this.intake = intake;
        this.deadlines = deadlines;
        this.meters = meters;
        this.unavailableLog = new LogThrottle(clock, Duration.ofSeconds(10), 1);
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        long started = System.nanoTime();
        Instant received = intake.now();
        Outcome outcome = Outcome.FAILED;
        try {
            outcome = answer(exchange, received);
        } catch (TimedOutException e) {
            outcome = Outcome.TIMEOUT;
            throw e;
        } finally {
            meters.counted(outcome, started);
        }
        finish(exchange);
    }

    /**
     * Sends the answer, then reads what the sender may still send of a body that was not read (an answer given before
     * it: 404, 413, 429, …), within the read deadline. Closing the response body does it in that order; the server's
     * own close would read first, and wait for a body that never comes before it answers.
     */
    private void finish(HttpExchange exchange) throws IOException {
        try (var deadline = deadlines.arm(settings.readDeadline())) {
            exchange.getResponseBody().close();
        }
    }

    private Outcome answer(HttpExchange exchange, Instant received) throws IOException {
        var uri = exchange.getRequestURI();
        return switch (PingPath.parse(uri.getRawPath(), uri.getRawQuery())) {
            case PingPath.Malformed m -> reply(exchange, Outcome.BAD_REQUEST, "bad request: " + m.reason() + "\n");
            case PingPath.NotAToken n -> reply(exchange, Outcome.UNKNOWN_TOKEN, WebServer.NOT_FOUND);
            case PingPath.Ping ping -> intake.stopping() ? unavailable(exchange) : accept(exchange, ping, received);
        };
    }

    private Outcome accept(HttpExchange exchange, PingPath.Ping ping, Instant received) throws IOException {
        Optional<PushTokens.Target> target;
        try {
            target = tokens.find(ping.token());
        } catch (PushTokens.UnavailableException e) {
            warnUnavailable(e.getMessage());
            return unavailable(exchange);
        }
        if (target.isEmpty() || !target.get().enabled()) {
            return reply(exchange, Outcome.UNKNOWN_TOKEN, WebServer.NOT_FOUND);
        }
        int monitorId = target.get().monitorId();
        BeatIntake.Result admitted = intake.admit(target.get());
        if (!admitted.accepted()) {
            return refused(exchange, admitted);
        }
        MessageBody.Message message;
        try {
            message = message(exchange);
        } catch (MessageBody.TooLargeException e) {
            return reply(
                    exchange,
                    Outcome.TOO_LARGE,
                    "too large: a body is at most " + PushSettings.MAX_BODY_BYTES + " bytes (the first "
                            + PushSettings.MESSAGE_BYTES + " are kept)\n");
        }
        BeatIntake.Result taken = intake.submit(monitorId, beat(exchange, ping, received, message));
        return taken.accepted() ? reply(exchange, Outcome.ACCEPTED, OK) : refused(exchange, taken);
    }

    private Outcome refused(HttpExchange exchange, BeatIntake.Result result) throws IOException {
        return switch (result.outcome()) {
            case ACCEPTED -> throw new IllegalArgumentException("an accepted beat is not refused");
            case DISABLED -> reply(exchange, Outcome.UNKNOWN_TOKEN, WebServer.NOT_FOUND); // one answer for both
            case RATE_LIMITED -> {
                long wait = result.retryAfter().toNanos();
                exchange.getResponseHeaders()
                        .set(
                                "Retry-After",
                                Long.toString(Math.max(1, TimeUnit.NANOSECONDS.toSeconds(wait + 999_999_999))));
                yield reply(exchange, Outcome.RATE_LIMITED, "too many beats for this monitor\n");
            }
            case UNAVAILABLE -> unavailable(exchange);
            case REJECTED -> reply(exchange, Outcome.FAILED, "failed: the database refused the beat\n");
        };
    }

    /** The body of a POST as the beat's message, read within the read deadline; none for GET and HEAD. */
    private MessageBody.Message message(HttpExchange exchange) throws IOException, MessageBody.TooLargeException {
        if (!"POST".equals(exchange.getRequestMethod())) {
            return MessageBody.Message.NONE;
        }
        if (declaredLength(exchange) > PushSettings.MAX_BODY_BYTES) {
            throw new MessageBody.TooLargeException(PushSettings.MAX_BODY_BYTES); // not read at all
        }
        var deadline = deadlines.arm(settings.readDeadline());
        try (deadline) {
            return MessageBody.read(exchange.getRequestBody(), PushSettings.MESSAGE_BYTES, PushSettings.MAX_BODY_BYTES);
        } catch (IOException e) {
            if (deadline.expired()) {
                throw new TimedOutException(e);
            }
            throw e;
        }
    }

    /** The Content-Length, which the server has checked is a number of 0 or more; -1 for a chunked body. */
    private static long declaredLength(HttpExchange exchange) {
        String length = exchange.getRequestHeaders().getFirst("Content-Length");
        if (length == null) {
            return -1;
        }
        try {
            return Long.parseLong(length.strip());
        } catch (NumberFormatException e) {
            return Long.MAX_VALUE; // more digits than a long: too large
        }
    }

    private static BeatIntake.Beat beat(
            HttpExchange exchange, PingPath.Ping ping, Instant received, MessageBody.Message message) {
        InetSocketAddress remote = exchange.getRemoteAddress();
        String details = BeatDetails.http(
                exchange.getRequestMethod(),
                remote == null || remote.getAddress() == null
                        ? null
                        : remote.getAddress().getHostAddress(),
                exchange.getRequestHeaders().getFirst("X-Forwarded-For"),
                exchange.getRequestHeaders().getFirst("User-Agent"),
                ping.rid(),
                ping.exitStatus(),
                message.received());
        return new BeatIntake.Beat(ping.kind(), ping.exitStatus(), ping.rid(), message, details, received, null);
    }

    private Outcome unavailable(HttpExchange exchange) throws IOException {
        exchange.getResponseHeaders().set("Retry-After", RETRY_AFTER_UNAVAILABLE);
        return reply(exchange, Outcome.UNAVAILABLE, "unavailable: try again\n");
    }

    private static Outcome reply(HttpExchange exchange, Outcome outcome, String body) throws IOException {
        WebServer.Responses.text(exchange, outcome.status, body);
        return outcome;
    }

    private void warnUnavailable(String why) {
        long suppressed = unavailableLog.event();
        if (suppressed > 0) {
            log.warn("Ping answered 503, and {} more since the last report: {}", suppressed, why);
        } else if (suppressed == 0) {
            log.warn("Ping answered 503: {}", why);
        }
    }

    /** The intake's receipt, by the name the writer's tests have used since the intake was part of this class. */
    static final class Waiting extends BeatIntake.Waiting {}
}
