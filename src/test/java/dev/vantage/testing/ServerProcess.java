package dev.vantage.testing;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/**
 * A server binary from a Debian package ({@code nats-server}, {@code redis-server}) run as a child process of the test
 * JVM on a port of 127.0.0.1: the part {@link NatsServer} and {@link RedisServer} share. It may be stopped and started
 * again on the same port and directory, so that a URL handed out before a {@link #stop()} is valid again after the
 * {@link #start()}, as it is when a real server restarts; the port is chosen below the ephemeral range
 * ({@link ServerPorts}) so that no other socket takes it in between. Output goes to {@code server.log} in the
 * directory, appended across restarts. {@link #close()} kills the process; a JVM shutdown hook kills whatever a failed
 * test left running.
 *
 * <p>A missing binary fails the test that needs it, with the command that installs it: a test of a notifier that
 * passed because its server was absent would prove nothing.
 */
public final class ServerProcess implements AutoCloseable {
    /** Where Debian puts the binaries; searched after PATH (a non-root PATH often lacks /usr/sbin). */
    private static final List<Path> SYSTEM_DIRECTORIES = List.of(Path.of("/usr/bin"), Path.of("/usr/sbin"));

    private static final Duration READY_WITHIN = Duration.ofSeconds(30);
    private static final Duration STOP_WITHIN = Duration.ofSeconds(10);
    private static final Set<Process> RUNNING = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime()
                .addShutdownHook(new Thread(() -> RUNNING.forEach(Process::destroyForcibly), "test-server-reaper"));
    }

    /** Whether a fresh connection finds the server ready to serve. Called until true or the deadline. */
    @FunctionalInterface
    interface Readiness {
        boolean test(Socket connected) throws IOException;
    }

    private final String name;
    private final List<String> command;
    private final int port;
    private final Path directory;
    private final Path log;
    private final Readiness readiness;
    private Process process; // null while stopped

    private ServerProcess(String name, List<String> command, int port, Path directory, Path log, Readiness readiness) {
        this.name = name;
        this.command = List.copyOf(command);
        this.port = port;
        this.directory = directory;
        this.log = log;
        this.readiness = readiness;
    }

    /**
     * Finds the binary, makes an empty {@code target/<binary>-<port>} directory, and starts the server there.
     *
     * @param arguments builds the command's arguments from the port and the directory
     */
    static ServerProcess launch(String binary, String debianPackage, Arguments arguments, Readiness readiness) {
        Path executable = find(binary)
                .orElseThrow(() -> new IllegalStateException(
                        binary + " not found: apt-get install " + debianPackage + " (.ci/run installs it)"));
        int port = ServerPorts.next();
        Path directory = Path.of("target", binary + "-" + port).toAbsolutePath();
        recreate(directory);
        var command = new ArrayList<String>();
        command.add(executable.toString());
        command.addAll(arguments.of(port, directory));
        var server = new ServerProcess(
                binary + " on port " + port, command, port, directory, directory.resolve("server.log"), readiness);
        server.start();
        return server;
    }

    /** The command line of a server, after its binary. */
    @FunctionalInterface
    interface Arguments {
        List<String> of(int port, Path directory);
    }

    /** The binary on PATH or in Debian's directories. */
    public static Optional<Path> find(String binary) {
        var directories = new ArrayList<Path>();
        String path = System.getenv("PATH");
        if (path != null) {
            for (String d : path.split(File.pathSeparator)) {
                if (!d.isBlank()) {
                    directories.add(Path.of(d));
                }
            }
        }
        directories.addAll(SYSTEM_DIRECTORIES);
        return directories.stream()
                .map(d -> d.resolve(binary))
                .filter(Files::isExecutable)
                .findFirst();
    }

    /** Starts the server and waits until it is ready; does nothing when it is running. */
    synchronized void start() {
        if (process != null) {
            return;
        }
        var builder = new ProcessBuilder(command)
                .directory(directory.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name, e);
        }
        RUNNING.add(process);
        Process started = process;
        started.onExit().thenRun(() -> RUNNING.remove(started));
        awaitReady(started);
    }

    private void awaitReady(Process started) {
        try {
            Awaitility.await(name + " ready")
                    .atMost(READY_WITHIN)
                    .pollDelay(Duration.ZERO)
                    .pollInterval(Duration.ofMillis(50))
                    .until(() -> !started.isAlive() || isReady());
        } catch (ConditionTimeoutException e) {
            kill();
            throw new IllegalStateException(name + " not ready within " + READY_WITHIN + "\n" + tail(), e);
        }
        if (!started.isAlive()) {
            process = null;
            throw new IllegalStateException(
                    name + " exited at start with status " + started.exitValue() + "\n" + tail());
        }
    }

    private boolean isReady() {
        try (var socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1_000);
            socket.setSoTimeout(1_000);
            return readiness.test(socket);
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Stops the server as an administrator does (SIGTERM: it closes every connection and exits), killing it if it has
     * not exited within 10 s, and checks that the port refuses connections; does nothing when it is stopped.
     */
    synchronized void stop() {
        if (process == null) {
            return;
        }
        Process stopping = process;
        process = null;
        stopping.destroy();
        if (!waitFor(stopping, STOP_WITHIN)) {
            stopping.destroyForcibly();
            waitFor(stopping, STOP_WITHIN);
        }
        if (accepts()) {
            throw new IllegalStateException(name + " still accepts connections after stop\n" + tail());
        }
    }

    /** SIGKILL, as a crash: nothing is flushed; does nothing when it is stopped. */
    synchronized void kill() {
        if (process == null) {
            return;
        }
        Process killed = process;
        process = null;
        killed.destroyForcibly();
        waitFor(killed, STOP_WITHIN);
    }

    synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    int port() {
        return port;
    }

    Path directory() {
        return directory;
    }

    Path log() {
        return log;
    }

    /** The last lines of the server's output, for failure messages. */
    String tail() {
        try {
            var lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return "--- last lines of " + log + " ---\n"
                    + String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(no log at " + log + ")";
        }
    }

    private boolean accepts() {
        try (var socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1_000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean waitFor(Process p, Duration timeout) {
        try {
            return p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** A leftover directory of an earlier run on the same port is removed: each server starts empty. */
    private static void recreate(Path directory) {
        try {
            if (Files.exists(directory)) {
                try (Stream<Path> paths = Files.walk(directory)) {
                    for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                        Files.delete(p);
                    }
                }
            }
            Files.createDirectories(directory);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare " + directory, e);
        }
    }

    /** Kills the server (SIGKILL) and waits for it to end. */
    @Override
    public void close() {
        kill();
    }

    @Override
    public String toString() {
        return name;
    }
}
