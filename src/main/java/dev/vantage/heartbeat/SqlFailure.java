package dev.vantage.heartbeat;

import java.sql.SQLException;

/** What a failed batch means for the writer, decided from the SQLState. */
enum SqlFailure {
    /** The database is away, overloaded, shutting down, or the schema is not there yet: keep the batch, retry. */
    UNAVAILABLE,
    /**
     * 23514, which on api_heartbeats (no CHECK constraints) means no partition holds the row: create the partitions
     * of the batch's days and retry.
     */
    MISSING_PARTITION,
    /** The database refused a value (classes 22 data exception, 23 integrity, 54 program limit): isolate the row. */
    DATA;

    static SqlFailure of(SQLException e) {
        String state = e.getSQLState();
        if (state == null || state.length() != 5) {
            return UNAVAILABLE;
        }
        if (state.equals("23514")) {
            return MISSING_PARTITION;
        }
        return switch (state.substring(0, 2)) {
            case "22", "23", "54" -> DATA;
            default -> UNAVAILABLE;
        };
    }
}
