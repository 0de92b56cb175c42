package dev.vantage.probe.tcp;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vantage.probe.LoopbackTargets;
import dev.vantage.probe.Monitor;
import dev.vantage.probe.MonitorContractTest;
import java.io.IOException;
import java.net.Socket;

class TcpMonitorContractIT extends MonitorContractTest<TcpSettings> {
    private final TcpMonitor monitor = new TcpMonitor();

    @Override
    protected Monitor<TcpSettings> monitor() {
        return monitor;
    }

    /** A server that accepts and closes: a plain tcp monitor only connects. */
    @Override
    protected String workingUrl(LoopbackTargets targets) {
        return "tcp://127.0.0.1:" + targets.tcp(TcpMonitorContractIT::close);
    }

    @Override
    protected String blackholeUrl(LoopbackTargets targets) {
        return "tcp://127.0.0.1:" + targets.blackholePort();
    }

    @Override
    protected JsonNode blackholeSettings() {
        return JSON.createObjectNode().put("expect", "hello");
    }

    @Override
    protected String refusedUrl(LoopbackTargets targets) {
        return "tcp://127.0.0.1:" + targets.refusedPort();
    }

    @Override
    protected String unresolvableUrl() {
        return "tcp://vantage-demo.invalid:80";
    }

    private static void close(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // closed anyway
        }
    }
}
