package dev.vantage.testing;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A real {@code nats-server} (Debian's package) with JetStream, on a port of 127.0.0.1 of its own, its store and log
 * in {@code target/nats-server-<port>/}. Ready once a client connection is greeted with an {@code INFO} that announces
 * JetStream. {@link #stop()} and {@link #start()} restart it on the same port and store (streams survive), for tests
 * of what a client does while it is away. Close it (try-with-resources or an {@code @AfterAll}): it is killed then.
 *
 * <pre>{@code
 * try (var nats = NatsServer.create()) {
 *     Connection c = Nats.connect(nats.url());
 * }
 * }</pre>
 */
public final class NatsServer implements AutoCloseable {
    private final ServerProcess process;

    private NatsServer(ServerProcess process) {
        this.process = process;
    }

    /**
     * Starts a server with JetStream; {@code extraArguments} are added to its command line, e.g.
     * {@code "--user", "u", "--pass", "p"}, {@code "--auth", "token"} or {@code "-c", "nats.conf"} (flags given here
     * take precedence over the file's settings).
     *
     * @throws IllegalStateException when {@code nats-server} is not installed, or does not get ready within 30 s
     */
    public static NatsServer create(String... extraArguments) {
        return new NatsServer(ServerProcess.launch(
                "nats-server",
                "nats-server",
                (port, directory) -> {
                    var args = new ArrayList<>(List.of(
                            "--addr",
                            "127.0.0.1",
                            "--port",
                            Integer.toString(port),
                            "--jetstream",
                            "--store_dir",
                            directory.resolve("store").toString()));
                    args.addAll(List.of(extraArguments));
                    return args;
                },
                NatsServer::greetsWithJetStream));
    }

    private static boolean greetsWithJetStream(Socket socket) throws java.io.IOException {
        var in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
        String info = in.readLine();
        return info != null && info.startsWith("INFO ") && info.contains("\"jetstream\":true");
    }

    /** {@code nats://127.0.0.1:<port>}. */
    public String url() {
        return "nats://127.0.0.1:" + port();
    }

    public int port() {
        return process.port();
    }

    /** Where the server keeps its JetStream store and its log. */
    public Path directory() {
        return process.directory();
    }

    /** The server's output, appended across restarts. */
    public Path log() {
        return process.log();
    }

    /** Starts the server again on its port and store, and waits until it is ready; does nothing when it runs. */
    public void start() {
        process.start();
    }

    /** SIGTERM: the server closes every client connection and exits; then its port refuses connections. */
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
