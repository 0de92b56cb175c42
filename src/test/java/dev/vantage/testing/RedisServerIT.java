package dev.vantage.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisException;

@Timeout(120)
class RedisServerIT {

    @Test
    void aStartedServerAnswersOnLoopback() throws Exception {
        try (var redis = RedisServer.create();
                var jedis = jedis(redis.port(), null)) {
            assertThat(jedis.ping()).isEqualTo("PONG");
            assertThat(jedis.configGet("bind")).containsEntry("bind", "127.0.0.1");
            assertThat(redis.url()).isEqualTo("redis://127.0.0.1:" + redis.port());
            assertThat(redis.directory())
                    .startsWith(java.nio.file.Path.of("target").toAbsolutePath());
            assertThat(Files.readString(redis.log())).contains("Ready to accept connections");
        }
    }

    @Test
    void aStoppedServerRefusesConnectionsAndRestartsOnTheSamePortWithItsData() throws Exception {
        try (var redis = RedisServer.create()) {
            int port = redis.port();
            try (var jedis = jedis(port, null)) {
                jedis.set("kept", "across a restart");
            }

            redis.stop();

            assertThat(redis.isRunning()).isFalse();
            assertThat(accepts(port)).isFalse();
            assertThatThrownBy(() -> {
                        try (var jedis = jedis(port, null)) {
                            jedis.ping();
                        }
                    })
                    .isInstanceOf(JedisConnectionException.class);

            redis.start();

            assertThat(redis.port()).isEqualTo(port);
            try (var jedis = jedis(port, null)) {
                assertThat(jedis.get("kept")).isEqualTo("across a restart");
            }
        }
    }

    @Test
    void closeKillsTheServer() {
        var redis = RedisServer.create();
        int port = redis.port();

        redis.close();

        assertThat(redis.isRunning()).isFalse();
        assertThat(accepts(port)).isFalse();
    }

    @Test
    void extraArgumentsReachTheServerAndAPasswordDoesNotStopTheReadyCheck() {
        try (var redis = RedisServer.create("--requirepass", "s3cret-pass")) {
            assertThatThrownBy(() -> {
                        try (var jedis = jedis(redis.port(), null)) {
                            jedis.ping();
                        }
                    })
                    .isInstanceOf(JedisException.class);
            try (var jedis = jedis(redis.port(), "s3cret-pass")) {
                assertThat(jedis.ping()).isEqualTo("PONG");
            }
        }
    }

    private static Jedis jedis(int port, String password) {
        var config = DefaultJedisClientConfig.builder()
                .connectionTimeoutMillis(5_000)
                .socketTimeoutMillis(5_000)
                .password(password)
                .autoNegotiateProtocol(false)
                .build();
        return new Jedis(new HostAndPort("127.0.0.1", port), config);
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
