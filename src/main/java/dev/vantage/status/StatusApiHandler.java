package dev.vantage.status;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.util.Objects;

/**
 * {@code GET /api/status}: the report as JSON, the same document {@code vantage status --json} prints, at most {@link
 * CachedStatus#MAX_AGE} old.
 */
public final class StatusApiHandler implements HttpHandler {
    private final CachedStatus status;

    public StatusApiHandler(CachedStatus status) {
        this.status = Objects.requireNonNull(status, "status");
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        StatusHandlers.serve(exchange, status, "application/json; charset=utf-8", r -> StatusJson.render(r) + "\n");
    }
}
