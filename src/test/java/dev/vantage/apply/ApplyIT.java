package dev.vantage.apply;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vantage.Main;
import dev.vantage.testing.PostgresExtension;
import dev.vantage.testing.PostgresExtension.Fresh;
import dev.vantage.testing.TestDatabase;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** {@code vantage apply} and {@code vantage export} run in-process through picocli, against real databases. */
@ExtendWith(PostgresExtension.class)
class ApplyIT {
    private static final String MONITORS =
            """
            schedules:
              - name: fast
                interval: 30s
                thresholds_warning: 500
            channels:
              - name: ops
                type: webhook
                settings: {url: "http://127.0.0.1:9/hook", headers: {X-Path: "${env:PATH}"}}
                group_seconds: 0
            monitors:
              - name: shop
                url: http://127.0.0.1:8080/health
                schedule: fast
                datacenters: [VA, NY]
                channels: [ops]
                headers: {Authorization: Bearer abc}
                settings: {expected_status: [200, 204]}
                timeout_ms: 2000
              - name: db
                type: tcp
                url: tcp://127.0.0.1:5432
                schedule: fast
                datacenters: [VA]
                down_after: 5
            """;

    @TempDir
    Path dir;

    record Run(int exit, String out, String err) {}

    private static Run vantage(String... args) {
        var out = new StringWriter();
        var err = new StringWriter();
        int exit = Main.commandLine()
                .setOut(new PrintWriter(out, true))
                .setErr(new PrintWriter(err, true))
                .execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    private Run apply(TestDatabase db, String yaml, String... flags) throws IOException {
        Path file = dir.resolve("monitors.yml");
        Files.writeString(file, yaml);
        var args = new java.util.ArrayList<String>(java.util.List.of("apply", "--db", db.libpqUrl()));
        args.addAll(java.util.List.of(flags));
        args.add(file.toString());
        return vantage(args.toArray(String[]::new));
    }

    private static void datacenters(TestDatabase db) {
        db.execute("INSERT INTO datacenters (code, name) VALUES ('VA', 'Virginia'), ('NY', 'New York')");
    }

    @Test
    void applyCreatesEverythingAndASecondApplyReportsNoChanges(@Fresh TestDatabase db) throws IOException {
        datacenters(db);

        Run first = apply(db, MONITORS);

        assertThat(first.exit()).as(first.err()).isZero();
        assertThat(first.out())
                .contains(
                        "create schedule 'fast'",
                        "create channel 'ops'",
                        "create monitor 'db'",
                        "create monitor 'shop'",
                        "4 to create, 0 to update, 0 to delete: applied");
        assertThat(db.count("SELECT count(*) FROM api_monitors m JOIN schedules s ON s.id = m.schedule_id"
                        + " WHERE m.name = 'shop' AND s.interval = 30 AND m.timeout_ms = 2000"
                        + " AND m.headers = '{\"Authorization\": \"Bearer abc\"}'"
                        + " AND m.settings = '{\"expected_status\": [200, 204]}'"))
                .isEqualTo(1);
        assertThat(db.count("SELECT count(*) FROM datacenter_monitors")).isEqualTo(3);
        assertThat(db.count("SELECT count(*) FROM monitor_channels")).isEqualTo(1);
        assertThat(db.count(
                        "SELECT count(*) FROM notification_channels WHERE settings->'headers'->>'X-Path' = ?",
                        System.getenv("PATH")))
                .isEqualTo(1);
        assertThat(db.count("SELECT count(*) FROM applied_objects WHERE origin = 'created'"))
                .isEqualTo(4);

        Run second = apply(db, MONITORS);

        assertThat(second.exit()).isZero();
        assertThat(second.out()).isEqualTo("no changes\n");

        // A row apply manages keeps its identity when renamed in SQL: the next apply names it back.
        long shop = db.count("SELECT id FROM api_monitors WHERE name = 'shop'");
        db.execute("UPDATE api_monitors SET name = 'renamed in sql' WHERE id = ?", shop);
        Run third = apply(db, MONITORS);

        assertThat(third.out())
                .isEqualTo("update monitor 'shop' (id " + shop + ")\n    name: 'renamed in sql' → 'shop'\n"
                        + "0 to create, 1 to update, 0 to delete: applied\n");
    }

    @Test
    void aDryRunPrintsTheDifferenceAndChangesNothing(@Fresh TestDatabase db) throws IOException {
        datacenters(db);

        Run run = apply(db, MONITORS, "--dry-run");

        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out())
                .contains("create monitor 'shop'", "4 to create, 0 to update, 0 to delete (dry run: nothing applied)");
        assertThat(db.count("SELECT (SELECT count(*) FROM schedules) + (SELECT count(*) FROM api_monitors)"
                        + " + (SELECT count(*) FROM notification_channels) + (SELECT count(*) FROM applied_objects)"))
                .isZero();
    }

    @Test
    void anUpdatePrintsEachChangedFieldOldToNew(@Fresh TestDatabase db) throws IOException {
        datacenters(db);
        apply(db, MONITORS);
        long shop = db.count("SELECT id FROM api_monitors WHERE name = 'shop'");

        Run run = apply(
                db,
                MONITORS.replace("timeout_ms: 2000", "timeout_ms: 5000")
                        .replace("datacenters: [VA, NY]", "datacenters: [VA]")
                        .replace("Bearer abc", "Bearer xyz"));

        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out())
                .isEqualTo(
                        """
                        update monitor 'shop' (id %d)
                            datacenters: [NY, VA] → [VA]
                            headers: changed (value hidden)
                            timeout_ms: 2000 → 5000
                        0 to create, 1 to update, 0 to delete: applied
                        """
                                .formatted(shop)
                                .replace(
                                        "[NY, VA]",
                                        db.count("SELECT id FROM datacenters WHERE code = 'VA'")
                                                        < db.count("SELECT id FROM datacenters WHERE code = 'NY'")
                                                ? "[VA, NY]"
                                                : "[NY, VA]"));
        assertThat(db.count("SELECT timeout_ms FROM api_monitors WHERE id = ?", shop))
                .isEqualTo(5000);
        assertThat(db.count("SELECT count(*) FROM datacenter_monitors WHERE monitor_id = ?", shop))
                .isEqualTo(1);
    }

    @Test
    void pruneDeletesOnlyRowsThatApplyCreated(@Fresh TestDatabase db) throws IOException {
        datacenters(db);
        db.execute("INSERT INTO schedules (name, interval) VALUES ('legacy', 60)");
        db.execute("INSERT INTO api_monitors (name, url, schedule_id)"
                + " SELECT 'made in sql', 'http://127.0.0.1:1/', id FROM schedules WHERE name = 'legacy'");
        db.execute("INSERT INTO api_monitors (name, url, schedule_id)"
                + " SELECT 'db', 'tcp://127.0.0.1:1', id FROM schedules WHERE name = 'legacy'");
        Run first = apply(db, MONITORS);
        assertThat(first.out()).contains("update monitor 'db'", "2 row(s) not named in the files were left alone");
        String withoutMonitors = MONITORS.substring(0, MONITORS.indexOf("monitors:"));

        Run kept = apply(db, withoutMonitors);
        assertThat(kept.out()).contains("no changes", "1 row(s) created by an earlier apply are no longer named");
        Run pruned = apply(db, withoutMonitors, "--prune");

        assertThat(pruned.exit()).as(pruned.err()).isZero();
        assertThat(pruned.out()).contains("delete monitor 'shop'", "0 to create, 0 to update, 1 to delete: applied");
        assertThat(pruned.out()).doesNotContain("delete monitor 'db'", "made in sql", "legacy");
        assertThat(db.count("SELECT count(*) FROM api_monitors WHERE name IN ('made in sql', 'db')"))
                .isEqualTo(2);
        assertThat(db.count("SELECT count(*) FROM api_monitors WHERE name = 'shop'"))
                .isZero();
    }

    @Test
    void problemsAreAllReportedWithFileLineAndFieldAndNothingIsApplied(@Fresh TestDatabase db) throws IOException {
        datacenters(db);

        Run files =
                apply(db, MONITORS.replace("[200, 204]", "[\"two hundred\"]").replace("[VA]", "[XX]"));
        // One statement stops at its first violation: the two are on two monitors.
        Run constraints = apply(
                db,
                MONITORS.replace("down_after: 5", "down_after: 0")
                        .replace("timeout_ms: 2000", "timeout_ms: 2000\n    slug: Not A Slug"));

        String file = dir.resolve("monitors.yml").toString();
        assertThat(files.exit()).isEqualTo(2);
        assertThat(files.err())
                .contains("nothing applied, 2 problem(s):")
                .contains(file + ":23: monitors[1].datacenters: no datacenter with code 'XX'")
                .contains(file + ":17: monitors[0].settings.expected_status[0]: \"two hundred\" is not a status code");
        assertThat(constraints.exit()).isEqualTo(2);
        assertThat(constraints.err())
                .contains("nothing applied, 2 problem(s):")
                .contains(file + ":19: monitors[0].slug: 'Not A Slug': refused by the database: new row for relation"
                        + " \"api_monitors\" violates check constraint \"api_monitors_slug_format\"")
                .contains(file + ":25: monitors[1].down_after: 0: refused by the database: new row for relation"
                        + " \"api_monitors\" violates check constraint \"api_monitors_down_after_check\""
                        + " (CHECK (((down_after >= 1) AND (down_after <= 1000))))");
        assertThat(db.count("SELECT (SELECT count(*) FROM schedules) + (SELECT count(*) FROM api_monitors)"
                        + " + (SELECT count(*) FROM notification_channels) + (SELECT count(*) FROM applied_objects)"))
                .isZero();
    }

    /** The complete file shown in docs/monitors-as-code.md applies as it stands, then applies again as no change. */
    @Test
    void theCompleteFileOfTheDocsApplies(@Fresh TestDatabase db) throws IOException {
        db.execute("INSERT INTO datacenters (code) VALUES ('VA'), ('NY'), ('FR')");
        String doc = Files.readString(Path.of("docs/monitors-as-code.md"));
        int start = doc.indexOf("```yaml\n", doc.indexOf("## A complete file")) + "```yaml\n".length();
        var env = java.util.Map.of(
                "SLACK_WEBHOOK_URL", "https://hooks.slack.com/services/T000/B000/XXXX", "SHOP_TOKEN", "t0k3n");
        Apply files =
                Apply.read(java.util.Map.of("monitors.yml", doc.substring(start, doc.indexOf("```", start))), env::get);

        Apply.Report first = db.jdbi().inTransaction(h -> files.run(h, false, false));
        Apply.Report second = db.jdbi().inTransaction(h -> files.run(h, false, false));

        assertThat(files.problems()).isEmpty();
        assertThat(first.problems()).isEmpty();
        assertThat(first.summary()).isEqualTo("6 to create, 0 to update, 0 to delete");
        assertThat(second.summary()).isEqualTo("no changes");
        assertThat(db.count("SELECT count(*) FROM monitor_dependencies")).isEqualTo(1);
    }
}
