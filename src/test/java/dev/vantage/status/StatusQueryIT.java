package dev.vantage.status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.vantage.status.StatusReport.DatacenterState;
import dev.vantage.status.StatusReport.Incident;
import dev.vantage.status.StatusReport.LatencyBucket;
import dev.vantage.status.StatusReport.Monitor;
import dev.vantage.testing.PostgresExtension;
import dev.vantage.testing.PostgresExtension.Fresh;
import dev.vantage.testing.TestDatabase;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(PostgresExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StatusQueryIT {
    /**
     * 55 minutes into the current hour: the seed's last-hour heartbeats (5 to 52 minutes ago) then fall in the current
     * UTC hour, the sparkline's last bucket, and those of two hours ago (116 to 119 minutes) in the bucket two before.
     */
    private static final Instant NOW =
            Instant.now().truncatedTo(ChronoUnit.HOURS).plus(55, ChronoUnit.MINUTES);

    private TestDatabase db;
    private StatusReport report;

    @BeforeAll
    void seed(TestDatabase db) {
        this.db = db;
        StatusSeed.full(db, NOW);
        StatusSeed.push(db, NOW);
        report = StatusQuery.load(db.jdbi(), Clock.fixed(NOW, ZoneOffset.UTC));
    }

    private Monitor monitor(String name) {
        return report.monitors().stream()
                .filter(m -> m.name().equals(name))
                .findFirst()
                .orElseThrow();
    }

    @Test
    void everyMonitorIsListedInIdOrderWithItsGlobalState() {
        assertThat(report.generatedAt()).isEqualTo(NOW);
        assertThat(report.datacenters()).containsExactly("VA", "NY", "LON");
        assertThat(report.monitors())
                .extracting(Monitor::name, Monitor::state)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("API", "UP"),
                        org.assertj.core.groups.Tuple.tuple("Checkout", "PARTIAL"),
                        org.assertj.core.groups.Tuple.tuple("Stale", "UNKNOWN"),
                        org.assertj.core.groups.Tuple.tuple("Paused", "DISABLED"),
                        org.assertj.core.groups.Tuple.tuple("New", "PENDING"),
                        org.assertj.core.groups.Tuple.tuple("Broken", "PENDING"),
                        org.assertj.core.groups.Tuple.tuple("Nightly export", "UNKNOWN"),
                        org.assertj.core.groups.Tuple.tuple("Heartbeat", "UP"),
                        org.assertj.core.groups.Tuple.tuple("Backup", "DOWN"),
                        org.assertj.core.groups.Tuple.tuple("Report job", "DOWN"));
        assertThat(report.healthy()).isFalse();
    }

    @Test
    void typesAreCanonicalAndPushMonitorsHaveNoDatacenterEvenWhenAssignedOne() {
        assertThat(report.monitors())
                .extracting(Monitor::name, Monitor::type, m -> m.datacenters().size())
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("API", "http", 2),
                        org.assertj.core.groups.Tuple.tuple("Checkout", "http", 2),
                        org.assertj.core.groups.Tuple.tuple("Stale", "http", 1),
                        org.assertj.core.groups.Tuple.tuple("Paused", "http", 1),
                        org.assertj.core.groups.Tuple.tuple("New", "http", 1),
                        org.assertj.core.groups.Tuple.tuple("Broken", "http", 1),
                        org.assertj.core.groups.Tuple.tuple("Nightly export", "push", 0),
                        org.assertj.core.groups.Tuple.tuple("Heartbeat", "push", 0),
                        org.assertj.core.groups.Tuple.tuple("Backup", "push", 0),
                        // Written PUSH, and assigned to VA by mistake.
                        org.assertj.core.groups.Tuple.tuple("Report job", "push", 0));
        assertThat(monitor("API"))
                .extracting(
                        Monitor::lastBeatAt, Monitor::expectedEverySeconds, Monitor::graceSeconds, Monitor::lastMessage)
                .containsOnlyNulls();
    }

    @Test
    void aPushMonitorNeverBeatenWaitsForItsFirstBeatWithoutFailing() {
        Monitor nightly = monitor("Nightly export");
        assertThat(nightly.state()).isEqualTo("UNKNOWN");
        assertThat(nightly.details()).isEqualTo("no beat yet");
        assertThat(nightly.lastBeatAt()).isNull();
        assertThat(nightly.lastHeartbeatAt()).isNull();
        assertThat(nightly.lastMessage()).isNull();
        // A daily period; the grace by default is the period, at most an hour.
        assertThat(nightly.expectedEverySeconds()).isEqualTo(86400);
        assertThat(nightly.graceSeconds()).isEqualTo(3600);
        assertThat(nightly.probes24h()).isZero();
        assertThat(nightly.p50Ms()).isNull();
        assertThat(nightly.failing()).isFalse();
    }

    @Test
    void aBeatingPushMonitorShowsItsNewestBeatBeforeTheMonitorModuleReadsItAndItsNewestMessage() {
        Monitor heartbeat = monitor("Heartbeat");
        assertThat(heartbeat.state()).isEqualTo("UP");
        assertThat(heartbeat.details()).isEqualTo("UP");
        // The success 12 s ago, not the start 5 s ago (a start changes no state), nor the state's 27 s.
        assertThat(heartbeat.lastBeatAt()).isEqualTo(NOW.minusSeconds(12));
        assertThat(heartbeat.lastHeartbeatAt()).isEqualTo(NOW.minusSeconds(12));
        assertThat(heartbeat.lastHeartbeatAgeSeconds()).isEqualTo(12);
        // A log beat's message is a message too, and the newest one.
        assertThat(heartbeat.lastMessage()).isEqualTo("half way: 1200 of 2400 rows");
        assertThat(heartbeat.expectedEverySeconds()).isEqualTo(15);
        assertThat(heartbeat.graceSeconds()).isEqualTo(30);
        // Run durations: the two successes paired with a start, 1.5 s and 2.5 s.
        assertThat(heartbeat.p50Ms()).isCloseTo(2000.0, within(1e-9));
        assertThat(heartbeat.p95Ms()).isCloseTo(2450.0, within(1e-9));
        assertThat(heartbeat.latency24h().get(23).p50Ms()).isCloseTo(2000.0, within(1e-9));
        // Six successes count; the three starts and the log change no state, and the rollups skip them too.
        assertThat(heartbeat.probes24h()).isEqualTo(6);
        assertThat(heartbeat.uptime24hPercent()).isEqualTo(100.0);
        assertThat(heartbeat.failing()).isFalse();
    }

    /**
     * A push monitor's bar is its success and fail beats, oldest first, never its start or log beats; other monitors
     * have their bars per datacenter and none of their own.
     */
    @Test
    void aPushMonitorsBarHoldsItsSuccessAndFailBeatsOldestFirst() {
        Monitor heartbeat = monitor("Heartbeat");
        Monitor report = monitor("Report job");

        assertThat(heartbeat.recent())
                .extracting(StatusReport.Result::at)
                .containsExactly(
                        NOW.minusSeconds(87),
                        NOW.minusSeconds(72),
                        NOW.minusSeconds(57),
                        NOW.minusSeconds(42),
                        NOW.minusSeconds(27),
                        NOW.minusSeconds(12));
        assertThat(heartbeat.recentResults()).isEqualTo("UUUUUU");
        assertThat(heartbeat.recent().get(1).ms()).isEqualTo(1500.0);
        assertThat(report.recentResults()).isEqualTo("D");
        assertThat(report.recent().getFirst().error()).isEqualTo("FAIL: the job reported a failure");
        assertThat(monitor("API").recentResults()).isNull();
        assertThat(monitor("API").recent()).isEmpty();
    }

    /** A fail beat's error is the sender's own text, which may quote a ping URL: its token is masked in the bar. */
    @Test
    void aPushBarMasksThePingTokenAFailBeatQuotes(@Fresh TestDatabase fresh) {
        fresh.execute(
                "SELECT vantage_ensure_heartbeat_partitions((?::timestamptz AT TIME ZONE 'UTC')::date - 1, 3)",
                StatusSeed.ago(NOW, java.time.Duration.ZERO));
        int id = StatusSeed.pushMonitor(fresh, "Cron", "push", 60, null);
        fresh.execute(
                """
                INSERT INTO api_heartbeats (monitor_id, datacenter_id, scheduled_at, executed_at, success,
                                            error_type, error_message, beat_kind)
                VALUES (?, 0, ?, ?, false, 'FAIL', 'curl: (7) failed: http://m:8080/ping/s3cr3t-t0ken/fail', 'fail')
                """,
                id,
                StatusSeed.ago(NOW, java.time.Duration.ofSeconds(30)),
                StatusSeed.ago(NOW, java.time.Duration.ofSeconds(30)));

        var cron = StatusQuery.load(fresh.jdbi(), Clock.fixed(NOW, ZoneOffset.UTC))
                .monitors()
                .getFirst();

        assertThat(cron.recentResults()).isEqualTo("D");
        assertThat(cron.recent().getFirst().error())
                .isEqualTo("FAIL: curl: (7) failed: http://m:8080/ping/<token>/fail")
                .doesNotContain("s3cr3t");
    }

    @Test
    void aSilentPushMonitorIsDownAsMissedForAsLongAsItHasBeenSilentNow() {
        Monitor backup = monitor("Backup");
        assertThat(backup.state()).isEqualTo("DOWN");
        // The monitor module wrote "47 s" when it turned DOWN; the report says how long it is now.
        assertThat(backup.details()).isEqualTo("DOWN: MISSED no heartbeat for 3 min (expected every 15 s, grace 30 s)");
        assertThat(backup.lastBeatAt()).isEqualTo(NOW.minusSeconds(180));
        assertThat(backup.lastMessage()).isEqualTo("backup done: 3 files");
        assertThat(backup.p50Ms()).isNull();
        assertThat(backup.failing()).isTrue();
    }

    @Test
    void aLongMessageIsCutAndTheTokenOfAQuotedPingUrlMasked() {
        Monitor job = monitor("Report job");
        assertThat(job.details()).isEqualTo("DOWN: FAIL the job reported a failure");
        assertThat(job.lastBeatAt()).isEqualTo(NOW.minusSeconds(10));
        String message = job.lastMessage();
        assertThat(message)
                .startsWith(
                        "curl: (22) The requested URL returned error: 503 for http://monitor:8080/ping/<token>/fail\nxxx")
                .endsWith("x…")
                .doesNotContain(StatusSeed.PUSH_TOKEN);
        assertThat(message.codePointCount(0, message.length())).isEqualTo(PushBeats.MESSAGE_CHARS + 1);
        assertThat(StatusJson.render(report)).doesNotContain(StatusSeed.PUSH_TOKEN);
    }

    @Test
    void datacenterZeroIsNeverNamed() {
        Incident missed = report.openIncidents().stream()
                .filter(i -> "Backup".equals(i.monitor()))
                .findFirst()
                .orElseThrow();
        assertThat(missed.datacenters()).isEmpty();
        assertThat(missed.errorType()).isEqualTo("MISSED");
        assertThat(StatusJson.render(report)).doesNotContain("#0");
        assertThat(StatusTable.render(report)).doesNotContain("#0");
        // Not a datacenter "#0"; colours such as #0969da are fine.
        assertThat(StatusPage.render(report)).doesNotContainPattern("#0(?![0-9a-f])");
    }

    @Test
    void perDatacenterStatesCoverTheAssignedDatacentersOnly() {
        assertThat(monitor("Checkout").datacenters())
                .extracting(DatacenterState::code, DatacenterState::state)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("VA", "UP"),
                        org.assertj.core.groups.Tuple.tuple("NY", "DOWN"));
        assertThat(monitor("Checkout").in("LON")).isEmpty();
        assertThat(monitor("Checkout").details())
                .isEqualTo("DOWN in NY (1 of 2, quorum 2): HTTP_STATUS [STATUS] (503) == 200-299");
        assertThat(monitor("New").datacenters())
                .extracting(DatacenterState::state)
                .containsExactly("PENDING");
        assertThat(monitor("New").details()).isEqualTo("not evaluated yet");
        assertThat(monitor("Paused").details()).isEqualTo("disabled");
        assertThat(monitor("Paused").failing()).isFalse();
    }

    @Test
    void anUnknownMonitorSaysHowLongItHasHadNoData() {
        Monitor stale = monitor("Stale");
        assertThat(stale.details()).isEqualTo("no data for 45 s");
        assertThat(stale.in("VA").orElseThrow().details()).isEqualTo("no data for 45 s");
        assertThat(stale.lastHeartbeatAgeSeconds()).isEqualTo(45);
        assertThat(stale.failing()).isTrue();
    }

    @Test
    void percentilesAreThoseOfTheSuccessfulProbesOfTheLastHour() {
        Monitor api = monitor("API");
        // percentile_cont over 10, 20, …, 100: the failure (5000 ms) and older probes do not count.
        assertThat(api.p50Ms()).isCloseTo(55.0, within(1e-9));
        assertThat(api.p95Ms()).isCloseTo(95.5, within(1e-9));
        assertThat(monitor("New").p50Ms()).isNull();
        assertThat(monitor("New").p95Ms()).isNull();
    }

    @Test
    void uptimeIsSuccessesOverProbesOfTheLast24HoursInAllDatacenters() {
        Monitor api = monitor("API");
        // 10 + 4 successes, 1 failure within 24 h; the failure 30 h ago is outside.
        assertThat(api.probes24h()).isEqualTo(15);
        assertThat(api.uptime24hPercent()).isCloseTo(100.0 * 14 / 15, within(1e-9));
        assertThat(monitor("New").uptime24hPercent()).isNull();
        assertThat(monitor("New").probes24h()).isZero();
    }

    /**
     * Probes made during a maintenance window are left out of the 24 h uptime and probe count, as api_uptime_daily and
     * the badges leave them out, whether the hour is read raw or from the rollups.
     */
    @Test
    void uptimeLeavesOutTheProbesOfMaintenanceWindowsRawAndRolledUp(@Fresh TestDatabase fresh) {
        fresh.execute(
                "SELECT vantage_ensure_heartbeat_partitions((?::timestamptz AT TIME ZONE 'UTC')::date - 1, 3)",
                StatusSeed.ago(NOW, java.time.Duration.ZERO));
        fresh.execute("INSERT INTO datacenters (code, name) VALUES ('VA', 'Virginia')");
        fresh.execute("INSERT INTO schedules (name, interval) VALUES ('every 60 s', 60)");
        fresh.execute("INSERT INTO api_monitors (name, url, schedule_id) VALUES ('Shop', 'https://s.example/', 1)");
        fresh.execute("INSERT INTO datacenter_monitors VALUES (1, 1)");
        // This hour: 6 successes, 1 failure, and 3 failures inside a window. Three hours ago: 2 and 2 in a window.
        fresh.execute(
                """
                INSERT INTO api_heartbeats (monitor_id, datacenter_id, scheduled_at, executed_at, success,
                                            response_time_ms, in_maintenance)
                SELECT 1, 1, t, t, i < 6, 100, i >= 7
                FROM generate_series(0, 9) i, LATERAL (SELECT ?::timestamptz - (10 - i) * interval '1 min' AS t) x
                UNION ALL
                SELECT 1, 1, t, t, i < 2, 100, i >= 2
                FROM generate_series(0, 3) i, LATERAL (SELECT ?::timestamptz - interval '3 hours'
                                                               + i * interval '1 min' AS t) x
                """,
                StatusSeed.ago(NOW, java.time.Duration.ZERO),
                StatusSeed.ago(NOW, java.time.Duration.ZERO));
        var raw = StatusQuery.load(fresh.jdbi(), Clock.fixed(NOW, ZoneOffset.UTC))
                .monitors()
                .getFirst();
        fresh.execute(
                "SELECT vantage_rollup_heartbeats(?, ?)",
                java.sql.Timestamp.from(NOW.minus(2, ChronoUnit.DAYS)),
                java.sql.Timestamp.from(NOW.truncatedTo(ChronoUnit.HOURS)));
        var rolled = StatusQuery.load(fresh.jdbi(), Clock.fixed(NOW, ZoneOffset.UTC))
                .monitors()
                .getFirst();

        assertThat(raw.probes24h()).isEqualTo(9);
        assertThat(raw.uptime24hPercent()).isCloseTo(100.0 * 8 / 9, within(1e-9));
        assertThat(fresh.count("SELECT count(*) FROM api_heartbeat_rollups WHERE maintenance_probes > 0"))
                .isPositive();
        assertThat(rolled.probes24h()).isEqualTo(raw.probes24h());
        assertThat(rolled.uptime24hPercent()).isEqualTo(raw.uptime24hPercent());
    }

    @Test
    void theSparklineHas24HourlyMediansEndingWithTheCurrentHour() {
        var spark = monitor("API").latency24h();
        assertThat(spark).hasSize(24);
        assertThat(spark.get(0).start())
                .isEqualTo(NOW.truncatedTo(ChronoUnit.HOURS).minus(23, ChronoUnit.HOURS));
        // VA 10, 30, 50, 70, 90 (median 50) and NY 20, 40, ..., 100 (median 60), five successes each.
        assertThat(spark.get(23).p50Ms()).isCloseTo(55.0, within(1e-9));
        // 200, 300, 400, 500 ms two hours ago, in NY only.
        assertThat(spark.get(21).p50Ms()).isCloseTo(350.0, within(1e-9));
        assertThat(spark.subList(0, 21)).extracting(LatencyBucket::p50Ms).allMatch(Objects::isNull);
        assertThat(spark.get(22).p50Ms()).isNull();
    }

    @Test
    void onceTheHoursAreRolledUpTheReportReadsThemAndSaysTheSame() {
        // What the monitor's data lifecycle does: every complete hour rolled up, the current one left raw.
        db.execute(
                "SELECT vantage_rollup_heartbeats(?, ?)",
                java.sql.Timestamp.from(NOW.minus(2, ChronoUnit.DAYS)),
                java.sql.Timestamp.from(NOW.truncatedTo(ChronoUnit.HOURS)));
        assertThat(db.count("SELECT count(*) FROM api_heartbeat_rollups")).isPositive();
        var rolled = StatusQuery.load(db.jdbi(), Clock.fixed(NOW, ZoneOffset.UTC));
        assertThat(rolled.monitors())
                .extracting(
                        Monitor::name,
                        Monitor::probes24h,
                        Monitor::uptime24hPercent,
                        Monitor::lastHeartbeatAt,
                        Monitor::latency24h,
                        Monitor::datacenters)
                .containsExactlyElementsOf(report.monitors().stream()
                        .map(m -> org.assertj.core.groups.Tuple.tuple(
                                m.name(),
                                m.probes24h(),
                                m.uptime24hPercent(),
                                m.lastHeartbeatAt(),
                                m.latency24h(),
                                m.datacenters()))
                        .toList());
    }

    @Test
    void agentsShowRoleAndTheEpochOfTheLeaseHolderOnly() {
        assertThat(report.agents())
                .extracting(
                        a -> a.datacenter(), a -> a.name(), a -> a.role(), a -> a.epoch(), a -> a.lastSeenAgeSeconds())
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("VA", "va-1", "leader", 7L, 2L),
                        org.assertj.core.groups.Tuple.tuple("VA", "va-2", "standby", null, 1L));
    }

    @Test
    void invalidRowsNameTheFieldAndNeverASecret() {
        assertThat(report.invalidConfig())
                .extracting(StatusReport.InvalidRow::kind, StatusReport.InvalidRow::name)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("monitor", "Broken"),
                        org.assertj.core.groups.Tuple.tuple("channel", "ops hook"),
                        org.assertj.core.groups.Tuple.tuple("channel", "pigeon"));
        var reasons = report.invalidConfig().stream()
                .map(StatusReport.InvalidRow::reason)
                .toList();
        assertThat(reasons.get(0)).startsWith("url: ").contains("***");
        assertThat(reasons.get(2)).startsWith("type: unknown notifier type 'carrier-pigeon'");
        assertThat(String.join("\n", reasons)).doesNotContain("hunter2", "s3cret", "sekrit-value", "T0KEN123");
    }

    @Test
    void openIncidentsAndThoseResolvedWithinADayAreListed() {
        assertThat(report.openIncidents()).extracting(Incident::monitor).containsExactly("Backup", "Checkout");
        assertThat(report.openIncidents().get(1)).satisfies(i -> {
            assertThat(i.monitor()).isEqualTo("Checkout");
            assertThat(i.scope()).isEqualTo("datacenter");
            assertThat(i.datacenters()).containsExactly("NY");
            assertThat(i.durationSeconds()).isEqualTo(180);
            assertThat(i.resolvedAt()).isNull();
        });
        assertThat(report.recentIncidents()).singleElement().satisfies(i -> {
            assertThat(i.monitor()).isEqualTo("API");
            assertThat(i.datacenters()).containsExactly("VA", "NY");
            assertThat(i.durationSeconds()).isEqualTo(3600);
            assertThat(i.errorType()).isEqualTo("TIMEOUT");
        });
    }

    @Test
    void agentsOfAShardedDatacenterShowTheShardsTheyLeadAndNoEpoch(@Fresh TestDatabase sharded) {
        sharded.execute("INSERT INTO datacenters (code, name, shards) VALUES ('VA', 'Virginia', 4)");
        sharded.execute("INSERT INTO agents (name, datacenter_id, role, lease_epoch, shards, last_seen_at)"
                + " VALUES ('va-1', 1, 'leader', NULL, '0-1', now()), ('va-2', 1, 'leader', NULL, '2-3', now()),"
                + " ('va-3', 1, 'standby', NULL, NULL, now())");
        sharded.execute("INSERT INTO datacenter_leases (datacenter_id, shard, epoch, holder_agent_id, acquired_at)"
                + " VALUES (1, 0, 3, 1, now()), (1, 1, 2, 1, now()), (1, 2, 5, 2, now()), (1, 3, 1, 2, now())");

        var r = StatusQuery.load(sharded.jdbi(), Clock.systemUTC());

        assertThat(r.agents())
                .extracting(a -> a.name(), a -> a.role(), a -> a.epoch(), a -> a.shards())
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("va-1", "leader", null, "0-1"),
                        org.assertj.core.groups.Tuple.tuple("va-2", "leader", null, "2-3"),
                        org.assertj.core.groups.Tuple.tuple("va-3", "standby", null, null));
        assertThat(StatusTable.leases(r.agents().getFirst())).isEqualTo("shards 0-1");
    }

    @Test
    void anEmptyDatabaseGivesAnEmptyHealthyReport(@Fresh TestDatabase empty) {
        var r = StatusQuery.load(empty.jdbi(), Clock.fixed(NOW, ZoneOffset.UTC));

        assertThat(r.monitors()).isEmpty();
        assertThat(r.agents()).isEmpty();
        assertThat(r.invalidConfig()).isEmpty();
        assertThat(r.healthy()).isTrue();
    }
    /**
     * A monitor added six minutes ago, probed every 5 s from VA (72 results, one in maintenance, one slow, one
     * timeout, one refused) and every 30 s from NY (12 results): the bars and the early sparkline.
     */
    @Test
    void theBarsHoldTheLastSixtyResultsOldestFirstAndANewMonitorsSparklineIsPerMinute(@Fresh TestDatabase fresh) {
        fresh.execute(
                "SELECT vantage_ensure_heartbeat_partitions((?::timestamptz AT TIME ZONE 'UTC')::date - 1, 3)",
                StatusSeed.ago(NOW, java.time.Duration.ZERO));
        fresh.execute("INSERT INTO datacenters (code, name) VALUES ('VA', 'Virginia'), ('NY', 'New York')");
        fresh.execute("INSERT INTO schedules (name, interval) VALUES ('every 5 s', 5)");
        fresh.execute("INSERT INTO api_monitors (name, url, schedule_id) VALUES ('New API', 'https://n.example/', 1)");
        fresh.execute("INSERT INTO datacenter_monitors VALUES (1, 1), (2, 1)");
        fresh.execute(
                """
                INSERT INTO api_heartbeats (monitor_id, datacenter_id, scheduled_at, executed_at, success,
                                            response_time_ms, warning_threshold_ms, error_type, error_message,
                                            in_maintenance)
                SELECT 1, 1, t, t, i NOT IN (70, 71), CASE WHEN i NOT IN (70, 71) THEN 100 + i END,
                       CASE WHEN i = 69 THEN 150 END,
                       CASE i WHEN 70 THEN 'TIMEOUT' WHEN 71 THEN 'CONNECT' END,
                       CASE i WHEN 70 THEN 'no answer within 10 s' WHEN 71 THEN 'refused' END, i = 20
                FROM generate_series(0, 71) i, LATERAL (SELECT ?::timestamptz - (72 - i) * interval '5 s' AS t) x
                """,
                StatusSeed.ago(NOW, java.time.Duration.ZERO));
        fresh.execute(
                """
                INSERT INTO api_heartbeats (monitor_id, datacenter_id, scheduled_at, executed_at, success,
                                            response_time_ms)
                SELECT 1, 2, t, t, true, 300 FROM generate_series(0, 11) i,
                       LATERAL (SELECT ?::timestamptz - (12 - i) * interval '30 s' AS t) x
                """,
                StatusSeed.ago(NOW, java.time.Duration.ZERO));

        var m = StatusQuery.load(fresh.jdbi(), Clock.fixed(NOW, ZoneOffset.UTC))
                .monitors()
                .getFirst();

        var va = m.in("VA").orElseThrow().recent();
        assertThat(va).hasSize(StatusReport.Result.BAR);
        assertThat(va.getFirst().at()).isEqualTo(NOW.minusSeconds(5 * 60));
        assertThat(va.getLast().at()).isEqualTo(NOW.minusSeconds(5));
        assertThat(va).isSortedAccordingTo(java.util.Comparator.comparing(StatusReport.Result::at));
        assertThat(m.in("VA").orElseThrow().recentResults()).isEqualTo("U".repeat(8) + "M" + "U".repeat(48) + "STD");
        assertThat(va.get(58).error()).isEqualTo("TIMEOUT: no answer within 10 s");
        assertThat(va.get(59).error()).isEqualTo("CONNECT: refused");
        assertThat(va.get(57).ms()).isEqualTo(169.0);
        assertThat(m.in("NY").orElseThrow().recentResults()).isEqualTo("U".repeat(12));
        // Six minutes of data: the hourly series has one or two hours, the page draws minutes instead.
        assertThat(ResultBar.minuteMedians(m)).hasSizeBetween(6, 7);
        assertThat(StatusPage.sparkline(m)).contains("p50 latency per minute");
    }
}
