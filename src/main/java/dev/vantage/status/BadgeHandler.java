package dev.vantage.status;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.vantage.web.WebServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /badge/<id or slug>/status.svg} and {@code GET /badge/<id or slug>/uptime.svg?window=24h|7d|30d}: a
 * {@link BadgeSvg} of a monitor whose {@code public} flag is set, to anyone, without the server's credentials. Every
 * other monitor, and every key that names none, gets the same 404 as any unknown path, so that ids cannot be probed.
 *
 * <p>A badge in a popular README is fetched by every reader's browser (or by GitHub's image proxy): answers, 404s
 * included, are kept in a bounded in-process cache for {@link #TTL} and sent with {@code Cache-Control: max-age} and an
 * {@code ETag}, so that the database sees at most one query per badge and TTL whatever the traffic.
 */
public final class BadgeHandler implements HttpHandler {
    private static final Logger log = LoggerFactory.getLogger(BadgeHandler.class);
    /** How long an answer is reused. */
    public static final Duration TTL = Duration.ofSeconds(30);
    /** Answers kept at most; the least recently used goes first. */
    static final int MAX_ENTRIES = 1_000;

    static final String PREFIX = "/badge/";
    private static final String SVG = "image/svg+xml; charset=utf-8";
    private static final Map<String, Duration> WINDOWS =
            Map.of("24h", Duration.ofHours(24), "7d", Duration.ofDays(7), "30d", Duration.ofDays(30));

    /** A cached answer: an SVG, or {@code svg == null} for a 404. */
    private record Answer(byte[] svg, String etag, Instant loadedAt) {}

    private final BadgeQuery query;
    private final Clock clock;
    private final Duration ttl;
    private final Map<String, Answer> cache = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Answer> eldest) {
            return size() > MAX_ENTRIES;
        }
    };
    /** Loads in progress, by cache key. */
    private final ConcurrentHashMap<String, CompletableFuture<Answer>> loading = new ConcurrentHashMap<>();

    public BadgeHandler(Jdbi jdbi, Clock clock, Duration ttl) {
        this.query = new BadgeQuery(Objects.requireNonNull(jdbi, "jdbi"));
        this.clock = Objects.requireNonNull(clock, "clock");
        if (ttl.isNegative()) {
            throw new IllegalArgumentException("ttl must not be negative, was " + ttl);
        }
        this.ttl = ttl;
    }

    /** Mounts the badges on {@code web}, open to anyone (they authenticate nothing: only public monitors answer). */
    public static void mount(WebServer web, Jdbi jdbi, Clock clock) {
        web.routeOpenPrefix(PREFIX, Set.of("GET", "HEAD"), new BadgeHandler(jdbi, clock, TTL));
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            exchange.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
            String[] parts = exchange.getRequestURI()
                    .getPath()
                    .substring(PREFIX.length())
                    .split("/", -1);
            if (parts.length != 2 || !(parts[1].equals("status.svg") || parts[1].equals("uptime.svg"))) {
                WebServer.Responses.text(exchange, 404, WebServer.NOT_FOUND);
                return;
            }
            boolean uptime = parts[1].equals("uptime.svg");
            String window = uptime ? parameter(exchange.getRequestURI().getRawQuery(), "window") : null;
            if (uptime && window == null) {
                window = "24h";
            }
            if (uptime && !WINDOWS.containsKey(window)) {
                WebServer.Responses.text(
                        exchange,
                        400,
                        "window: expected 24h, 7d or 30d, was '" + dev.vantage.probe.TargetText.cut(window, 32)
                                + "'\n");
                return;
            }
            Answer answer;
            try {
                answer = answer(parts[0], window);
            } catch (RuntimeException e) {
                log.warn(
                        "Badge unavailable: cannot read the database ({})",
                        e.getClass().getSimpleName());
                WebServer.Responses.text(exchange, 503, "badge unavailable: cannot read the database\n");
                return;
            }
            if (answer.svg() == null) {
                WebServer.Responses.text(exchange, 404, WebServer.NOT_FOUND);
                return;
            }
            send(exchange, answer);
        }
    }

    private void send(HttpExchange exchange, Answer answer) throws IOException {
        var headers = exchange.getResponseHeaders();
        long age =
                Math.max(0, Duration.between(answer.loadedAt(), clock.instant()).toSeconds());
        headers.set("Cache-Control", "public, max-age=" + Math.max(0, ttl.toSeconds() - age));
        headers.set("ETag", answer.etag());
        if (answer.etag().equals(exchange.getRequestHeaders().getFirst("If-None-Match"))) {
            exchange.sendResponseHeaders(304, -1);
            return;
        }
        headers.set("Content-Type", SVG);
        if ("HEAD".equals(exchange.getRequestMethod())) {
            exchange.sendResponseHeaders(200, -1);
            return;
        }
        exchange.sendResponseHeaders(200, answer.svg().length);
        exchange.getResponseBody().write(answer.svg());
    }

    /**
     * The cached answer for a badge, else a fresh one. Callers asking for a badge while it loads wait for that load and
     * share it rather than piling queries on the database; a badge that waits on the database holds up no other badge
     * (the cache's lock is never held across a query).
     */
    private Answer answer(String key, String window) {
        String cacheKey = key + "/" + (window == null ? "status" : window);
        Instant now = clock.instant();
        Answer cached;
        synchronized (cache) {
            cached = cache.get(cacheKey);
        }
        if (cached != null && !cached.loadedAt().plus(ttl).isBefore(now) && !now.isBefore(cached.loadedAt())) {
            return cached;
        }
        var mine = new CompletableFuture<Answer>();
        var running = loading.putIfAbsent(cacheKey, mine);
        if (running != null) {
            try {
                return running.join();
            } catch (CompletionException e) {
                throw e.getCause() instanceof RuntimeException cause ? cause : e;
            }
        }
        try {
            Answer answer = load(key, window, now);
            synchronized (cache) {
                cache.put(cacheKey, answer);
            }
            mine.complete(answer);
            return answer;
        } catch (RuntimeException | Error e) {
            mine.completeExceptionally(e);
            throw e;
        } finally {
            loading.remove(cacheKey, mine);
        }
    }

    private Answer load(String key, String window, Instant now) {
        var found = query.find(key);
        byte[] svg = null;
        if (found.isPresent()) {
            var m = found.get();
            String text = window == null
                    ? BadgeSvg.render(m.name(), BadgeSvg.state(m.state(), m.enabled()))
                    : BadgeSvg.render(
                            "uptime " + window, BadgeSvg.uptime(query.uptime(m.id(), now, WINDOWS.get(window))));
            svg = text.getBytes(StandardCharsets.UTF_8);
        }
        return new Answer(svg, svg == null ? "" : etag(svg), now);
    }

    /** The value of {@code name} in a raw query string (the first one), decoded; null when absent. */
    static String parameter(String rawQuery, String name) {
        if (rawQuery == null) {
            return null;
        }
        for (String pair : rawQuery.split("&")) {
            int eq = pair.indexOf('=');
            String k = eq < 0 ? pair : pair.substring(0, eq);
            if (k.equals(name)) {
                String value = eq < 0 ? "" : pair.substring(eq + 1);
                try {
                    return java.net.URLDecoder.decode(value, StandardCharsets.UTF_8);
                } catch (IllegalArgumentException e) {
                    return value; // a broken escape: the value as sent, which no window matches
                }
            }
        }
        return null;
    }

    private static String etag(byte[] svg) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(svg);
            return "\"" + HexFormat.of().formatHex(d, 0, 12) + "\"";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
