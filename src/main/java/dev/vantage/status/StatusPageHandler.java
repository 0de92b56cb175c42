package dev.vantage.status;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.time.Clock;
import org.jdbi.v3.core.Jdbi;

/**
 * {@code GET /}: the {@link StatusPage}. Mounted on the context {@code /}, which also receives every path no other
 * context claims: those get 404, not the page.
 */
public final class StatusPageHandler implements HttpHandler {
    private final CachedStatus status;

    public StatusPageHandler(Jdbi jdbi, Clock clock) {
        this.status = new CachedStatus(jdbi, clock);
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        if (!path.equals("/") && !path.equals("/index.html")) {
            try (exchange) {
                exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
                byte[] body = "not found\n".getBytes(java.nio.charset.StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(404, body.length);
                exchange.getResponseBody().write(body);
            }
            return;
        }
        StatusHandlers.serve(exchange, status, "text/html; charset=utf-8", StatusPage::render);
    }
}
