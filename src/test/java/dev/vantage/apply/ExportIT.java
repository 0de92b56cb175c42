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

/** {@code vantage export} writes what {@code vantage apply} accepts unchanged: a configuration made in SQL round-trips. */
@ExtendWith(PostgresExtension.class)
class ExportIT {
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

    private static void datacenters(TestDatabase db) {
        db.execute(
                "INSERT INTO datacenters (code, name) VALUES ('VA', 'Virginia'), ('NY', 'New York'), ('FR', 'Paris')");
    }

    /** A varied configuration as a user writes it in psql. */
    private static void seed(TestDatabase db) {
        datacenters(db);
        db.execute(
                """
                INSERT INTO schedules (name, interval, include_response_body, thresholds_warning, thresholds_critical)
                VALUES ('every minute', 60, true, 800, 2000), ('hourly', 3600, false, NULL, NULL);
                INSERT INTO notification_channels (name, type, settings, is_default, repeat_every, group_seconds)
                VALUES ('ops', 'webhook', '{"url": "http://127.0.0.1:9/hook", "headers": {"X-Key": "k${1}"}}', true,
                        NULL, 0),
                       ('journal', 'log', '{}', false, interval '90 minutes', 30);
                INSERT INTO api_monitors (name, type, method, url, schedule_id, headers, body, settings, timeout_ms,
                                          down_after, quorum, notify_degraded_after, public, slug)
                SELECT 'checkout', 'http', 'POST', 'https://user:pa55@127.0.0.1:8443/checkout', id,
                       '{"Authorization": "Bearer t0k3n", "Accept": "application/json"}', '{"dry_run": true}',
                       '{"expected_status": [200, 201], "follow_redirects": false}', 5000, 5, 2, 3, true, 'checkout'
                FROM schedules WHERE name = 'every minute';
                INSERT INTO api_monitors (name, type, url, schedule_id, enabled, flap_changes)
                SELECT 'postgres', 'tcp', 'tcp://127.0.0.1:5432', id, false, 4 FROM schedules WHERE name = 'every minute';
                INSERT INTO api_monitors (name, type, schedule_id, grace_seconds, push_subject)
                SELECT 'nightly backup', 'push', id, 7200, 'backups.nightly' FROM schedules WHERE name = 'hourly';
                INSERT INTO datacenter_monitors (datacenter_id, monitor_id)
                SELECT d.id, m.id FROM datacenters d, api_monitors m WHERE m.type IN ('http', 'tcp') AND d.code <> 'FR';
                INSERT INTO monitor_channels (monitor_id, channel_id)
                SELECT m.id, c.id FROM api_monitors m, notification_channels c
                WHERE m.name = 'checkout' OR (m.name = 'nightly backup' AND c.name = 'journal');
                INSERT INTO monitor_dependencies (monitor_id, depends_on)
                SELECT a.id, b.id FROM api_monitors a, api_monitors b WHERE a.name = 'checkout' AND b.name = 'postgres';
                """);
    }

    private Path export(TestDatabase db, String file, String... flags) throws IOException {
        Path out = dir.resolve(file);
        var args = new java.util.ArrayList<String>(
                java.util.List.of("export", "--db", db.libpqUrl(), "--output", out.toString()));
        args.addAll(java.util.List.of(flags));
        Run run = vantage(args.toArray(String[]::new));
        assertThat(run.exit()).as(run.err()).isZero();
        return out;
    }

    @Test
    void anExportAppliedToAnotherDatabaseExportsIdenticallyAndChangesNothingOnTheFirst(@Fresh TestDatabase first)
            throws IOException {
        try (TestDatabase second = TestDatabase.fresh("export-second")) {
            roundTrip(first, second);
        }
    }

    private void roundTrip(TestDatabase first, TestDatabase second) throws IOException {
        seed(first);
        datacenters(second);

        Path exported = export(first, "first.yml", "--include-secrets");
        Run applied = vantage("apply", "--db", second.libpqUrl(), exported.toString());
        Path again = export(second, "second.yml", "--include-secrets");
        Run back = vantage("apply", "--db", first.libpqUrl(), exported.toString());

        assertThat(applied.exit()).as(applied.err()).isZero();
        assertThat(applied.out()).contains("7 to create, 0 to update, 0 to delete: applied");
        assertThat(Files.readString(again)).isEqualTo(Files.readString(exported));
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(exported)))
                .isEqualTo("rw-------");
        assertThat(back.exit()).as(back.err()).isZero();
        assertThat(back.out()).isEqualTo("no changes\n");
    }

    @Test
    void withoutIncludeSecretsCredentialsBecomeEnvironmentReferences(@Fresh TestDatabase db) throws IOException {
        seed(db);

        Path file = dir.resolve("plain.yml");
        Run run = vantage("export", "--db", db.libpqUrl(), "--output", file.toString());
        String yaml = Files.readString(file);

        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(yaml)
                .doesNotContain("t0k3n", "pa55", "dry_run", "127.0.0.1:9/hook", "push_token")
                .contains(
                        "Authorization: ${env:VANTAGE_MONITOR_CHECKOUT_HEADERS_AUTHORIZATION}",
                        "url: ${env:VANTAGE_MONITOR_CHECKOUT_URL}",
                        "url: ${env:VANTAGE_CHANNEL_OPS_SETTINGS_URL}",
                        "url: tcp://127.0.0.1:5432");
        assertThat(run.err())
                .contains("6 secret(s) written as ${env:NAME} references", "VANTAGE_MONITOR_CHECKOUT_BODY")
                .contains("1 push token(s) left out")
                .contains("exported 2 schedule(s), 2 channel(s), 3 monitor(s) to " + file);
    }
}
