package dev.vantage.beat;

/**
 * Sends beats over one transport to one destination: the ping URL (HTTP), a NATS subject, or a Redis stream. One
 * implementation per transport, chosen by the URL's scheme in {@link BeatSenders}.
 *
 * <p>A sender renders a beat in its transport's wire format (a pure function, tested against exact output, apart from
 * the sending) and makes one attempt per {@link #send} call: retries, backoff and the overall deadline belong to
 * {@link Delivery}. An attempt never throws; what went wrong is in the {@link Outcome}, whose detail names the server
 * as {@link #where()} does and never holds a token, a password or the server's own words about them.
 */
public interface BeatSender extends AutoCloseable {
    /**
     * Where beats go, fit to print: no user info, the ping token replaced by {@code <token>}; with the subject for
     * NATS and the stream for Redis.
     */
    String where();

    /** One attempt, finished or abandoned by {@code deadline}. The beat's time stamp is taken now. */
    Outcome send(Beat beat, Deadline deadline);

    /** Releases what the sender holds (connections, threads). */
    @Override
    default void close() {}
}
