package dev.vantage.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.vantage.config.ConfigurationException;
import dev.vantage.testing.PostgresExtension;
import dev.vantage.testing.TestDatabase;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@code vantage demo --db URL}: the demo on a PostgreSQL of the user's, as on a platform without embedded binaries. */
@ExtendWith(PostgresExtension.class)
class DemoDbIT {

    @Test
    void theDemoMigratesTheDatabaseGivenAndProbesFromAllThreeDatacentersWithoutAnEmbeddedPostgres(
            @PostgresExtension.Empty TestDatabase db) {
        try (var demo = Demo.start(db.libpqUrl(), null, null)) {
            assertThat(demo.libpqUrl()).isEqualTo(db.libpqUrl());
            await().atMost(Duration.ofSeconds(15))
                    .pollInterval(Duration.ofMillis(250))
                    .until(() -> db.count(
                                    """
                                    SELECT count(DISTINCT h.datacenter_id) FROM api_heartbeats h
                                    JOIN api_monitors m ON m.id = h.monitor_id
                                    WHERE m.name = 'Fast API' AND h.success
                                    """)
                            == 3);
        }
        assertThat(db.count("SELECT count(*) FROM datacenters WHERE code IN ('VA', 'NY', 'LON')"))
                .isEqualTo(3);
    }

    @Test
    void aWrongUrlStopsTheDemoBeforeAnythingStarts() {
        assertThatThrownBy(() -> Demo.start("mysql://localhost/x", null, null))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("DB_CONN_STRING");
    }
}
