package dev.vantage.db;

import dev.vantage.VantageException;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.output.MigrateResult;

/**
 * The Flyway migrations packaged in the jar under {@code db/migration}, and the optional seed data under
 * {@code db/seed}.
 */
public final class Migrations {
    public static final String LOCATION = "classpath:db/migration";
    public static final String SEED_LOCATION = "classpath:db/seed";
    /** The seed's own Flyway history, apart from the schema's. */
    public static final String SEED_HISTORY_TABLE = "vantage_seed_history";

    private Migrations() {}

    private static Flyway flyway(DataSource dataSource) {
        return Flyway.configure()
                .dataSource(dataSource)
                .locations(LOCATION)
                .loggers("slf4j")
                .load();
    }

    public static MigrateResult migrate(DataSource dataSource) {
        return flyway(dataSource).migrate();
    }

    /**
     * Applies the seed data (the nine datacenters of the old deployment and their regions) to a migrated schema.
     *
     * <p>The seed keeps a history table of its own rather than sharing {@code flyway_schema_history}: a seed recorded
     * there would be an applied migration that plain {@code migrate} (and {@link #requireCurrent}) cannot resolve,
     * so validation would fail on every seeded database, and the schema version users read would depend on whether
     * they seeded. Its scripts are repeatable ({@code R__}) migrations written to be idempotent: an edited seed is
     * applied again on the next run, and rows that already exist are left alone. The schema already holds the
     * Vantage tables when this runs, so the seed history starts from a baseline instead of refusing a non-empty
     * schema.
     */
    public static MigrateResult seed(DataSource dataSource) {
        return Flyway.configure()
                .dataSource(dataSource)
                .locations(SEED_LOCATION)
                .table(SEED_HISTORY_TABLE)
                .baselineOnMigrate(true)
                .baselineVersion("0")
                .baselineDescription("before seed")
                .loggers("slf4j")
                .load()
                .migrate();
    }

    /** Refuses to run on a schema older than this build needs, naming both versions and the fix. */
    public static void requireCurrent(DataSource dataSource) {
        var info = flyway(dataSource).info();
        MigrationInfo[] pending = info.pending();
        if (pending.length > 0) {
            MigrationInfo current = info.current();
            String have = current == null ? "empty (no Vantage tables)" : "at version " + current.getVersion();
            String need = pending[pending.length - 1].getVersion().toString();
            throw new SchemaOutdatedException("database schema is " + have + ", this Vantage needs version " + need
                    + ": run 'vantage migrate' first");
        }
    }

    /** The schema is older than the code. */
    public static final class SchemaOutdatedException extends VantageException {
        public SchemaOutdatedException(String message) {
            super(message);
        }
    }
}
