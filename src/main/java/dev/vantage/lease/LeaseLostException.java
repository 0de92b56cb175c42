package dev.vantage.lease;

import dev.vantage.VantageException;

/**
 * The lease that fences a transaction is not this replica's (any more), or this replica cannot confirm it: the
 * transaction must roll back and commit nothing.
 */
public final class LeaseLostException extends VantageException {
    public LeaseLostException(String message) {
        super(message);
    }

    public LeaseLostException(String message, Throwable cause) {
        super(message, cause);
    }
}
