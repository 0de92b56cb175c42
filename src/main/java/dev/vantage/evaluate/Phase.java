package dev.vantage.evaluate;

import java.util.Locale;

/**
 * A phase of a probe that can have its own warning threshold ({@code phase_thresholds.phase}), in the order a request
 * goes through them. Its ordinal indexes {@link Observation#phaseMs(int)} and the threshold array of a datacenter.
 */
public enum Phase {
    DNS_LOOKUP("DNS"),
    TCP_CONNECT("TCP connect"),
    TLS_HANDSHAKE("TLS handshake"),
    TIME_TO_FIRST_BYTE("first byte");

    private static final Phase[] ALL = values();

    private final String label;

    Phase(String label) {
        this.label = label;
    }

    /** The {@code api_heartbeats} column and {@code phase_thresholds.phase} value: {@code dns_lookup_ms}. */
    public String column() {
        return name().toLowerCase(Locale.ROOT) + "_ms";
    }

    /** How people call it: {@code DNS}, {@code first byte}. */
    public String label() {
        return label;
    }

    static Phase of(int ordinal) {
        return ALL[ordinal];
    }

    /** The phase of a {@code phase_thresholds.phase} value; the error names the value and the ones allowed. */
    public static Phase fromColumn(String column) {
        for (Phase p : ALL) {
            if (p.column().equals(column)) {
                return p;
            }
        }
        throw new IllegalArgumentException("unknown phase '" + column
                + "': expected dns_lookup_ms, tcp_connect_ms, tls_handshake_ms or time_to_first_byte_ms");
    }
}
