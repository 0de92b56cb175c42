package dev.vantage.demo;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A {@code nats-server} for the demo's NATS heartbeat, when one is installed (Debian: {@code apt-get install
 * nats-server}): a child process on a free port of 127.0.0.1, killed when the demo stops. The demo needs nothing but a
 * JDK, so without the binary it simply runs without NATS and says so.
 */
final class DemoNats implements AutoCloseable {
    private static final List<Path> SYSTEM_DIRECTORIES = List.of(Path.of("/usr/bin"), Path.of("/usr/sbin"));
    private static final long START_DEADLINE_MS = 10_000;

    private final Process process;
    private final int port;

    private DemoNats(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /** Starts one, or empty when no {@code nats-server} is installed. */
    static Optional<DemoNats> startIfInstalled(Path directory) throws IOException {
        Optional<Path> binary = find();
        if (binary.isEmpty()) {
            return Optional.empty();
        }
        int port;
        try (var socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        Files.createDirectories(directory);
        Process process = new ProcessBuilder(binary.get().toString(), "-a", "127.0.0.1", "-p", Integer.toString(port))
                .redirectErrorStream(true)
                .redirectOutput(directory.resolve("nats-server.log").toFile())
                .start();
        var nats = new DemoNats(process, port);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(START_DEADLINE_MS);
        while (!nats.listening()) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                nats.close();
                throw new IOException("nats-server did not start on 127.0.0.1:" + port + "; see "
                        + directory.resolve("nats-server.log"));
            }
            try {
                TimeUnit.MILLISECONDS.sleep(20); // polling for the port, with a deadline
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                nats.close();
                throw new IOException("interrupted while nats-server started", e);
            }
        }
        return Optional.of(nats);
    }

    String url() {
        return "nats://127.0.0.1:" + port;
    }

    private boolean listening() {
        try (var socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static Optional<Path> find() {
        var candidates = new ArrayList<Path>();
        String path = System.getenv("PATH");
        if (path != null) {
            for (String dir : path.split(File.pathSeparator)) {
                if (!dir.isEmpty()) {
                    candidates.add(Path.of(dir));
                }
            }
        }
        candidates.addAll(SYSTEM_DIRECTORIES);
        return candidates.stream()
                .map(d -> d.resolve("nats-server"))
                .filter(Files::isExecutable)
                .findFirst();
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
