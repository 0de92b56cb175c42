package dev.vantage.testing;

import com.zaxxer.hikari.HikariDataSource;
import dev.vantage.config.DbConnection;
import dev.vantage.db.Database;
import org.jdbi.v3.core.Jdbi;

/**
 * A database of its own for one test class (or one test), migrated to the current schema, on the shared embedded
 * PostgreSQL or on a {@link StandalonePostgres}.
 */
public final class TestDatabase implements AutoCloseable {
    private final String name;
    private final String libpqUrl;
    private final DbConnection connection;
    private final HikariDataSource dataSource;
    private final Jdbi jdbi;

    TestDatabase(String name, String libpqUrl) {
        this.name = name;
        this.libpqUrl = libpqUrl;
        this.connection = DbConnection.parse(libpqUrl);
        this.dataSource = Database.pool(connection, "test-" + name, 8);
        this.jdbi = Database.jdbi(dataSource);
    }

    /**
     * A fresh migrated database on the test JVM's embedded PostgreSQL, for a test that needs several in one method
     * (the {@link PostgresExtension} gives one per parameter). The caller closes it.
     */
    public static TestDatabase fresh(String hint) {
        return EmbeddedPostgresServer.newDatabase(hint);
    }

    public String name() {
        return name;
    }

    /** As the agent receives it from DB_CONN_STRING. */
    public DbConnection connection() {
        return connection;
    }

    /** The libpq URL form a user would put in DB_CONN_STRING. */
    public String libpqUrl() {
        return libpqUrl;
    }

    public HikariDataSource dataSource() {
        return dataSource;
    }

    public Jdbi jdbi() {
        return jdbi;
    }

    /** Runs SQL as a user would in psql. */
    public void execute(String sql, Object... args) {
        jdbi.useHandle(h -> h.execute(sql, args));
    }

    public long count(String sql, Object... args) {
        return jdbi.withHandle(h -> {
            var q = h.createQuery(sql);
            for (int i = 0; i < args.length; i++) {
                q.bind(i, args[i]);
            }
            return q.mapTo(Long.class).one();
        });
    }

    /**
     * Closes this database to new sessions and ends the open ones ({@code allow} false), as an outage would, or opens
     * it again; the server keeps running.
     */
    public void setAllowConnections(boolean allow) throws java.sql.SQLException {
        String admin = libpqUrl.replace("/" + name + "?", "/postgres?");
        try (var c = Database.dedicated(DbConnection.parse(admin), "test-admin");
                var s = c.createStatement()) {
            s.execute("ALTER DATABASE " + name + " ALLOW_CONNECTIONS " + allow);
            if (!allow) {
                s.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + name
                        + "' AND pid <> pg_backend_pid()");
            }
        }
    }

    @Override
    public void close() {
        dataSource.close();
    }
}
