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

    int port() {
        return server.getPort();
    }

    /**
     * CPU time (user + system, in clock ticks of 1/100 s) that PostgreSQL's processes have used so far: the
     * postmaster's own and its reaped children's (a backend that has exited, as psql's does), plus every live child's
     * (backends, checkpointer, WAL writer, autovacuum). The difference of two readings is the server's CPU between
     * them. pg_ctl daemonizes the server, so the postmaster is found from postmaster.pid.
     */
    long cpuTicks() throws IOException {
        long postmaster = Long.parseLong(Files.readAllLines(dataDirectory.resolve("postmaster.pid"))
                .getFirst()
                .strip());
        long[] own = stat(postmaster);
        long ticks = own[0] + own[1] + own[2] + own[3];
        for (var child : ProcessHandle.of(postmaster).stream()
                .flatMap(ProcessHandle::children)
                .toList()) {
            long[] c = stat(child.pid());
            ticks += c[0] + c[1];
        }
        return ticks;
    }

    /** utime, stime, cutime, cstime of a process from /proc/<pid>/stat; zeros when it is gone. */
    private static long[] stat(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            // Fields after the command name, which is in parentheses and may hold spaces: state is field 3.
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return new long[] {
                Long.parseLong(f[11]), Long.parseLong(f[12]), Long.parseLong(f[13]), Long.parseLong(f[14])
            };
        } catch (IOException e) {
            return new long[4]; // it exited between listing and reading: its time moved to the parent's cutime
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
