package dev.vantage.notify.http;

import java.util.Objects;

/**
 * A request body as rendered: its media type and exact text.
 *
 * @param contentType e.g. {@code application/json}
 * @param body the bytes to send, as text (UTF-8 on the wire)
 */
public record HttpMessage(String contentType, String body) {
    public static final String JSON = "application/json";
    public static final String FORM = "application/x-www-form-urlencoded";

    public HttpMessage {
        Objects.requireNonNull(contentType, "contentType");
        Objects.requireNonNull(body, "body");
    }

    public static HttpMessage json(String body) {
        return new HttpMessage(JSON, body);
    }
}
