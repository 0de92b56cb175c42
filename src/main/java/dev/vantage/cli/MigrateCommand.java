package dev.vantage.cli;

import dev.vantage.config.DbConnection;
import dev.vantage.config.Environment;
import dev.vantage.db.Database;
import dev.vantage.db.Migrations;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code vantage migrate}: applies the packaged Flyway migrations, and with {@code --seed} the optional seed data. */
@Command(
        name = "migrate",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Apply the database migrations (creates or upgrades the Vantage tables).",
        footerHeading = "%nExamples:%n",
        footer = {
            "  vantage migrate --db postgres://vantage:secret@127.0.0.1/vantage",
            "  export DB_CONN_STRING=postgres://vantage:secret@127.0.0.1/vantage",
            "  vantage migrate --seed"
        })
public final class MigrateCommand implements Callable<Integer> {

    @Option(names = "--db", paramLabel = "URL", description = "Database URL (default: DB_CONN_STRING).")
    String db;

    @Option(
            names = "--seed",
            description = "Then add the nine datacenters of the old deployment (VA, NY, RDN, CHI, SF, LON, DAM, STO,"
                    + " SYD) and their regions, leaving existing rows alone; safe to run again.")
    boolean seed;

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
            if (seed) {
                var seeded = Migrations.seed(pool);
                System.out.println("Seed data is in place (" + seeded.migrationsExecuted + " seed scripts applied)");
            }
        }
        return 0;
    }
}
