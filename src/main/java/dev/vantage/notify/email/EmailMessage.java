package dev.vantage.notify.email;

import java.util.Objects;

/** A rendered email: a one-line subject and a plain-text body. */
public record EmailMessage(String subject, String body) {
    public EmailMessage {
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(body, "body");
    }
}
