package dev.vantage.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A real {@code redis-server} (Debian's package) on a port of 127.0.0.1 of its own, its data and log in
 * {@code target/redis-server-<port>/}, with no configuration file (Redis's defaults, not the system's). Ready once it
 * answers {@code PING} (or refuses it for want of a password: it is serving). It keeps an append-only file, which a
 * graceful {@link #stop()} flushes, so that data survives a {@link #start()} on the same port, as on a real server.
 * Close it (try-with-resources or an {@code @AfterAll}): it is killed then.
 *
 * <pre>{@code
 * try (var redis = RedisServer.create("--requirepass", password)) {
 *     ... redis.url() ...
 * }
 * }</pre>
 */
public final class RedisServer implements AutoCloseable {
    private final ServerProcess process;

    private RedisServer(ServerProcess process) {
        this.process = process;
    }

    /**
     * Starts a server; {@code extraArguments} are added to its command line as configuration directives, e.g.
     * {@code "--requirepass", "secret"} or {@code "--stream-node-max-entries", "10"}.
     *
     * @throws IllegalStateException when {@code redis-server} is not installed, or does not get ready within 30 s
     */
    public static RedisServer create(String... extraArguments) {
        return new RedisServer(ServerProcess.launch(
                "redis-server",
                "redis-server",
                (port, directory) -> {
                    var args = new ArrayList<>(List.of(
                            "--port",
                            Integer.toString(port),
                            "--bind",
                            "127.0.0.1",
                            "--dir",
                            directory.toString(),
                            "--daemonize",
                            "no",
                            "--logfile",
                            "",
                            "--save",
                            "",
                            "--appendonly",
                            "yes",
                            "--appendfsync",
                            "no"));
                    args.addAll(List.of(extraArguments));
                    return args;
                },
                RedisServer::answersPing));
    }

    /** An inline PING: {@code +PONG}, or {@code -NOAUTH} from a server that wants a password; not {@code -LOADING}. */
    private static boolean answersPing(Socket socket) throws IOException {
        socket.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
        var in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
        String answer = in.readLine();
        return answer != null && (answer.equals("+PONG") || answer.startsWith("-NOAUTH"));
    }

    /** {@code redis://127.0.0.1:<port>}. */
    public String url() {
        return "redis://127.0.0.1:" + port();
    }

    public int port() {
        return process.port();
    }

    /** Where the server keeps its append-only file and its log. */
    public Path directory() {
        return process.directory();
    }

    /** The server's output, appended across restarts. */
    public Path log() {
        return process.log();
    }

    /** Starts the server again on its port and data, and waits until it is ready; does nothing when it runs. */
    public void start() {
        process.start();
    }

    /** SIGTERM: the server flushes its append-only file, closes every connection and exits; then its port refuses. */
    public void stop() {
        process.stop();
    }

    /** SIGKILL, as a crash. */
    public void kill() {
        process.kill();
    }

    public boolean isRunning() {
        return process.isRunning();
    }

    /** The last lines of the server's log, for failure messages. */
    public String tail() {
        return process.tail();
    }

    @Override
    public void close() {
        process.close();
    }

    @Override
    public String toString() {
        return process.toString();
    }
}
