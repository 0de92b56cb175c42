package dev.vantage.push.nats;

import io.nats.client.Connection;
import io.nats.client.FetchConsumeOptions;
import io.nats.client.JetStreamApiException;
import io.nats.client.Message;
import io.nats.client.api.DeliverPolicy;
import io.nats.client.api.OrderedConsumerConfiguration;
import java.util.function.BiConsumer;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Priming, as the Go monitor's {@code -prime-stream}: the last message per subject of {@code <prefix>>} in a JetStream
 * stream, read once at start through an ordered consumer (ephemeral: nothing is left on the server) within the prime
 * timeout, stopping early once the consumer has nothing pending. A missing stream is a warning, not a failure.
 */
final class StreamPrimer {
    private static final Logger log = LoggerFactory.getLogger(StreamPrimer.class);
    /** The JetStream API's "stream not found". */
    private static final int NO_SUCH_STREAM = 10059;

    private StreamPrimer() {}

    /**
     * @param stopping whether to stop now (the ingest is closing)
     * @param take what to do with each message: its subject and payload
     */
    static void prime(
            Connection c, NatsIngestSettings settings, BooleanSupplier stopping, BiConsumer<String, byte[]> take) {
        int taken = 0;
        try {
            var consumer = c.getStreamContext(settings.primeStream())
                    .createOrderedConsumer(new OrderedConsumerConfiguration()
                            .filterSubject(settings.subscription())
                            .deliverPolicy(DeliverPolicy.LastPerSubject));
            try (var fetch = consumer.fetch(FetchConsumeOptions.builder()
                    .maxMessages(1_000_000)
                    .expiresIn(settings.primeTimeout().toMillis())
                    .build())) {
                Message m;
                while (!stopping.getAsBoolean() && (m = fetch.nextMessage()) != null) {
                    take.accept(m.getSubject(), m.getData());
                    taken++;
                    if (m.metaData().pendingCount() == 0) {
                        break;
                    }
                }
            }
            log.info(
                    "Primed from JetStream stream {}: the last messages of {} subjects, each taken as a beat unless"
                            + " sent more than {} min ago",
                    settings.primeStream(),
                    taken,
                    NatsBeatHandler.KEY_PAST.toMinutes());
        } catch (JetStreamApiException e) {
            log.warn(
                    "Cannot prime from JetStream stream {} ({}); taking live beats only",
                    settings.primeStream(),
                    e.getApiErrorCode() == NO_SUCH_STREAM ? "no such stream" : "error " + e.getApiErrorCode());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            log.warn(
                    "Cannot prime from JetStream stream {} ({}); taking live beats only",
                    settings.primeStream(),
                    e.getClass().getSimpleName());
        }
    }
}
