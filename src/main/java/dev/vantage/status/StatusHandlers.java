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
            Responses.send(exchange, 200, contentType, body.getBytes(StandardCharsets.UTF_8));
        }
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
