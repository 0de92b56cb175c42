package dev.vantage.probe.http;

import com.sun.net.httpserver.HttpServer;
import dev.vantage.probe.LoopbackTargets;
import dev.vantage.probe.Monitor;
import dev.vantage.probe.MonitorContractTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

class HttpMonitorContractIT extends MonitorContractTest<HttpSettings> {
    private final HttpMonitor monitor = new HttpMonitor();

    @Override
    protected Monitor<HttpSettings> monitor() {
        return monitor;
    }

    /** The JDK's own HTTP server, answering 200 {@code ok} to anything. */
    @Override
    protected String workingUrl(LoopbackTargets targets) {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(LoopbackTargets.LOOPBACK, 0), 0);
            server.createContext("/", exchange -> {
                byte[] body = "ok".getBytes(StandardCharsets.US_ASCII);
                exchange.sendResponseHeaders(200, body.length);
                try (var out = exchange.getResponseBody()) {
                    out.write(body);
                }
            });
            server.start();
            targets.closeLater(() -> server.stop(0));
            return "http://127.0.0.1:" + server.getAddress().getPort() + "/";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    protected String blackholeUrl(LoopbackTargets targets) {
        return "http://127.0.0.1:" + targets.blackholePort() + "/";
    }

    @Override
    protected String refusedUrl(LoopbackTargets targets) {
        return "http://127.0.0.1:" + targets.refusedPort() + "/";
    }

    @Override
    protected String unresolvableUrl() {
        return "http://vantage-demo.invalid/";
    }
}
