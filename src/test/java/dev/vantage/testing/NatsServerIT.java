package dev.vantage.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nats.client.AuthenticationException;
import io.nats.client.Connection;
import io.nats.client.ErrorListener;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(120)
class NatsServerIT {

    @Test
    void aStartedServerServesCoreNatsAndJetStreamOnLoopback() throws Exception {
        try (var nats = NatsServer.create();
                Connection c = connect(nats.url())) {
            var subscription = c.subscribe("probe.ping");
            c.publish("probe.ping", "hello".getBytes(StandardCharsets.UTF_8));
            c.flush(Duration.ofSeconds(5));

            var received = subscription.nextMessage(Duration.ofSeconds(5));
            assertThat(received).isNotNull();
            assertThat(new String(received.getData(), StandardCharsets.UTF_8)).isEqualTo("hello");
            assertThat(c.jetStreamManagement().getAccountStatistics().getStreams())
                    .isZero();
            assertThat(nats.url()).isEqualTo("nats://127.0.0.1:" + nats.port());
            assertThat(nats.directory())
                    .startsWith(java.nio.file.Path.of("target").toAbsolutePath());
            assertThat(Files.readString(nats.log())).contains("Server is ready");
        }
    }

    @Test
    void aStoppedServerRefusesConnectionsAndRestartsOnTheSamePortWithItsStreams() throws Exception {
        try (var nats = NatsServer.create()) {
            int port = nats.port();
            try (Connection c = connect(nats.url())) {
                c.jetStreamManagement()
                        .addStream(StreamConfiguration.builder()
                                .name("BEATS")
                                .subjects("beats.>")
                                .storageType(StorageType.File)
                                .build());
                c.jetStream().publish("beats.one", "1".getBytes(StandardCharsets.UTF_8));
            }

            nats.stop();

            assertThat(nats.isRunning()).isFalse();
            assertThat(accepts(port)).isFalse();
            assertThatThrownBy(() -> connect(nats.url())).isInstanceOf(IOException.class);

            nats.start();

            assertThat(nats.port()).isEqualTo(port);
            try (Connection c = connect(nats.url())) {
                assertThat(c.jetStreamManagement()
                                .getStreamInfo("BEATS")
                                .getStreamState()
                                .getMsgCount())
                        .isEqualTo(1);
            }
        }
    }

    @Test
    void closeKillsTheServer() throws Exception {
        var nats = NatsServer.create();
        int port = nats.port();

        nats.close();

        assertThat(nats.isRunning()).isFalse();
        assertThat(accepts(port)).isFalse();
    }

    @Test
    void extraArgumentsReachTheServer() throws Exception {
        try (var nats = NatsServer.create("--user", "vantage", "--pass", "s3cret-pass")) {
            // jnats reports refused credentials when its connect times out: a short one keeps this test short.
            assertThatThrownBy(() -> Nats.connect(options(nats.url())
                            .connectionTimeout(Duration.ofSeconds(1))
                            .build()))
                    .isInstanceOf(AuthenticationException.class);
            try (Connection c = Nats.connect(
                    options(nats.url()).userInfo("vantage", "s3cret-pass").build())) {
                assertThat(c.getStatus()).isEqualTo(Connection.Status.CONNECTED);
            }
        }
    }

    @Test
    void aMissingBinaryFailsWithTheCommandThatInstallsIt() {
        assertThatThrownBy(() -> ServerProcess.launch(
                        "vantage-no-such-server", "vantage-no-such-server", (port, dir) -> List.of(), s -> true))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("vantage-no-such-server not found: apt-get install vantage-no-such-server"
                        + " (.ci/run installs it)");
    }

    private static Connection connect(String url) throws IOException, InterruptedException {
        return Nats.connect(options(url).build());
    }

    /** No reconnects; jnats's default error listener would log each expected failure as SEVERE. */
    private static Options.Builder options(String url) {
        return new Options.Builder()
                .server(url)
                .connectionTimeout(Duration.ofSeconds(5))
                .noReconnect()
                .errorListener(new ErrorListener() {});
    }

    private static boolean accepts(int port) {
        try (var socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1_000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
