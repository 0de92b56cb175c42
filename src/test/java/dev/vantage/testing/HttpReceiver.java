package dev.vantage.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback HTTP receiver for notifications: records every request and answers with a programmable response
 * (queued answers first, then the standing one). Binds 127.0.0.1 on an ephemeral port.
 *
 * <p>{@link #holdAnswers()} makes it a slow receiver: each request is recorded as it arrives and answered only at
 * {@link #releaseAnswers()} (or after {@link #LONGEST_HOLD}), so a test can act while sends are in flight.
 */
public final class HttpReceiver implements AutoCloseable {

    /** One request as received. Header names are lower-case. */
    public record Request(
            Instant receivedAt, String method, String path, Map<String, String> headers, String body, int answered) {
        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    /** An answer: a status, extra headers and a body. */
    public record Answer(int status, Map<String, String> headers, String body) {
        public static Answer status(int status) {
            return new Answer(status, Map.of(), "");
        }

        public Answer withHeader(String name, String value) {
            var h = new TreeMap<>(headers);
            h.put(name, value);
            return new Answer(status, h, body);
        }
    }

    /** Longest a held request waits for {@link #releaseAnswers()}, so that a failed test leaks no handler. */
    public static final Duration LONGEST_HOLD = Duration.ofSeconds(60);

    private final HttpServer server;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final ConcurrentLinkedDeque<Answer> queued = new ConcurrentLinkedDeque<>();
    private volatile Answer standing = Answer.status(200);
    private volatile CountDownLatch hold;
    private final AtomicInteger unanswered = new AtomicInteger();

    private HttpReceiver() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    public static HttpReceiver start() {
        try {
            return new HttpReceiver();
        } catch (IOException e) {
            throw new IllegalStateException("cannot bind a loopback receiver", e);
        }
    }

    /** http://127.0.0.1:port + path. */
    public URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** The answer to every request once the queued ones are used up. */
    public void answer(Answer answer) {
        standing = answer;
    }

    public void answer(int status) {
        answer(Answer.status(status));
    }

    /** Answers the next requests with these, in order, before the standing answer. */
    public void thenAnswer(Answer... answers) {
        queued.addAll(List.of(answers));
    }

    /** From now on, requests are recorded when they arrive but answered only at {@link #releaseAnswers()}. */
    public void holdAnswers() {
        hold = new CountDownLatch(1);
    }

    /** Answers the held requests now, and later ones at once. */
    public void releaseAnswers() {
        CountDownLatch h = hold;
        hold = null;
        if (h != null) {
            h.countDown();
        }
    }

    /** Requests received and not answered yet: sends in flight, from the sender's side. */
    public int unanswered() {
        return unanswered.get();
    }

    /** Every request received, answered or not (held ones too). */
    public List<Request> requests() {
        return List.copyOf(requests);
    }

    /** The requests that were answered with a 2xx. */
    public List<Request> accepted() {
        var ok = new ArrayList<Request>();
        for (Request r : requests) {
            if (r.answered() / 100 == 2) {
                ok.add(r);
            }
        }
        return ok;
    }

    private void handle(HttpExchange exchange) throws IOException {
        unanswered.incrementAndGet();
        try (exchange) {
            byte[] body = exchange.getRequestBody().readAllBytes();
            var headers = new TreeMap<String, String>();
            exchange.getRequestHeaders()
                    .forEach((name, values) -> headers.put(name.toLowerCase(Locale.ROOT), String.join(",", values)));
            Answer answer = queued.pollFirst();
            if (answer == null) {
                answer = standing;
            }
            requests.add(new Request(
                    Instant.now(),
                    exchange.getRequestMethod(),
                    exchange.getRequestURI().toString(),
                    Map.copyOf(headers),
                    new String(body, StandardCharsets.UTF_8),
                    answer.status()));
            awaitRelease();
            answer.headers().forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
            byte[] out = answer.body().getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(answer.status(), out.length == 0 ? -1 : out.length);
            if (out.length > 0) {
                exchange.getResponseBody().write(out);
            }
        } finally {
            unanswered.decrementAndGet();
        }
    }

    private void awaitRelease() {
        CountDownLatch h = hold;
        if (h == null) {
            return;
        }
        try {
            h.await(LONGEST_HOLD.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        releaseAnswers();
        server.stop(0);
        executor.shutdownNow();
    }
}
