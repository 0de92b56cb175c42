package dev.vantage.status;

import com.sun.net.httpserver.HttpExchange;
import dev.vantage.web.WebServer.Responses;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What the status page and the status API share: method check, headers, the answer when the database is away. */
final class StatusHandlers {
    private static final Logger log = LoggerFactory.getLogger(StatusHandlers.class);

    /**
     * Bodies from this size on go gzip-compressed to a client that accepts it: a page's bars repeat the same few tags
     * thousands of times (a thousand monitors' page is 10 MB as text, 0.7 MB compressed).
     */
    static final int GZIP_FROM_BYTES = 8_192;

    private StatusHandlers() {}

    /**
     * Answers GET and HEAD with {@code render(report)}; 405 for any other method, 503 when the report cannot be read
     * (logged without the cause's details, which the page must not show either).
     */
    static void serve(
            HttpExchange exchange, CachedStatus status, String contentType, Function<StatusReport, String> render)
            throws IOException {
        try (exchange) {
            var headers = exchange.getResponseHeaders();
            headers.set("X-Content-Type-Options", "nosniff");
            String method = exchange.getRequestMethod();
            if (!method.equals("GET") && !method.equals("HEAD")) {
                headers.set("Allow", "GET, HEAD");
                Responses.text(exchange, 405, "method not allowed: use GET\n");
                return;
            }
            String body;
            try {
                body = render.apply(status.get());
            } catch (RuntimeException e) {
                log.warn("Status unavailable: cannot read the database ({})", cause(e));
                Responses.text(exchange, 503, "status unavailable: cannot read the database\n");
                return;
            }
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            headers.set("Vary", "Accept-Encoding");
            if (bytes.length >= GZIP_FROM_BYTES
                    && acceptsGzip(exchange.getRequestHeaders().get("Accept-Encoding"))) {
                headers.set("Content-Encoding", "gzip");
                bytes = gzip(bytes);
            }
            Responses.send(exchange, 200, contentType, bytes);
        }
    }

    /**
     * Whether an {@code Accept-Encoding} (its header lines; null when absent) takes gzip: a {@code gzip} or {@code *}
     * token whose quality is not 0.
     */
    static boolean acceptsGzip(java.util.List<String> acceptEncoding) {
        if (acceptEncoding == null) {
            return false;
        }
        for (String line : acceptEncoding) {
            for (String item : line.split(",")) {
                String[] parts = item.split(";");
                String coding = parts[0].strip().toLowerCase(java.util.Locale.ROOT);
                if (!coding.equals("gzip") && !coding.equals("*")) {
                    continue;
                }
                boolean refused = false;
                for (int i = 1; i < parts.length; i++) {
                    String p =
                            parts[i].strip().toLowerCase(java.util.Locale.ROOT).replace(" ", "");
                    refused |= p.matches("q=0(\\.0*)?");
                }
                if (!refused) {
                    return true;
                }
            }
        }
        return false;
    }

    private static byte[] gzip(byte[] bytes) throws IOException {
        var out = new java.io.ByteArrayOutputStream(bytes.length / 8 + 64);
        try (var z = new java.util.zip.GZIPOutputStream(out)) {
            z.write(bytes);
        }
        return out.toByteArray();
    }

    /** The exception's type and, for a database error, its SQLSTATE (42501: a role without the grants). */
    private static String cause(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.sql.SQLException sql && sql.getSQLState() != null) {
                return t.getClass().getSimpleName() + ", SQLSTATE " + sql.getSQLState();
            }
        }
        return e.getClass().getSimpleName();
    }
}
