package dev.vantage;

/** Root of the exceptions Vantage raises itself; leaves are named for what failed. */
public class VantageException extends RuntimeException {
    public VantageException(String message) {
        super(message);
    }

    public VantageException(String message, Throwable cause) {
        super(message, cause);
    }
}
