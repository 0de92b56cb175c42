package dev.vantage.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A real Prometheus Alertmanager (Debian's {@code prometheus-alertmanager}) on a port of 127.0.0.1 of its own, its
 * configuration, data and log in {@code target/prometheus-alertmanager-<port>/}, clustering off. Its one route sends
 * to a receiver with no integrations: the tests read alerts back through the API, and nothing leaves the machine.
 * Ready once {@code GET /-/ready} answers 200. Close it (try-with-resources or an {@code @AfterAll}): it is killed
 * then. A missing binary fails the test, as for {@link NatsServer}.
 */
public final class AlertmanagerServer implements AutoCloseable {
    static final String CONFIG =
            """
            route:
              receiver: nowhere
              group_wait: 1s
            receivers:
              - name: nowhere
            """;

    private final ServerProcess process;

    private AlertmanagerServer(ServerProcess process) {
        this.process = process;
    }

    /**
     * Starts a server.
     *
     * @throws IllegalStateException when {@code prometheus-alertmanager} is not installed, or does not get ready
     *     within 30 s
     */
    public static AlertmanagerServer create() {
        return new AlertmanagerServer(ServerProcess.launch(
                "prometheus-alertmanager",
                "prometheus-alertmanager",
                (port, directory) -> List.of(
                        "--config.file=" + writeConfig(directory),
                        "--storage.path=" + directory.resolve("data"),
                        "--web.listen-address=127.0.0.1:" + port,
                        "--cluster.listen-address=",
                        "--log.level=info"),
                AlertmanagerServer::isReady));
    }

    private static Path writeConfig(Path directory) {
        try {
            return Files.writeString(directory.resolve("alertmanager.yml"), CONFIG, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean isReady(Socket socket) throws IOException {
        socket.getOutputStream()
                .write("GET /-/ready HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        var in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
        String status = in.readLine();
        return status != null && status.matches("HTTP/1\\.[01] 200.*");
    }

    /** {@code http://127.0.0.1:<port>}. */
    public String url() {
        return "http://127.0.0.1:" + process.port();
    }

    public int port() {
        return process.port();
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
