package dev.vantage.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The proxy between a client socket and a target the test accepts itself, so the test holds both ends. "Silent" is
 * checked as a read that times out (300 ms): not data, not an end of stream, not a reset.
 */
@Timeout(30)
class TcpProxyIT {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private static final int SILENCE_MILLIS = 300;
    private static final int READ_MILLIS = 5_000;

    private ServerSocket target;
    private TcpProxy proxy;

    @BeforeEach
    void start() throws IOException {
        target = new ServerSocket(0, 50, LOOPBACK);
        target.setSoTimeout(READ_MILLIS);
        proxy = TcpProxy.start(target.getLocalPort());
    }

    @AfterEach
    void stop() throws IOException {
        proxy.close();
        target.close();
    }

    private Socket client() throws IOException {
        var socket = new Socket();
        socket.connect(new InetSocketAddress(LOOPBACK, proxy.port()), READ_MILLIS);
        socket.setSoTimeout(READ_MILLIS);
        return socket;
    }

    private Socket accepted() throws IOException {
        Socket socket = target.accept();
        socket.setSoTimeout(READ_MILLIS);
        return socket;
    }

    private static void send(Socket socket, String text) throws IOException {
        socket.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
        socket.getOutputStream().flush();
    }

    private static String receive(Socket socket, int length) throws IOException {
        byte[] bytes = socket.getInputStream().readNBytes(length);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** Nothing arrives, and the connection is neither ended nor reset: the read just times out. */
    private static void assertSilent(Socket socket) throws IOException {
        socket.setSoTimeout(SILENCE_MILLIS);
        assertThatThrownBy(() -> socket.getInputStream().read()).isInstanceOf(SocketTimeoutException.class);
        socket.setSoTimeout(READ_MILLIS);
    }

    @Test
    void bytesFlowBothWaysUnchanged() throws Exception {
        try (var client = client();
                var upstream = accepted()) {
            send(client, "ping");
            assertThat(receive(upstream, 4)).isEqualTo("ping");
            send(upstream, "pong");
            assertThat(receive(client, 4)).isEqualTo("pong");

            byte[] big = new byte[1 << 20];
            new Random(42).nextBytes(big);
            var received = CompletableFuture.supplyAsync(() -> {
                try {
                    return upstream.getInputStream().readNBytes(big.length);
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            client.getOutputStream().write(big);
            client.getOutputStream().flush();
            assertThat(received.get(READ_MILLIS, TimeUnit.MILLISECONDS)).isEqualTo(big);
        }
    }

    @Test
    void aFreezeHoldsBytesInBothDirectionsWithoutEndingEitherConnectionAndAThawDeliversThem() throws Exception {
        try (var client = client();
                var upstream = accepted()) {
            send(client, "before");
            assertThat(receive(upstream, 6)).isEqualTo("before");

            proxy.freeze();
            send(client, "up");
            send(upstream, "down");

            assertSilent(upstream);
            assertSilent(client);
            assertThat(proxy.isFrozen()).isTrue();

            proxy.thaw();
            assertThat(receive(upstream, 2)).isEqualTo("up");
            assertThat(receive(client, 4)).isEqualTo("down");
            send(client, "after");
            assertThat(receive(upstream, 5)).isEqualTo("after");
        }
    }

    @Test
    void anEndThatClosesWhileFrozenIsNotSeenUntilTheThaw() throws Exception {
        try (var client = client();
                var upstream = accepted()) {
            send(client, "x");
            assertThat(receive(upstream, 1)).isEqualTo("x");

            proxy.freeze();
            upstream.close();
            assertSilent(client);

            proxy.thaw();
            assertThat(client.getInputStream().read())
                    .as("end of stream after the thaw")
                    .isEqualTo(-1);
        }
    }

    @Test
    void aConnectionOpenedWhileFrozenIsAcceptedButReachesTheTargetOnlyAfterTheThaw() throws Exception {
        proxy.freeze();
        try (var client = client()) {
            send(client, "early");
            target.setSoTimeout(SILENCE_MILLIS);
            assertThatThrownBy(target::accept).isInstanceOf(SocketTimeoutException.class);
            assertSilent(client);
            target.setSoTimeout(READ_MILLIS);

            proxy.thaw();
            try (var upstream = accepted()) {
                assertThat(receive(upstream, 5)).isEqualTo("early");
            }
        }
    }

    @Test
    void closingTheProxyEndsBothSides() throws Exception {
        try (var client = client();
                var upstream = accepted()) {
            send(client, "x");
            assertThat(receive(upstream, 1)).isEqualTo("x");

            proxy.close();

            assertThat(client.getInputStream().read()).isEqualTo(-1);
            assertThat(upstream.getInputStream().read()).isEqualTo(-1);
        }
    }

    @Test
    void aClientOfATargetThatIsDownIsDisconnected() throws Exception {
        int port = target.getLocalPort();
        target.close();
        try (var refused = TcpProxy.start(port);
                var client = new Socket()) {
            client.connect(new InetSocketAddress(LOOPBACK, refused.port()), READ_MILLIS);
            client.setSoTimeout(READ_MILLIS);
            assertThat(client.getInputStream().read()).isEqualTo(-1);
        }
    }
}
