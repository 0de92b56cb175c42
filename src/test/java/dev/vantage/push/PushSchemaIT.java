package dev.vantage.push;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vantage.store.ConfigDao;
import dev.vantage.store.MonitorRow;
import dev.vantage.testing.PostgresExtension;
import dev.vantage.testing.TestDatabase;
import java.util.Base64;
import java.util.HashSet;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Version 7 of the schema: push tokens made, kept, checked and rotated by the database; beat kinds checked. */
@ExtendWith(PostgresExtension.class)
class PushSchemaIT {
    private final TestDatabase db;
    private long schedule;

    PushSchemaIT(TestDatabase db) {
        this.db = db;
    }

    @BeforeEach
    void schedule() {
        schedule = db.count("INSERT INTO schedules (name, interval) VALUES ('daily', 86400) RETURNING id");
    }

    private long insert(String name, String type) {
        return db.count(
                "INSERT INTO api_monitors (name, type, schedule_id) VALUES (?, ?, ?) RETURNING id",
                name,
                type,
                schedule);
    }

    private String token(long id) {
        return db.jdbi().withHandle(h -> h.createQuery("SELECT push_token FROM api_monitors WHERE id = ?")
                .bind(0, id)
                .mapTo(String.class)
                .one());
    }

    @Test
    void aPushMonitorGetsARandomUrlSafeTokenOfAtLeast128Bits() {
        var tokens = new HashSet<String>();
        for (int i = 0; i < 50; i++) {
            String token = token(insert("job " + i, "push"));
            assertThat(token).matches("[A-Za-z0-9_-]{43}");
            assertThat(Base64.getUrlDecoder().decode(token)).hasSize(32);
            tokens.add(token);
        }
        assertThat(tokens).hasSize(50);
    }

    @ParameterizedTest
    @ValueSource(strings = {"PUSH", "Push", " push "})
    void theTypeIsCaseInsensitiveAsForTheOtherTypes(String type) {
        assertThat(token(insert("cased " + type, type))).hasSize(43);
    }

    @Test
    void aProbedMonitorGetsNoToken() {
        assertThat(token(insert("probed", "http"))).isNull();
    }

    @Test
    void aChosenTokenIsKeptAndSettingItToNullRotatesIt() {
        String chosen = "my-own-token_0123456789abcdef";
        long id = db.count(
                "INSERT INTO api_monitors (name, type, schedule_id, push_token) VALUES ('chosen', 'push', ?, ?)"
                        + " RETURNING id",
                schedule,
                chosen);
        assertThat(token(id)).isEqualTo(chosen);

        db.execute("UPDATE api_monitors SET name = 'renamed' WHERE id = ?", id);
        assertThat(token(id)).as("other updates keep it").isEqualTo(chosen);

        db.execute("UPDATE api_monitors SET push_token = NULL WHERE id = ?", id);
        String rotated = token(id);
        assertThat(rotated).hasSize(43).isNotEqualTo(chosen);
    }

    @Test
    void aMonitorTurnedIntoAPushMonitorGetsAToken() {
        long id = insert("converted", "http");
        db.execute("UPDATE api_monitors SET type = 'push' WHERE id = ?", id);
        assertThat(token(id)).hasSize(43);
    }

    @ParameterizedTest
    @ValueSource(strings = {"too-short-0123456789", "has space 0123456789abcdef", "has/slash/0123456789abcdef", ""})
    void aChosenTokenMustBeLongAndUrlSafe(String token) {
        assertThatThrownBy(() -> db.execute(
                        "INSERT INTO api_monitors (name, type, schedule_id, push_token) VALUES ('bad', 'push', ?, ?)",
                        schedule,
                        token))
                .satisfies(e -> assertThat(sqlState(e)).isEqualTo("23514"));
    }

    @Test
    void tokensAndSubjectsAreUnique() {
        String token = token(insert("first", "push"));
        insert("second", "push");
        assertThatThrownBy(() -> db.execute("UPDATE api_monitors SET push_token = ? WHERE name = 'second'", token))
                .satisfies(e -> assertThat(sqlState(e)).isEqualTo("23505"));

        db.execute("UPDATE api_monitors SET push_subject = 'jobs.export' WHERE name = 'first'");
        assertThatThrownBy(
                        () -> db.execute("UPDATE api_monitors SET push_subject = 'jobs.export' WHERE name = 'second'"))
                .satisfies(e -> assertThat(sqlState(e)).isEqualTo("23505"));
        assertThatThrownBy(
                        () -> db.execute("UPDATE api_monitors SET push_subject = 'with space' WHERE name = 'second'"))
                .satisfies(e -> assertThat(sqlState(e)).isEqualTo("23514"));
    }

    @Test
    void aBeatKindOutsideTheFourIsRefused() {
        db.execute("INSERT INTO api_heartbeats (monitor_id, datacenter_id, scheduled_at, executed_at, success,"
                + " beat_kind) VALUES (1, 0, now(), now(), true, 'start')");
        assertThatThrownBy(() -> db.execute("INSERT INTO api_heartbeats (monitor_id, datacenter_id, scheduled_at,"
                        + " executed_at, success, beat_kind) VALUES (1, 0, now(), now(), true, 'done')"))
                .satisfies(e -> assertThat(sqlState(e)).isEqualTo("23514"));
    }

    @Test
    void agentsNeverLoadPushMonitorsEvenWhenAssignedToTheirDatacenter() {
        int dc = (int) db.count("INSERT INTO datacenters (code) VALUES ('PSH') RETURNING id");
        long probed = db.count(
                "INSERT INTO api_monitors (name, url, schedule_id) VALUES ('probed', 'http://127.0.0.1:9/', ?)"
                        + " RETURNING id",
                schedule);
        long pushed = insert("pushed by mistake", " Push");
        db.execute("INSERT INTO datacenter_monitors VALUES (?, ?), (?, ?)", dc, probed, dc, pushed);

        var loaded = db.jdbi().onDemand(ConfigDao.class).listMonitors(dc);

        assertThat(loaded).extracting(MonitorRow::id).containsExactly(probed);
    }

    private static String sqlState(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.sql.SQLException s) {
                return s.getSQLState();
            }
        }
        return null;
    }
}
