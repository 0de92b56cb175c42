package dev.vantage.notify.alertmanager;

import java.time.Instant;
import java.util.Objects;

/**
 * A rendered alert: everything but what depends on the attempt's time.
 *
 * @param alert one postable alert as JSON, without {@code endsAt}
 * @param endsAt when the incident ended, for a notice that ends it; null for an open incident, whose {@code endsAt}
 *     is set per attempt to the attempt's time plus the channel's {@code resolve_timeout}, so that a retry sent late
 *     still keeps the alert firing that long
 */
public record AlertmanagerMessage(String alert, Instant endsAt) {
    public AlertmanagerMessage {
        Objects.requireNonNull(alert, "alert");
    }
}
