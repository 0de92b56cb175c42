package dev.vantage.failover;

import static org.awaitility.Awaitility.await;

import dev.vantage.demo.DemoTargets;
import dev.vantage.failover.LeaseLedger.FirstRows;
import dev.vantage.failover.Replicas.Steady;
import dev.vantage.testing.AgentProcess;
import dev.vantage.testing.DatacenterSeed;
import dev.vantage.testing.StandalonePostgres;
import dev.vantage.testing.TestDatabase;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the failover scenarios share: a PostgreSQL server and loopback targets per class, and per scenario a fresh
 * database with one datacenter, its lease ledger, a journal directory and the agent replicas ({@link Replicas}), killed
 * after it. The scenarios are split over {@link FailoverIT} (SIGKILLs and the journal) and {@link FailoverOutageIT}
 * (freeze, partition, database outage) so that the two halves run beside each other in the integration-test forks.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class FailoverHarness {
    static final String DC = "VA";
    static final Duration INTERVAL = Duration.ofSeconds(1);
    static final int MONITORS = 5;
    static final Duration START = Duration.ofSeconds(90); // JVMs starting together on a small machine
    static final String LOST = "Lost lock for datacenter:" + DC;
    /**
     * How long a leader has probed every monitor before a scenario strikes, so that the slots checked before it are all
     * its own.
     */
    static final Duration SETTLED = Duration.ofSeconds(6);

    @TempDir
    static Path serverDirectory;

    StandalonePostgres pg;
    DemoTargets targets;

    TestDatabase db;
    DatacenterSeed seed;
    LeaseLedger ledger;
    Path journal;
    Replicas replicas;

    @BeforeAll
    void startServer() {
        pg = StandalonePostgres.create(serverDirectory.resolve("pg"));
        targets = DemoTargets.start();
    }

    @AfterAll
    void stopServer() {
        if (targets != null) {
            targets.close();
        }
        if (pg != null) {
            pg.close();
        }
    }

    @BeforeEach
    void newDatacenter(TestInfo test, @TempDir(cleanup = CleanupMode.ON_SUCCESS) Path dir) {
        db = pg.newDatabase(test.getTestMethod().orElseThrow().getName());
        seed = DatacenterSeed.seed(db, DC, targets.httpUrl("/fast"), MONITORS, INTERVAL);
        ledger = new LeaseLedger(db, seed);
        journal = dir.resolve("journal");
        var env = AgentProcess.env(pg.libpqUrl(db.name()), DC);
        env.put("VANTAGE_JOURNAL_DIR", journal.toString());
        // Takeovers are measured here, not first-probe timings: the warm-up's second of CPU per start (about forty
        // starts in this class) would only starve the other replicas on a small machine.
        env.put("VANTAGE_WARMUP", "false");
        replicas = new Replicas(ledger, seed, env, dir);
    }

    @AfterEach
    void killReplicas() {
        replicas.close();
        pg.start(); // a scenario that failed with the server stopped must not take the next one down with it
        db.close();
    }

    /** One SIGKILL of the leader and what followed, times from the kill. */
    record Takeover(int round, Instant killed, long fromEpoch, FirstRows first, Duration hole) {
        /** acquired_at: the lock was taken 200 ms before, and the new leader probes slots from here on. */
        Duration epochStart() {
            return Duration.between(killed, first.acquiredAt());
        }

        Duration firstProbe() {
            return Duration.between(killed, first.firstExecuted());
        }

        Duration firstRowWritten() {
            return Duration.between(killed, first.firstInserted());
        }

        Takeover withHole(Duration value) {
            return new Takeover(round, killed, fromEpoch, first, value);
        }
    }

    Instant everyMonitorProbedFrom(Steady steady) {
        try {
            return await("every monitor probed under epoch " + steady.epoch())
                    .atMost(ofSeconds(30))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> ledger.everyMonitorProbedFrom(steady.epoch()), Optional::isPresent)
                    .orElseThrow();
        } catch (ConditionTimeoutException e) {
            throw new AssertionError(e.getMessage() + "\n" + replicas.describe(), e);
        }
    }

    /** Waits up to {@code timeout} for every slot of {@code [from, to]}; what is still missing then. */
    List<String> awaitNoGaps(Instant from, Instant to, Duration timeout) {
        try {
            await("every slot of [" + from + ", " + to + "]")
                    .atMost(timeout)
                    .pollInterval(Duration.ofMillis(250))
                    .ignoreExceptions() // the test's own pool reconnecting after a restart
                    .until(() ->
                            Instant.now().isAfter(to) && ledger.gaps(from, to).isEmpty());
            return List.of();
        } catch (ConditionTimeoutException e) {
            var gaps = ledger.gaps(from, to);
            System.out.println(
                    "Missing after " + timeout + ":\n" + String.join("\n", gaps) + "\n" + replicas.describe());
            return gaps;
        }
    }

    void awaitRows(String where, Duration timeout, Object... args) {
        try {
            await(where)
                    .atMost(timeout)
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> ledger.count(where, args) > 0);
        } catch (ConditionTimeoutException e) {
            throw new AssertionError(e.getMessage() + "\n" + replicas.describe(), e);
        }
    }

    /** The scenario's own timing (how long a freeze or an outage lasts), not a wait for a condition. */
    static void holdUntil(Instant until) throws InterruptedException {
        long millis = Duration.between(Instant.now(), until).toMillis();
        if (millis > 0) {
            Thread.sleep(millis);
        }
    }

    static long bytesUnder(Path directory) {
        if (!Files.isDirectory(directory)) {
            return 0;
        }
        try (var files = Files.walk(directory)) {
            return files.filter(Files::isRegularFile)
                    .mapToLong(f -> {
                        try {
                            return Files.size(f);
                        } catch (IOException e) {
                            return 0; // removed while walking: a segment replayed and deleted
                        }
                    })
                    .sum();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void printTakeovers(List<Takeover> takeovers) {
        var out = new StringBuilder(String.format(
                "FailoverIT SIGKILL of the leader, %d rounds, 3 replicas, %d monitors every %s, times from the kill:%n",
                takeovers.size(), MONITORS, seconds(INTERVAL)));
        out.append(String.format(
                "%5s  %-9s  %11s  %11s  %17s  %12s%n",
                "round", "epoch", "epoch start", "first probe", "first row written", "largest hole"));
        for (Takeover t : takeovers) {
            out.append(String.format(
                    "%5d  %-9s  %11s  %11s  %17s  %12s%n",
                    t.round(),
                    t.fromEpoch() + " -> " + t.first().epoch(),
                    seconds(t.epochStart()),
                    seconds(t.firstProbe()),
                    seconds(t.firstRowWritten()),
                    seconds(t.hole())));
        }
        out.append(String.format(
                "median: epoch start %s, first probe %s, first row written %s, largest hole %s; max first row written"
                        + " %s%n",
                seconds(median(takeovers.stream().map(Takeover::epochStart).toList())),
                seconds(median(takeovers.stream().map(Takeover::firstProbe).toList())),
                seconds(median(takeovers.stream().map(Takeover::firstRowWritten).toList())),
                seconds(median(takeovers.stream().map(Takeover::hole).toList())),
                seconds(takeovers.stream()
                        .map(Takeover::firstRowWritten)
                        .max(Comparator.naturalOrder())
                        .orElseThrow())));
        System.out.print(out);
    }

    static Duration median(List<Duration> values) {
        var sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1
                ? sorted.get(n / 2)
                : sorted.get(n / 2 - 1).plus(sorted.get(n / 2)).dividedBy(2);
    }

    static String seconds(Duration d) {
        return String.format("%.3f s", d.toNanos() / 1e9);
    }

    static Duration ofSeconds(long seconds) {
        return Duration.ofSeconds(seconds);
    }
}
