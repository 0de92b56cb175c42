package dev.vantage.push;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.vantage.heartbeat.BeatKind;
import dev.vantage.heartbeat.HeartbeatRow;
import dev.vantage.heartbeat.HeartbeatWriter;
import dev.vantage.heartbeat.LogThrottle;
import dev.vantage.heartbeat.PushedBeat;
import dev.vantage.heartbeat.Receipt;
import dev.vantage.push.PushMeters.Outcome;
import dev.vantage.web.WebServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers {@code /ping/<token>[/start|/fail|/log|/<exit status>]}: parses the path, finds the token's monitor, holds
 * back a monitor past its rate, reads the body into a bounded message, builds the beat and hands it to the heartbeat
 * writer, then waits until the beat is committed or journaled before it answers {@code 200 OK}. Every other answer
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
    private final RateLimits rates;
    private final BeatKeys keys;
    private final RunPairing pairing;
    private final HeartbeatWriter writer;
    private final ReadDeadlines deadlines;
    private final PushMeters meters;
    private final Clock clock;
    private final LogThrottle unavailableLog;
    private volatile boolean stopping;

    PingHandler(
            PushSettings settings,
            PushTokens tokens,
            RateLimits rates,
            BeatKeys keys,
            RunPairing pairing,
            HeartbeatWriter writer,
            ReadDeadlines deadlines,
            PushMeters meters,
            Clock clock) {
        this.settings = settings;
        this.tokens = tokens;
        this.rates = rates;
        this.keys = keys;
        this.pairing = pairing;
        this.writer = writer;
        this.deadlines = deadlines;
        this.meters = meters;
        this.clock = clock;
        this.unavailableLog = new LogThrottle(clock, Duration.ofSeconds(10), 1);
    }

    /** From now on every ping is answered 503: the process is stopping. */
    void stop() {
        stopping = true;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        long started = System.nanoTime();
        Instant received = BeatKeys.micros(clock.instant());
        Outcome outcome = Outcome.FAILED;
        try {
            outcome = answer(exchange, received);
        } catch (TimedOutException e) {
            outcome = Outcome.TIMEOUT;
            throw e;
        } finally {
            meters.answered(outcome, started);
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
            case PingPath.Ping ping -> stopping ? unavailable(exchange) : accept(exchange, ping, received);
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
        long wait = rates.take(monitorId);
        if (wait > 0) {
            exchange.getResponseHeaders()
                    .set("Retry-After", Long.toString(Math.max(1, TimeUnit.NANOSECONDS.toSeconds(wait + 999_999_999))));
            return reply(exchange, Outcome.RATE_LIMITED, "too many beats for this monitor\n");
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
        PushedBeat beat = beat(exchange, ping, monitorId, received, message);
        var receipt = new Waiting();
        if (writer.nearlyFull() || !writer.offer(HeartbeatRow.of(beat, receipt))) {
            warnUnavailable("the beats waiting for the database fill the queue or the journal");
            return unavailable(exchange);
        }
        Receipt.Outcome settled = await(receipt);
        if (settled == null || !settled.safe()) {
            if (settled == Receipt.Outcome.REJECTED) {
                return reply(exchange, Outcome.FAILED, "failed: the database refused the beat\n");
            }
            warnUnavailable("a beat was neither written nor journaled within "
                    + settings.ackDeadline().toMillis() + " ms");
            return unavailable(exchange);
        }
        switch (ping.kind()) {
            case START -> pairing.started(monitorId, ping.rid(), received);
            case SUCCESS, FAIL -> pairing.finished(monitorId, ping.rid());
            case LOG -> {}
        }
        if (message.cut()) {
            meters.cut.increment();
        }
        return reply(exchange, Outcome.ACCEPTED, OK);
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

    private PushedBeat beat(
            HttpExchange exchange, PingPath.Ping ping, int monitorId, Instant received, MessageBody.Message message) {
        Double duration = ping.kind() == BeatKind.SUCCESS || ping.kind() == BeatKind.FAIL
                ? pairing.durationMs(monitorId, ping.rid(), received)
                : null;
        String errorType = null;
        String errorMessage = null;
        if (ping.kind() == BeatKind.FAIL) {
            errorType = ping.exitStatus() == null ? "FAIL" : "EXIT_STATUS";
            errorMessage =
                    ping.exitStatus() == null ? "the job reported a failure" : "exit status " + ping.exitStatus();
        }
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
        return new PushedBeat(
                monitorId,
                keys.next(monitorId, received),
                received,
                ping.kind(),
                duration,
                errorType,
                errorMessage,
                message.text(),
                details);
    }

    /**
     * Waits for the beat to be safe. After {@code spillAfter} the writer is asked to journal what is pending rather
     * than wait for the database (with a journal, the answer then comes at once; without one, nothing changes).
     */
    private Receipt.Outcome await(Waiting receipt) {
        long deadline = System.nanoTime() + settings.ackDeadline().toNanos();
        try {
            Receipt.Outcome outcome = receipt.await(Math.min(
                    settings.spillAfter().toNanos(), settings.ackDeadline().toNanos()));
            if (outcome != null) {
                return outcome;
            }
            writer.spill();
            return receipt.await(Math.max(0, deadline - System.nanoTime()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
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

    /** A receipt a request thread waits on; the first outcome counts. */
    static final class Waiting implements Receipt {
        private final AtomicReference<Receipt.Outcome> outcome = new AtomicReference<>();
        private final CountDownLatch settled = new CountDownLatch(1);

        @Override
        public void settled(Receipt.Outcome o) {
            if (outcome.compareAndSet(null, o)) {
                settled.countDown();
            }
        }

        /** The outcome, or null when none came within {@code nanos}. */
        Receipt.Outcome await(long nanos) throws InterruptedException {
            settled.await(nanos, TimeUnit.NANOSECONDS);
            return outcome.get();
        }
    }
}
