package dev.vantage.bench;

import dev.vantage.config.DbConnection;
import dev.vantage.db.Database;
import dev.vantage.db.Migrations;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.Map;

/**
 * The benchmarks' database: an embedded PostgreSQL 17 on 127.0.0.1 in a temporary directory (removed at close), with
 * default durability, a {@code vantage} database and the migrations applied.
 */
final class BenchPostgres implements AutoCloseable {
    private final EmbeddedPostgres server;
    private final Path dataDirectory;
    private final String url;
    private final DbConnection connection;

    private BenchPostgres(EmbeddedPostgres server, Path dataDirectory) {
        this.server = server;
        this.dataDirectory = dataDirectory;
        this.url = "postgres://postgres:postgres@127.0.0.1:" + server.getPort() + "/vantage?sslmode=disable";
        this.connection = DbConnection.parse(url);
    }

    /** The database as DB_CONN_STRING gives it to an agent process. */
    String url() {
        return url;
    }

    /** Starts it with extra server settings (e.g. {@code shared_buffers}) and migrates. */
    static BenchPostgres start(Map<String, String> serverConfig) throws IOException, SQLException {
        Path data = Files.createTempDirectory("vantage-bench-pg");
        var builder = EmbeddedPostgres.builder()
                .setDataDirectory(data)
                .setCleanDataDirectory(true)
                .setServerConfig("listen_addresses", "127.0.0.1");
        serverConfig.forEach(builder::setServerConfig);
        var server = builder.start();
        try (var c = server.getPostgresDatabase().getConnection();
                var s = c.createStatement()) {
            s.execute("CREATE DATABASE vantage");
        }
        var pg = new BenchPostgres(server, data);
        try (var pool = Database.pool(pg.connection, "bench-migrate", 2)) {
            Migrations.migrate(pool);
        }
        return pg;
    }

    DbConnection connection() {
        return connection;
    }

    Path dataDirectory() {
        return dataDirectory;
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
