package dev.vantage.bench;

import dev.vantage.config.DbConnection;
import dev.vantage.heartbeat.HeartbeatRow;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The reference of the writer comparison: psql's {@code \copy api_heartbeats (...) FROM 'file' (FORMAT binary)}, the
 * fastest way PostgreSQL's own client loads rows, fed the very tuples the writer sends. Binary because it is the
 * cheapest input for the server (no parsing of timestamps and numbers; see BENCHMARKS.md) and the format the writer
 * uses, so both sides make the server do the same work per row.
 */
final class PsqlCopy {
    /** PostgreSQL's binary COPY file header (signature, flags, header extension length) and trailer. */
    private static final byte[] HEADER = {
        'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xff, '\r', '\n', 0, 0, 0, 0, 0, 0, 0, 0, 0
    };

    private static final byte[] TRAILER = {(byte) 0xff, (byte) 0xff};

    private final Path psql;
    private final Path directory;
    private final int rows;
    private final int copies;

    private PsqlCopy(Path psql, Path directory, int rows, int copies) {
        this.psql = psql;
        this.directory = directory;
        this.rows = rows;
        this.copies = copies;
    }

    /**
     * Writes the rows to binary COPY files in {@code directory}, {@code rowsPerCopy} to a file, and a psql script that
     * copies each file in its own transaction: one file of every row is psql at its fastest; files of a batch's rows
     * show what committing every batch costs the server.
     */
    static PsqlCopy prepare(Path psql, Path directory, String columns, List<HeartbeatRow> rows, int rowsPerCopy)
            throws IOException {
        if (!Files.isExecutable(psql)) {
            throw new IllegalArgumentException("psql " + psql + " is not an executable file");
        }
        var script = new StringBuilder("SELECT pg_backend_pid();\n");
        int copies = 0;
        for (int first = 0; first < rows.size(); first += rowsPerCopy, copies++) {
            Path file = directory.resolve("heartbeats-%05d.copy".formatted(copies));
            try (var out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 20)) {
                out.write(HEADER);
                for (HeartbeatRow row : rows.subList(first, Math.min(rows.size(), first + rowsPerCopy))) {
                    out.write(row.line());
                }
                out.write(TRAILER);
            }
            script.append("\\copy api_heartbeats (")
                    .append(columns)
                    .append(") FROM '")
                    .append(file)
                    .append("' (FORMAT binary)\n");
        }
        Files.writeString(directory.resolve("copy.sql"), script);
        return new PsqlCopy(psql, directory, rows.size(), copies);
    }

    /** The binary COPY files' size. */
    long fileBytes() throws IOException {
        try (var files = Files.list(directory)) {
            long bytes = 0;
            for (Path f : files.filter(f -> f.toString().endsWith(".copy")).toList()) {
                bytes += Files.size(f);
            }
            return bytes;
        }
    }

    int copies() {
        return copies;
    }

    /** Removes the files and the directory. */
    void delete() throws IOException {
        try (var files = Files.list(directory)) {
            for (Path f : files.toList()) {
                Files.delete(f);
            }
        }
        Files.delete(directory);
    }

    /**
     * Runs psql once and waits for it, and for its server process to be gone, so that the server's CPU read next
     * includes that backend's; fails unless psql copied every row.
     */
    void run(DbConnection db, int port) throws IOException, InterruptedException {
        var builder = new ProcessBuilder(
                        psql.toString(),
                        "-X",
                        "-A",
                        "-t",
                        "-q",
                        "-v",
                        "ON_ERROR_STOP=1",
                        "-h",
                        "127.0.0.1",
                        "-p",
                        Integer.toString(port),
                        "-U",
                        db.user(),
                        "-d",
                        "vantage",
                        "-f",
                        directory.resolve("copy.sql").toString())
                .redirectErrorStream(true);
        builder.environment().put("PGPASSWORD", db.password());
        Process p = builder.start();
        String output = new String(p.getInputStream().readAllBytes()).strip();
        if (!p.waitFor(10, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new IllegalStateException("psql did not finish within 10 minutes");
        }
        String[] lines = output.split("\n");
        if (p.exitValue() != 0 || lines.length == 0 || !lines[0].matches("[0-9]+")) {
            throw new IllegalStateException("psql exited with " + p.exitValue() + ": " + output);
        }
        awaitGone(Long.parseLong(lines[0]));
    }

    /** Waits until the postmaster has reaped the backend, which adds its CPU time to the postmaster's cutime. */
    private static void awaitGone(long backend) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (Files.exists(Path.of("/proc", Long.toString(backend)))) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("psql's server process " + backend + " still exists after 10 s");
            }
            TimeUnit.MILLISECONDS.sleep(1);
        }
    }
}
