package dev.vantage.testing;

import dev.vantage.config.DbConnection;
import dev.vantage.db.Database;
import dev.vantage.db.Migrations;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An embedded PostgreSQL 17 of a test's own that, unlike the shared per-JVM server of {@link PostgresExtension}, may
 * be stopped and started again: on the same data directory and the same port, so that a URL handed to an agent before
 * a {@link #stop()} is valid again after the {@link #start()}, as it is when a real server restarts.
 *
 * <p>zonky's {@link EmbeddedPostgres} runs {@code initdb} only when the data directory has no {@code postgresql.conf}
 * (or when told to clean it), so a restart is a new {@code EmbeddedPostgres} on the same directory and port; its
 * {@code close()} is {@code pg_ctl stop -m fast}, which ends every session with an error to the client, the way an
 * administrator's restart does. A template database is migrated once; {@link #newDatabase} copies it, so that tests
 * sharing one server still get databases (and advisory-lock namespaces) of their own. The port is chosen below the
 * ephemeral range ({@link ServerPorts}), so that no other socket takes it while the server is down.
 */
public final class StandalonePostgres implements AutoCloseable {
    private static final String TEMPLATE = "vantage_template";

    private final Path dataDirectory;
    private final int port;
    private final AtomicInteger sequence = new AtomicInteger();
    private EmbeddedPostgres server; // null while stopped

    private StandalonePostgres(Path dataDirectory, int port) {
        this.dataDirectory = dataDirectory;
        this.port = port;
    }

    /** Runs initdb in {@code dataDirectory} (which must be empty or absent), starts the server and migrates. */
    public static StandalonePostgres create(Path dataDirectory) {
        var pg = new StandalonePostgres(dataDirectory, ServerPorts.next());
        pg.start();
        try {
            pg.createTemplate();
        } catch (RuntimeException e) {
            pg.stop();
            throw e;
        }
        return pg;
    }

    private void createTemplate() {
        try (var c = server.getPostgresDatabase().getConnection();
                var s = c.createStatement()) {
            s.execute("CREATE DATABASE " + TEMPLATE);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create the template database", e);
        }
        try (var pool = Database.pool(DbConnection.parse(libpqUrl(TEMPLATE)), "standalone-migrate", 2)) {
            Migrations.migrate(pool);
        }
    }

    /** Starts the server on its data directory and port; does nothing when it is running. */
    public synchronized void start() {
        if (server != null) {
            return;
        }
        try {
            server = EmbeddedPostgres.builder()
                    .setDataDirectory(dataDirectory)
                    .setCleanDataDirectory(false)
                    .setPort(port)
                    .setPGStartupWait(Duration.ofSeconds(60))
                    .setServerConfig("listen_addresses", "127.0.0.1")
                    .setServerConfig("max_connections", "200")
                    .setServerConfig("fsync", "off")
                    .setServerConfig("synchronous_commit", "off")
                    .setServerConfig("full_page_writes", "off")
                    .setOutputRedirector(ProcessBuilder.Redirect.appendTo(dataDirectory
                            .resolveSibling(dataDirectory.getFileName() + ".log")
                            .toFile()))
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start PostgreSQL in " + dataDirectory + " on port " + port, e);
        }
    }

    /**
     * Stops the server ({@code pg_ctl stop -m fast}: sessions are terminated, their locks released) and checks that the
     * port refuses connections; does nothing when it is stopped.
     */
    public synchronized void stop() {
        if (server == null) {
            return;
        }
        try {
            server.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            server = null;
        }
        if (accepts()) {
            throw new IllegalStateException("PostgreSQL still accepts connections on port " + port + " after stop");
        }
    }

    public synchronized boolean isRunning() {
        return server != null;
    }

    public int port() {
        return port;
    }

    public Path dataDirectory() {
        return dataDirectory;
    }

    /** A new database, a copy of the migrated template, with a pool of its own (close it). */
    public synchronized TestDatabase newDatabase(String hint) {
        if (server == null) {
            throw new IllegalStateException("PostgreSQL is stopped");
        }
        String name = ("s_" + hint.replaceAll("[^A-Za-z0-9]", "_") + "_" + sequence.incrementAndGet()).toLowerCase();
        if (name.length() > 60) {
            name = name.substring(name.length() - 60);
        }
        try (var c = server.getPostgresDatabase().getConnection();
                var s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name + " TEMPLATE " + TEMPLATE);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create database " + name, e);
        }
        return new TestDatabase(name, libpqUrl(name));
    }

    /** The libpq URL of a database on this server, as DB_CONN_STRING takes it. */
    public String libpqUrl(String database) {
        return libpqUrl(database, port);
    }

    /** The same URL with another port: a {@link TcpProxy} in front of this server. */
    public static String libpqUrl(String database, int port) {
        return "postgres://postgres:postgres@127.0.0.1:" + port + "/" + database + "?sslmode=disable";
    }

    private boolean accepts() {
        try (var socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1_000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public void close() {
        stop();
    }
}
