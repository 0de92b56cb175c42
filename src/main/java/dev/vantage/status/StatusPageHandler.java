package dev.vantage.status;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.vantage.web.WebServer.Responses;
import java.io.IOException;
import java.util.Objects;

/**
 * {@code GET /}: the {@link StatusPage}. Mounted on the context {@code /}, which also receives every path no other
 * context claims: those get 404, not the page.
 */
public final class StatusPageHandler implements HttpHandler {
    private final CachedStatus status;

    public StatusPageHandler(CachedStatus status) {
        this.status = Objects.requireNonNull(status, "status");
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        if (!path.equals("/") && !path.equals("/index.html")) {
            try (exchange) {
                Responses.text(exchange, 404, "not found\n");
            }
            return;
        }
        StatusHandlers.serve(exchange, status, "text/html; charset=utf-8", StatusPage::render);
    }
}
