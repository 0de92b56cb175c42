package dev.vantage.lease;

import dev.vantage.config.ConfigurationException;
import java.util.Locale;

/** What a leader does when it cannot reach the database to confirm its lease (VANTAGE_ON_DB_LOSS, --on-db-loss). */
public enum OnDbLoss {
    /**
     * Fail-open (the default): keep probing under the epoch it holds and keep the results (memory, then the journal)
     * until the database is back. A database outage leaves no hole in the data; during a true partition between this
     * replica and the database, a standby that takes over probes the same targets too, and the writer's fence keeps
     * this replica's late rows out of the slots the new leader covers.
     */
    CONTINUE,
    /** Strict: stop probing as soon as the lease cannot be confirmed. Gaps rather than double probing. */
    STOP;

    public static OnDbLoss parse(String value) {
        try {
            return valueOf(value.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException(
                    "VANTAGE_ON_DB_LOSS (--on-db-loss) must be 'continue' or 'stop', was '" + value + "'");
        }
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
