package dev.vantage.db;

import dev.vantage.VantageException;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.output.MigrateResult;

/** The Flyway migrations packaged in the jar under {@code db/migration}. */
public final class Migrations {
    public static final String LOCATION = "classpath:db/migration";

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
