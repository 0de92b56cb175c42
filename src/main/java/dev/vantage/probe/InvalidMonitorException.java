package dev.vantage.probe;

/**
 * A monitor row that its type cannot run. The message names the field and the reason and never contains a header
 * value or other secret, because it is logged and stored in heartbeats.
 */
public final class InvalidMonitorException extends Exception {
    private final String field;
    private final String reason;

    public InvalidMonitorException(String field, String reason) {
        super(field + ": " + reason);
        this.field = field;
        this.reason = reason;
    }

    /** The column, or {@code settings.<key>} for a type's own option. */
    public String field() {
        return field;
    }

    public String reason() {
        return reason;
    }
}
