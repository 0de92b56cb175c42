package dev.vantage.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vantage.Main;
import dev.vantage.testing.PostgresExtension;
import dev.vantage.testing.PostgresExtension.Fresh;
import dev.vantage.testing.TestDatabase;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code vantage maintenance start|stop|list} run in-process through picocli, as Main runs them. */
@ExtendWith(PostgresExtension.class)
class MaintenanceCommandIT {

    record Run(int exit, String stdout, String stderr) {}

    private static Run vantage(String... args) {
        var out = new StringWriter();
        var err = new StringWriter();
        var cli = Main.commandLine().setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true));
        int exit = cli.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    private static void seed(TestDatabase db) {
        db.execute("INSERT INTO regions (name, region_code) VALUES ('Everywhere', 'all')");
        db.execute("INSERT INTO datacenters (id, code, region_id) VALUES (1, 'VA', 1), (2, 'NY', 1)");
        db.execute("INSERT INTO schedules (id, name, interval) VALUES (1, 'every minute', 60)");
        db.execute("INSERT INTO api_monitors (id, name, url, schedule_id) VALUES"
                + " (1, 'checkout', 'http://127.0.0.1:9/', 1), (2, 'search', 'http://127.0.0.1:9/', 1)");
    }

    @Test
    void startPrintsTheIdOfAWindowFromNowThatListShowsAndStopEnds(@Fresh TestDatabase db) {
        seed(db);
        var start = vantage(
                "maintenance",
                "start",
                "--monitor",
                "checkout",
                "--monitor",
                "2",
                "--datacenter",
                "NY",
                "--for",
                "30m",
                "--reason",
                "deploy 4.2",
                "--db",
                db.libpqUrl());

        assertThat(start.exit()).as(start.stderr()).isZero();
        assertThat(start.stdout()).matches("\\d+\\n");
        int id = Integer.parseInt(start.stdout().strip());
        assertThat(db.count(
                        "SELECT count(*) FROM maintenance_windows WHERE id = ? AND monitor_ids = '{1,2}'"
                                + " AND datacenter_ids = '{2}' AND created_by = 'cli' AND reason = 'deploy 4.2'"
                                + " AND ends_at - starts_at = interval '30 minutes' AND starts_at <= now()",
                        id))
                .isEqualTo(1);

        var list = vantage("maintenance", "list", "--db", db.libpqUrl());
        assertThat(list.exit()).isZero();
        assertThat(list.stdout())
                .startsWith("ID    STATE")
                .containsPattern(
                        id
                                + " +active +\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d UTC .* monitors 1,2 in dc 2 +deploy 4\\.2");

        var status = vantage("status", "--db", db.libpqUrl());
        assertThat(status.stdout())
                .containsPattern("MAINTENANCE\\nID +STATE +FROM +UNTIL +SCOPE +REASON\\n" + id
                        + " +active .* checkout, search in NY +deploy 4\\.2");

        var stop = vantage("maintenance", "stop", String.valueOf(id), "--db", db.libpqUrl());
        assertThat(stop.exit()).as(stop.stderr()).isZero();
        assertThat(stop.stdout()).isEqualTo("maintenance window " + id + " ended\n");
        assertThat(db.count("SELECT count(*) FROM maintenance_windows WHERE id = ? AND ends_at <= now()", id))
                .isEqualTo(1);
        assertThat(vantage("maintenance", "list", "--db", db.libpqUrl()).stdout())
                .isEqualTo("No active or upcoming maintenance windows.\n");

        var again = vantage("maintenance", "stop", String.valueOf(id), "--db", db.libpqUrl());
        assertThat(again.exit()).isEqualTo(2);
        assertThat(again.stderr()).contains("maintenance window " + id + " already ended at ");
    }

    @Test
    void listShowsTheNextOccurrenceOfAWeeklyWindowAndStopRefusesIt(@Fresh TestDatabase db) {
        seed(db);
        db.execute("INSERT INTO maintenance_windows (id, reason, weekdays, start_time, duration, time_zone)"
                + " VALUES (7, 'backups', '{mon,tue,wed,thu,fri,sat,sun}', '03:00', '1 hour', 'Europe/Paris')");

        var list = vantage("maintenance", "list", "--db", db.libpqUrl());
        assertThat(list.stdout()).containsPattern("7 +(active|upcoming) .* every monitor +backups \\(weekly\\)");

        var stop = vantage("maintenance", "stop", "7", "--db", db.libpqUrl());
        assertThat(stop.exit()).isEqualTo(2);
        assertThat(stop.stderr()).contains("maintenance window 7 is weekly: change or delete its row");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "--monitor nope --for 30m | --monitor nope: no such monitor",
                "--monitor 1 --for 30x | --for: ",
                "--monitor 1 --for 8d | --for: ",
                "--monitor 1 --for 200h | --for must be between 1s and 7 days (168h), was 200h",
                "--monitor 1 --datacenter LON --for 30m | --datacenter LON: no such datacenter",
                "--for 30m | Missing required option: '--monitor=ID",
            })
    void badInputExits2WithALineNamingTheOptionAndWritesNothing(String args, String message, @Fresh TestDatabase db) {
        seed(db);
        var argv = new java.util.ArrayList<>(java.util.List.of("maintenance", "start"));
        argv.addAll(java.util.List.of(args.strip().split(" +")));
        argv.addAll(java.util.List.of("--db", db.libpqUrl()));

        var run = vantage(argv.toArray(String[]::new));

        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.stderr()).contains(message);
        assertThat(db.count("SELECT count(*) FROM maintenance_windows")).isZero();
    }

    @Test
    void stopOfAWindowThatDoesNotExistExits2(@Fresh TestDatabase db) {
        var run = vantage("maintenance", "stop", "42", "--db", db.libpqUrl());
        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.stderr()).contains("maintenance window 42 does not exist");
    }
}
