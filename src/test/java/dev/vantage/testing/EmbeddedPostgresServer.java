package dev.vantage.testing;

import dev.vantage.config.DbConnection;
import dev.vantage.db.Migrations;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One real PostgreSQL 17 per test JVM, started on first use. A template database is migrated once; every test class
 * gets a fresh copy of it (CREATE DATABASE ... TEMPLATE), so tests are independent and can run in parallel. Test JVMs
 * running side by side (failsafe forks) each start their own, in a data directory of zonky's own and on a port of
 * {@link ServerPorts}: zonky's default, a port the kernel handed out and that was closed again before the server
 * started, could be taken meanwhile by a socket of the other JVM.
 */
final class EmbeddedPostgresServer {
    private static final String TEMPLATE = "vantage_template";
    private static final AtomicInteger SEQUENCE = new AtomicInteger();
    private static EmbeddedPostgres server;

    private EmbeddedPostgresServer() {}

    static synchronized EmbeddedPostgres server() {
        if (server == null) {
            try {
                server = EmbeddedPostgres.builder()
                        .setPort(ServerPorts.next())
                        .setServerConfig("max_connections", "300")
                        .setServerConfig("fsync", "off")
                        .setServerConfig("synchronous_commit", "off")
                        .setServerConfig("full_page_writes", "off")
                        .start();
                try (var c = server.getPostgresDatabase().getConnection();
                        var s = c.createStatement()) {
                    s.execute("CREATE DATABASE " + TEMPLATE);
                }
                var template = Database(TEMPLATE);
                try (var ds = dev.vantage.db.Database.pool(template, "template", 2)) {
                    Migrations.migrate(ds);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (SQLException e) {
                throw new IllegalStateException("cannot prepare the template database", e);
            }
        }
        return server;
    }

    static synchronized TestDatabase newDatabase(String hint) {
        var pg = server();
        String name = ("t_" + hint.replaceAll("[^A-Za-z0-9]", "_") + "_" + SEQUENCE.incrementAndGet()).toLowerCase();
        if (name.length() > 60) {
            name = name.substring(name.length() - 60);
        }
        try (var c = pg.getPostgresDatabase().getConnection();
                var s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name + " TEMPLATE " + TEMPLATE);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create test database " + name, e);
        }
        return new TestDatabase(name, libpqUrl(name));
    }

    /** An empty database (no migrations), for migration tests. */
    static synchronized TestDatabase newEmptyDatabase(String hint) {
        var pg = server();
        String name = ("e_" + hint.replaceAll("[^A-Za-z0-9]", "_") + "_" + SEQUENCE.incrementAndGet()).toLowerCase();
        try (var c = pg.getPostgresDatabase().getConnection();
                var s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create test database " + name, e);
        }
        return new TestDatabase(name, libpqUrl(name));
    }

    static String libpqUrl(String database) {
        return "postgres://postgres:postgres@127.0.0.1:" + server().getPort() + "/" + database + "?sslmode=disable";
    }

    @SuppressWarnings("checkstyle:MethodName")
    private static DbConnection Database(String database) {
        return DbConnection.parse(libpqUrl(database));
    }
}
