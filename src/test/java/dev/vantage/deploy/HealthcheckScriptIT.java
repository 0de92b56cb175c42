package dev.vantage.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * deploy/healthcheck.sh, the image's {@code vantage-healthcheck}, run with bash as Docker runs it, against a loopback
 * HTTP server standing in for Vantage's port.
 */
class HealthcheckScriptIT {
    private static final Path SCRIPT = Path.of("deploy", "healthcheck.sh");

    private HttpServer server;

    record Result(int exit, String output) {}

    @BeforeEach
    void startServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/healthz", exchange -> respond(exchange, 200));
        server.createContext("/readyz", exchange -> respond(exchange, 503));
        server.createContext("/secure", exchange -> {
            String auth = exchange.getRequestHeaders().getFirst("Authorization");
            boolean allowed = "Bearer s3cret-token".equals(auth) || "Basic dXNlcjpwJTQ1c3M=".equals(auth);
            respond(exchange, allowed ? 204 : 401);
        });
        server.start();
    }

    @AfterEach
    void stopServer() {
        server.stop(0);
    }

    private static void respond(com.sun.net.httpserver.HttpExchange exchange, int status) throws IOException {
        exchange.sendResponseHeaders(status, -1);
        exchange.close();
    }

    private static Result check(String path, Map<String, String> env) throws Exception {
        var pb = new ProcessBuilder("bash", SCRIPT.toString(), path).redirectErrorStream(true);
        pb.environment().clear();
        pb.environment().put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
        pb.environment().putAll(env);
        Process p = pb.start();
        assertThat(p.waitFor(20, TimeUnit.SECONDS)).as("the check ends").isTrue();
        return new Result(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    private Map<String, String> port() {
        return Map.of("VANTAGE_HTTP_PORT", String.valueOf(server.getAddress().getPort()));
    }

    @Test
    void a2xxAnswerIsHealthyAndAnythingElseIsNot() throws Exception {
        var healthy = check("/healthz", port());
        var notReady = check("/readyz", port());

        assertThat(healthy.exit()).isZero();
        assertThat(notReady.exit()).isEqualTo(1);
        assertThat(notReady.output()).contains("answered 503");
    }

    @Test
    void theCheckFollowsVantageHttpPortAndTheWildcardAddress() throws Exception {
        int free;
        try (var socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            free = socket.getLocalPort();
        }
        var env = new HashMap<>(port());
        env.put("VANTAGE_HTTP_ADDRESS", "0.0.0.0");

        var onTheServersPort = check("/healthz", env);
        var elsewhere = check("/healthz", Map.of("VANTAGE_HTTP_PORT", String.valueOf(free)));

        assertThat(onTheServersPort.exit()).isZero();
        assertThat(elsewhere.exit()).isEqualTo(1);
        assertThat(elsewhere.output()).contains("nothing listens on 127.0.0.1:" + free);
    }

    @Test
    void aPortThatAcceptsButNeverAnswersFailsWithinTheDeadline() throws Exception {
        try (var silent = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            var result = check(
                    "/healthz",
                    Map.of(
                            "VANTAGE_HTTP_PORT",
                            String.valueOf(silent.getLocalPort()),
                            "VANTAGE_HEALTHCHECK_TIMEOUT",
                            "1"));

            assertThat(result.exit()).isEqualTo(1);
            assertThat(result.output()).contains("no answer").contains("within 1 s");
        }
    }

    @Test
    void credentialsAreSentFromTheirFilesAndNeverPrinted(@TempDir Path dir) throws Exception {
        Path token = Files.writeString(dir.resolve("token"), "  s3cret-token\n");
        var withToken = new HashMap<>(port());
        withToken.put("VANTAGE_HTTP_TOKEN_FILE", token.toString());
        var withBasic = new HashMap<>(port());
        withBasic.put("VANTAGE_HTTP_BASIC_AUTH", "user:p%45ss");
        var wrongToken = new HashMap<>(port());
        wrongToken.put("VANTAGE_HTTP_TOKEN", "wrong-token");

        var bearer = check("/secure", withToken);
        var basic = check("/secure", withBasic);
        var refused = check("/secure", wrongToken);
        var none = check("/secure", port());

        assertThat(bearer.exit()).isZero();
        assertThat(basic.exit()).isZero();
        assertThat(refused.exit()).isEqualTo(1);
        assertThat(refused.output()).contains("answered 401").doesNotContain("wrong-token");
        assertThat(none.exit()).isEqualTo(1);
    }
}
