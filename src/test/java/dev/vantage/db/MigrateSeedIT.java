package dev.vantage.db;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vantage.Main;
import dev.vantage.testing.PostgresExtension;
import dev.vantage.testing.PostgresExtension.Empty;
import dev.vantage.testing.PostgresExtension.Fresh;
import dev.vantage.testing.TestDatabase;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@code vantage migrate --seed}: the optional seed data, applied through the command as a user runs it. */
@ExtendWith(PostgresExtension.class)
class MigrateSeedIT {
    private static final List<String> CODES = List.of("CHI", "DAM", "LON", "NY", "RDN", "SF", "STO", "SYD", "VA");

    private static int vantage(String... args) {
        return Main.commandLine().execute(args);
    }

    private static List<String> codes(TestDatabase db) {
        return db.jdbi().withHandle(h -> h.createQuery("SELECT code FROM datacenters ORDER BY code")
                .mapTo(String.class)
                .list());
    }

    @Test
    void migrateSeedGivesTheNineDatacentersEachInARegion(@Empty TestDatabase db) {
        assertThat(vantage("migrate", "--db", db.libpqUrl(), "--seed")).isZero();

        assertThat(codes(db)).isEqualTo(CODES);
        assertThat(db.count("SELECT count(*) FROM regions")).isEqualTo(5);
        assertThat(db.count("SELECT count(*) FROM datacenters WHERE region_id IS NULL"))
                .isZero();
        assertThat(db.count("SELECT count(*) FROM datacenters d JOIN regions r ON r.id = d.region_id"
                        + " WHERE d.code = 'SYD' AND r.region_code = 'ap-southeast-2' AND r.group_name = 'Oceania'"))
                .isEqualTo(1);
    }

    @Test
    void seedingTwiceChangesNothingAndPlainMigrateStillAcceptsTheSchema(@Empty TestDatabase db) {
        assertThat(vantage("migrate", "--db", db.libpqUrl(), "--seed")).isZero();
        db.execute("UPDATE datacenters SET name = 'Ashburn' WHERE code = 'VA'");

        assertThat(vantage("migrate", "--db", db.libpqUrl(), "--seed")).isZero();
        assertThat(vantage("migrate", "--db", db.libpqUrl())).isZero();

        assertThat(codes(db)).isEqualTo(CODES);
        assertThat(db.count("SELECT count(*) FROM regions")).isEqualTo(5);
        assertThat(db.count("SELECT count(*) FROM datacenters WHERE code = 'VA' AND name = 'Ashburn'"))
                .as("a user's edit survives a second seed")
                .isEqualTo(1);
        // The schema's own history holds only the versioned migrations: the seed keeps a table of its own.
        assertThat(db.count("SELECT count(*) FROM flyway_schema_history WHERE version IS NULL"))
                .isZero();
        Migrations.requireCurrent(db.dataSource());
    }

    @Test
    void migrateWithoutSeedAddsNoDatacenter(@Empty TestDatabase db) {
        assertThat(vantage("migrate", "--db", db.libpqUrl())).isZero();

        assertThat(db.count("SELECT count(*) FROM datacenters")).isZero();
        assertThat(db.count("SELECT count(*) FROM regions")).isZero();
    }

    @Test
    void aDatacenterTheOldAgentStoredInLowerCaseIsNotDuplicated(@Fresh TestDatabase db) {
        db.execute("INSERT INTO datacenters (code, name) VALUES ('va', 'Virginia (old agent)')");

        assertThat(vantage("migrate", "--db", db.libpqUrl(), "--seed")).isZero();

        assertThat(db.count("SELECT count(*) FROM datacenters")).isEqualTo(9);
        assertThat(db.count("SELECT count(*) FROM datacenters WHERE lower(code) = 'va'"))
                .isEqualTo(1);
        assertThat(db.count("SELECT count(*) FROM datacenters WHERE code = 'va' AND name = 'Virginia (old agent)'"))
                .isEqualTo(1);
    }
}
