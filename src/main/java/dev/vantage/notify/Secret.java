package dev.vantage.notify;

import java.util.Objects;

/**
 * A credential from a channel's settings (a token, a password, a URL that carries a token). Settings records hold it
 * in this wrapper so that their {@code toString()} can never show it: only {@link #reveal()} gives the value, at the
 * point where it is put on the wire.
 */
public final class Secret {
    private final String value;

    public Secret(String value) {
        this.value = Objects.requireNonNull(value, "value");
    }

    public String reveal() {
        return value;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Secret other && other.value.equals(value);
    }

    @Override
    public int hashCode() {
        return value.hashCode();
    }

    @Override
    public String toString() {
        return "(secret)";
    }
}
