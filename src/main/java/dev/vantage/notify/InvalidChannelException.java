package dev.vantage.notify;

/**
 * A {@code notification_channels} row that its notifier cannot use. The message names the field and the reason and
 * never contains a credential (a URL with a token, a password, a routing key), because it is logged.
 */
public final class InvalidChannelException extends Exception {
    private final String field;
    private final String reason;

    public InvalidChannelException(String field, String reason) {
        super(field + ": " + reason);
        this.field = field;
        this.reason = reason;
    }

    /** The column, or {@code settings.<key>} for a notifier's own option. */
    public String field() {
        return field;
    }

    public String reason() {
        return reason;
    }
}
