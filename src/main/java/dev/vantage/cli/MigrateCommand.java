package dev.vantage.cli;

import dev.vantage.config.DbConnection;
import dev.vantage.config.Environment;
import dev.vantage.db.Database;
import dev.vantage.db.Migrations;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code vantage migrate}: applies the packaged Flyway migrations. */
@Command(name = "migrate", description = "Apply the database migrations (creates or upgrades the Vantage tables).")
public final class MigrateCommand implements Callable<Integer> {

    @Option(names = "--db", paramLabel = "URL", description = "Database URL (default: DB_CONN_STRING).")
    String db;

    @Override
    public Integer call() {
        var connection =
                DbConnection.parse(Environment.system().require(db, "DB_CONN_STRING", "--db", "the database URL"));
        try (var pool = Database.pool(connection, "vantage-migrate", 2)) {
            var result = Migrations.migrate(pool);
            String version =
                    result.targetSchemaVersion != null ? result.targetSchemaVersion : result.initialSchemaVersion;
            System.out.println(
                    "Schema is at version " + version + " (" + result.migrationsExecuted + " migrations applied)");
        }
        return 0;
    }
}
