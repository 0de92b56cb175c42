package dev.vantage.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(120)
class StandalonePostgresIT {

    @Test
    void dataAndUrlsSurviveAStopAndAStartOnTheSameDirectoryAndPort(@TempDir Path dir) throws Exception {
        try (var pg = StandalonePostgres.create(dir.resolve("pg"))) {
            int port = pg.port();
            var db = pg.newDatabase("survives");
            String url = db.connection().jdbcUrl();
            db.execute("INSERT INTO datacenters (code, name) VALUES ('VA', 'Virginia')");
            db.close();

            pg.stop();
            assertThat(pg.isRunning()).isFalse();
            assertThatThrownBy(() -> DriverManager.getConnection(url, "postgres", "postgres"))
                    .isInstanceOf(SQLException.class);

            pg.start();
            assertThat(pg.port()).isEqualTo(port);
            try (var c = DriverManager.getConnection(url, "postgres", "postgres");
                    var s = c.createStatement();
                    var rs = s.executeQuery("SELECT code FROM datacenters")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("VA");
                assertThat(rs.next()).isFalse();
            }
        }
    }

    @Test
    void aStopEndsSessionsAndReleasesTheirAdvisoryLocks(@TempDir Path dir) throws Exception {
        try (var pg = StandalonePostgres.create(dir.resolve("pg"))) {
            var db = pg.newDatabase("locks");
            String url = db.connection().jdbcUrl();
            db.close();
            try (var holder = DriverManager.getConnection(url, "postgres", "postgres");
                    var s = holder.createStatement()) {
                s.execute("SELECT pg_advisory_lock(1, 1)");

                pg.stop();
                pg.start();

                assertThatThrownBy(() -> s.execute("SELECT 1")).isInstanceOf(SQLException.class);
            }
            try (var other = DriverManager.getConnection(url, "postgres", "postgres");
                    var s = other.createStatement();
                    var rs = s.executeQuery("SELECT pg_try_advisory_lock(1, 1)")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getBoolean(1)).isTrue();
            }
        }
    }

    @Test
    void databasesAreCopiesOfTheMigratedTemplateAndIndependent(@TempDir Path dir) {
        try (var pg = StandalonePostgres.create(dir.resolve("pg"));
                var a = pg.newDatabase("a");
                var b = pg.newDatabase("b")) {
            a.execute("INSERT INTO datacenters (code) VALUES ('VA')");

            assertThat(a.name()).isNotEqualTo(b.name());
            assertThat(a.count("SELECT count(*) FROM datacenters")).isEqualTo(1);
            assertThat(b.count("SELECT count(*) FROM datacenters")).isZero();
            assertThat(b.count("SELECT count(*) FROM flyway_schema_history WHERE success"))
                    .isGreaterThanOrEqualTo(2);
        }
    }
}
