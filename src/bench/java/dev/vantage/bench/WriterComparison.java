package dev.vantage.bench;

import dev.vantage.config.DbConnection;
import dev.vantage.db.Database;
import dev.vantage.heartbeat.Heartbeat;
import dev.vantage.heartbeat.HeartbeatMeters;
import dev.vantage.heartbeat.HeartbeatRow;
import dev.vantage.heartbeat.HeartbeatWriter;
import dev.vantage.heartbeat.HeartbeatWriterSettings;
import dev.vantage.heartbeat.PartitionMaintainer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.IntFunction;
import java.util.function.IntPredicate;
import javax.sql.DataSource;

/**
 * {@code WriterBench <rows> <batch> compare=psql [rounds=N] [psql=/usr/bin/psql] [psqlBatch=N] [encode=before]}: the
 * same heartbeats written
 * through {@link HeartbeatWriter} and loaded by psql's {@code \copy ... (FORMAT binary)} (see {@link PsqlCopy}), in
 * interleaved rounds (writer, psql, writer, psql, ...) so that load from other processes hits both, each side into an
 * emptied api_heartbeats (TRUNCATE, then CHECKPOINT so no side inherits the other's dirty pages), with the same
 * indexes, trigger and ready partitions. Prints rows/s of each side and their ratio, PostgreSQL's CPU per row and the
 * rows' bytes on disk.
 *
 * <p>The heartbeats are generated before the first round. The writer gets them as probes give them (each producer
 * thread encodes its row in {@code offer}), psql as a file of the encoded rows written before the first round; psql's
 * time runs from its start to its exit (connection included), the writer's from the first offer to the last commit.
 * {@code psqlBatch=N} makes psql copy N rows per transaction (as the writer commits a batch), {@code encode=before}
 * gives the writer rows encoded before the round, as psql's file is. With {@code
 * shared_preload_libraries=pg_stat_statements} among the server settings, each side's statements are printed.
 */
final class WriterComparison {
    private static final int PRODUCERS_DEPTH_BATCHES = 4;

    private WriterComparison() {}

    /** One side's figures in one round. */
    private record Side(double rowsPerSecond, double pgMicrosPerRow, double clientMicrosPerRow, double load) {}

    static void run(
            BenchPostgres pg,
            DbConnection as,
            int rows,
            int batchSize,
            int rounds,
            Path psql,
            int psqlRowsPerCopy,
            boolean encodeBefore,
            IntFunction<Heartbeat> generate)
            throws Exception {
        var heartbeats = new ArrayList<Heartbeat>(rows);
        for (int i = 0; i < rows; i++) {
            heartbeats.add(generate.apply(i));
        }
        Path directory = Files.createTempDirectory("vantage-writer-compare");
        PsqlCopy copy = null;
        try (var pool = Database.pool(as, "bench", 4);
                var admin = Database.dedicated(pg.connection(), "bench-admin")) {
            try (var partitions = PartitionMaintainer.start(
                    pool, Clock.systemUTC(), Duration.ofHours(1), new SimpleMeterRegistry())) {
                partitions.ensureNow();
            }
            boolean statements = enableStatements(admin);
            List<HeartbeatRow> encoded =
                    heartbeats.stream().map(HeartbeatRow::of).toList();
            copy = PsqlCopy.prepare(
                    psql, directory, HeartbeatWriter.COLUMNS, encoded, psqlRowsPerCopy > 0 ? psqlRowsPerCopy : rows);
            System.gc(); // the heartbeats live through every round: promote them now, not in the first window
            var settings = HeartbeatWriterSettings.DEFAULTS
                    .withBatchSize(batchSize)
                    .withShutdownDeadline(Duration.ofMinutes(5));
            System.out.printf(
                    "compare: %,d heartbeats, writer batch %,d, linger %d ms; psql: %,d binary COPY files of %,d bytes"
                            + " (%.0f B/row), one transaction each; %d rounds, %d cores%n",
                    rows,
                    batchSize,
                    settings.linger().toMillis(),
                    copy.copies(),
                    copy.fileBytes(),
                    copy.fileBytes() / (double) rows,
                    rounds,
                    Runtime.getRuntime().availableProcessors());
            var ratios = new ArrayList<Double>();
            for (int round = 1; round <= rounds; round++) {
                Side writer = measure(
                        pg,
                        admin,
                        rows,
                        statements,
                        () -> write(
                                pool,
                                settings,
                                rows,
                                encodeBefore
                                        ? w -> i -> w.offer(encoded.get(i))
                                        : w -> i -> w.offer(heartbeats.get(i))));
                printBytes(admin, rows);
                var psqlSide = copy;
                Side reference = measure(pg, admin, rows, statements, () -> psqlSide.run(as, pg.port()));
                double ratio = writer.rowsPerSecond() / reference.rowsPerSecond();
                ratios.add(ratio);
                System.out.printf(
                        "round %d: writer %,.0f rows/s (PostgreSQL %.1f µs/row, bench JVM %.1f µs/row, load %.2f);"
                                + " psql %,.0f rows/s (PostgreSQL %.1f µs/row, load %.2f); ratio %.2f%n",
                        round,
                        writer.rowsPerSecond(),
                        writer.pgMicrosPerRow(),
                        writer.clientMicrosPerRow(),
                        writer.load(),
                        reference.rowsPerSecond(),
                        reference.pgMicrosPerRow(),
                        reference.load(),
                        ratio);
            }
            System.out.printf(
                    "ratio writer/psql: median %.2f, min %.2f, max %.2f%n",
                    median(ratios),
                    ratios.stream().mapToDouble(d -> d).min().orElseThrow(),
                    ratios.stream().mapToDouble(d -> d).max().orElseThrow());
        } finally {
            if (copy != null) {
                copy.delete();
            }
        }
    }

    private interface Load {
        void run() throws Exception;
    }

    /** Empties the table, runs one side, and checks that it left every row. */
    private static Side measure(BenchPostgres pg, Connection admin, int rows, boolean statements, Load load)
            throws Exception {
        try (var s = admin.createStatement()) {
            s.execute("TRUNCATE api_heartbeats");
            s.execute("CHECKPOINT");
            if (statements) {
                s.execute("SELECT pg_stat_statements_reset()");
            }
        }
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        double loadAverage = os.getSystemLoadAverage();
        long pgBefore = pg.cpuTicks();
        long jvmBefore = os.getProcessCpuTime();
        long start = System.nanoTime();
        load.run();
        long end = System.nanoTime();
        long jvmAfter = os.getProcessCpuTime();
        long pgAfter = pg.cpuTicks();
        if (statements) {
            printStatements(admin);
        }
        long count = count(admin);
        if (count != rows) {
            throw new IllegalStateException(count + " rows in api_heartbeats after a side, expected " + rows);
        }
        return new Side(
                rows / ((end - start) / 1e9),
                (pgAfter - pgBefore) * 10_000.0 / rows,
                (jvmAfter - jvmBefore) / 1_000.0 / rows,
                loadAverage);
    }

    /**
     * Through a fresh writer, from the first offer to the last commit, as {@link WriterBench} measures; {@code offer}
     * offers heartbeat i to the writer.
     */
    private static void write(
            DataSource pool, HeartbeatWriterSettings settings, int rows, Function<HeartbeatWriter, IntPredicate> offer)
            throws Exception {
        var registry = new SimpleMeterRegistry();
        var written = registry.counter(HeartbeatMeters.WRITTEN);
        try (var writer = HeartbeatWriter.start(pool, settings, registry)) {
            var depth = registry.get(HeartbeatMeters.QUEUE_DEPTH).gauge();
            double deep = PRODUCERS_DEPTH_BATCHES * (double) settings.batchSize();
            WriterBench.offerConcurrently(offer.apply(writer), rows, () -> depth.value() > deep);
            WriterBench.waitFor(() -> written.count() >= rows);
        }
        double dropped = WriterBench.sum(registry, HeartbeatMeters.DROPPED);
        if (dropped > 0) {
            throw new IllegalStateException("the writer dropped " + dropped + " heartbeats");
        }
    }

    /** With pg_stat_statements preloaded (a server setting), installs it; whether it is there. */
    private static boolean enableStatements(Connection admin) throws SQLException {
        try (var s = admin.createStatement();
                var rs = s.executeQuery("SHOW shared_preload_libraries")) {
            rs.next();
            if (!rs.getString(1).contains("pg_stat_statements")) {
                return false;
            }
            s.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
            return true;
        }
    }

    /** The server's time by statement since the last reset, most first. */
    private static void printStatements(Connection admin) throws SQLException {
        try (var s = admin.createStatement();
                var rs = s.executeQuery(
                        "SELECT calls, total_exec_time, left(regexp_replace(query, '\\s+', ' ', 'g'), 70)"
                                + " FROM pg_stat_statements WHERE query NOT LIKE '%pg_stat_statements%'"
                                + " ORDER BY total_exec_time DESC LIMIT 6")) {
            while (rs.next()) {
                System.out.printf("  %,8d calls %,10.1f ms  %s%n", rs.getLong(1), rs.getDouble(2), rs.getString(3));
            }
        }
    }

    private static long count(Connection admin) throws SQLException {
        try (var s = admin.createStatement();
                var rs = s.executeQuery("SELECT count(*) FROM api_heartbeats")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** The rows' size on disk: heap (with TOAST, free space and visibility maps) and indexes of every partition. */
    private static void printBytes(Connection admin, int rows) throws SQLException {
        try (var s = admin.createStatement();
                var rs = s.executeQuery("SELECT sum(pg_table_size(i.inhrelid)), sum(pg_indexes_size(i.inhrelid)),"
                        + " sum(pg_total_relation_size(i.inhrelid)) FROM pg_inherits i"
                        + " WHERE i.inhparent = 'api_heartbeats'::regclass")) {
            rs.next();
            System.out.printf(
                    "on disk after the writer: table %.0f B/row, indexes %.0f B/row, total %.0f B/row%n",
                    rs.getLong(1) / (double) rows, rs.getLong(2) / (double) rows, rs.getLong(3) / (double) rows);
        }
    }

    private static double median(List<Double> values) {
        var sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }
}
