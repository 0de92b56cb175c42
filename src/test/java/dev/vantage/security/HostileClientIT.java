package dev.vantage.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vantage.testing.AgentProcess;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile HTTP clients against a real {@code vantage monitor} JVM (the server every long-running command shares), on
 * loopback: clients that send their headers a byte at a time, and more connections than the server may hold. The
 * monitor is pointed at a database port where nothing listens and told to wait for it: its HTTP server starts first
 * and serves meanwhile, so the test needs no database. The limits are JVM-wide (the JDK reads them once), hence a JVM
 * of its own per case.
 */
@Timeout(120)
class HostileClientIT {
    private static final Pattern HTTP_ON = Pattern.compile("HTTP on 127\\.0\\.0\\.1:(\\d+)");
    private static final Duration START = Duration.ofSeconds(60);

    private final List<Socket> sockets = new ArrayList<>();
    private final ScheduledExecutorService drip = Executors.newSingleThreadScheduledExecutor();

    @AfterEach
    void closeClients() {
        drip.shutdownNow();
        for (Socket s : sockets) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing a socket the server already cut
            }
        }
    }

    @Test
    void clientsThatSendTheirHeadersSlowlyAreCutAtTheRequestDeadlineWhileOthersAreServed(
            @TempDir(cleanup = CleanupMode.ON_SUCCESS) Path logs) throws Exception {
        try (var monitor = start(logs, "slow", Map.of("VANTAGE_HTTP_REQUEST_TIMEOUT", "2"))) {
            int port = port(monitor);
            var slow = new ArrayList<SlowClient>();
            for (int i = 0; i < 20; i++) {
                slow.add(slowClient(port));
            }
            // A normal client is served while the slow ones are held.
            assertThat(get(port, "/healthz")).isEqualTo(200);

            Awaitility.await("every slow client is cut by the server")
                    .atMost(Duration.ofSeconds(20))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> slow.stream().filter(SlowClient::open).count(), n -> n == 0);
            assertThat(get(port, "/healthz")).isEqualTo(200);
        }
    }

    @Test
    void connectionsBeyondTheCapAreClosedAtOnceAndHoldNoFileOfTheProcess(
            @TempDir(cleanup = CleanupMode.ON_SUCCESS) Path logs) throws Exception {
        int cap = 20;
        try (var monitor = start(
                logs,
                "capped",
                Map.of("VANTAGE_HTTP_MAX_CONNECTIONS", Integer.toString(cap), "VANTAGE_HTTP_REQUEST_TIMEOUT", "60"))) {
            int port = port(monitor);
            assertThat(get(port, "/healthz")).isEqualTo(200);
            long filesBefore = openFiles(monitor.pid());

            var held = new ArrayList<SlowClient>();
            for (int i = 0; i < cap; i++) {
                held.add(slowClient(port));
            }
            // Accepted in order: the first `cap` are held, every further one is closed by the server.
            var beyond = new ArrayList<Socket>();
            for (int i = 0; i < 200; i++) {
                beyond.add(connect(port));
            }
            for (Socket s : beyond) {
                assertThat(closedByServer(s, Duration.ofSeconds(5)))
                        .as("a connection beyond the cap of %d is closed at once", cap)
                        .isTrue();
            }
            assertThat(held).allMatch(SlowClient::open);
            assertThat(openFiles(monitor.pid()))
                    .as("the process holds a file per connection it keeps, none for those it refused")
                    .isLessThan(filesBefore + cap + 20);

            // Once the slow clients go, others are served again.
            for (SlowClient c : held) {
                c.socket().close();
            }
            Awaitility.await("/healthz is served again")
                    .atMost(Duration.ofSeconds(10))
                    .pollInterval(Duration.ofMillis(200))
                    .ignoreExceptions()
                    .until(() -> get(port, "/healthz") == 200);
        }
    }

    @Test
    void aClientThatNeverReadsItsResponsesIsCutAtTheResponseDeadline(
            @TempDir(cleanup = CleanupMode.ON_SUCCESS) Path logs) throws Exception {
        try (var monitor = start(logs, "unread", Map.of("VANTAGE_HTTP_RESPONSE_TIMEOUT", "2"))) {
            int port = port(monitor);
            assertThat(get(port, "/healthz")).isEqualTo(200);

            // Requests sent back to back, answers never read: once the socket buffers are full the server's write
            // blocks, until the deadline closes the connection.
            var socket = new Socket();
            sockets.add(socket);
            socket.setReceiveBufferSize(4096);
            socket.connect(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            byte[] request = "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
            var cut = new java.util.concurrent.CompletableFuture<IOException>();
            Thread.ofVirtual().start(() -> {
                try {
                    while (true) {
                        socket.getOutputStream().write(request);
                    }
                } catch (IOException e) {
                    cut.complete(e); // reset or closed by the server
                }
            });
            Awaitility.await("the server cuts the client that never reads")
                    .atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(250))
                    .until(cut::isDone);
            assertThat(get(port, "/healthz")).isEqualTo(200);
        }
    }

    private static AgentProcess start(Path logs, String name, Map<String, String> settings) {
        var env = new HashMap<String, String>(settings);
        // Nothing listens on port 9 of loopback: the monitor waits for its database, its HTTP server serves.
        env.put("DB_CONN_STRING", "postgres://vantage@127.0.0.1:9/vantage");
        env.put("VANTAGE_DB_WAIT", "600");
        env.put("VANTAGE_HTTP_ADDRESS", "127.0.0.1");
        return AgentProcess.startMonitor(name, env, logs);
    }

    private static int port(AgentProcess monitor) {
        var matcher = HTTP_ON.matcher(monitor.awaitLog("HTTP on", START));
        assertThat(matcher.find()).isTrue();
        return Integer.parseInt(matcher.group(1));
    }

    /**
     * The status code of {@code GET path}, on a connection of its own that the server closes after the answer (read
     * to its end here): no keep-alive connection of the test's stays open and counts against the cap.
     */
    private static int get(int port, String path) throws IOException {
        try (var socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(5_000);
            socket.getOutputStream()
                    .write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
            String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            if (!answer.startsWith("HTTP/1.1 ")) {
                throw new IOException("not an HTTP answer: '" + answer + "'");
            }
            return Integer.parseInt(answer.substring(9, 12));
        }
    }

    private Socket connect(int port) throws IOException {
        var socket = new Socket(InetAddress.getLoopbackAddress(), port);
        sockets.add(socket);
        return socket;
    }

    /** A client that sends a request line, then one header byte every 300 ms and never ends its headers. */
    private SlowClient slowClient(int port) throws IOException {
        var client = new SlowClient(connect(port), new ConcurrentHashMap<>());
        OutputStream out = client.socket().getOutputStream();
        out.write("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        drip.scheduleWithFixedDelay(
                () -> {
                    if (!client.open()) {
                        return;
                    }
                    try {
                        out.write('a');
                        out.flush();
                    } catch (IOException e) {
                        client.state().put("closed", true);
                    }
                },
                300,
                300,
                TimeUnit.MILLISECONDS);
        Thread.ofVirtual().start(() -> {
            // The server answers nothing before the headers end: whatever the read returns means it closed.
            try (InputStream in = client.socket().getInputStream()) {
                in.read();
            } catch (IOException e) {
                // reset or closed: closed either way
            }
            client.state().put("closed", true);
        });
        return client;
    }

    private record SlowClient(Socket socket, Map<String, Boolean> state) {
        boolean open() {
            return !state.containsKey("closed");
        }
    }

    /** Whether the server closes (or resets) the connection within {@code within}, without answering. */
    private static boolean closedByServer(Socket socket, Duration within) throws IOException {
        socket.setSoTimeout((int) within.toMillis());
        try {
            return socket.getInputStream().read() == -1;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true; // connection reset
        }
    }

    private static long openFiles(long pid) throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            return fds.count();
        }
    }
}
