package dev.vantage.notify;

import java.util.Locale;

/** What a notification announces; stored lower-case in {@code notifications.event}. */
public enum Event {
    /** A monitor incident became global: a quorum of datacenters is DOWN. */
    FIRING,
    /** The incident is still open after the channel's {@code repeat_every}. */
    REMINDER,
    /** The incident ended. */
    RESOLVED,
    /** The monitor changes state too often; notifications are held until it settles. */
    FLAPPING,
    /** A datacenter has no live leader agent: its monitors go unprobed. */
    LOST,
    /** A lost datacenter has a live leader again. */
    FOUND,
    /** A monitor's certificate expires within its {@code cert_expiry_warning_days}: sent once per certificate. */
    CERTIFICATE,
    /** The certificate warned about is no longer served within the warning window (renewed, or no longer checked). */
    RENEWED,
    /** A datacenter stayed DEGRADED (slow) for the monitor's {@code notify_degraded_after} slots: sent once. */
    DEGRADED,
    /** No datacenter of the monitor is slow any more (nor DOWN). */
    RECOVERED;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Event fromWire(String name) {
        return valueOf(name.toUpperCase(Locale.ROOT));
    }

    /** Whether the incident is over after this notice (receivers that track alerts close theirs). */
    public boolean closes() {
        return this == RESOLVED || this == FOUND || this == RENEWED || this == RECOVERED;
    }
}
