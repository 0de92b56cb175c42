package dev.vantage.probe.dns;

import dev.vantage.probe.LoopbackTargets;
import dev.vantage.probe.Monitor;
import dev.vantage.probe.MonitorContractTest;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketException;

class DnsMonitorContractIT extends MonitorContractTest<DnsSettings> {
    private final DnsMonitor monitor = new DnsMonitor();

    @Override
    protected Monitor<DnsSettings> monitor() {
        return monitor;
    }

    @Override
    protected String workingUrl(LoopbackTargets targets) {
        var server = targets.closeLater(new DnsTestServer("example.org. A 192.0.2.1"));
        return "dns://127.0.0.1:" + server.port() + "/example.org";
    }

    /** A UDP socket that reads queries and never answers. */
    @Override
    protected String blackholeUrl(LoopbackTargets targets) {
        try {
            var silent = targets.closeLater(new DatagramSocket(new InetSocketAddress(LoopbackTargets.LOOPBACK, 0)));
            return "dns://127.0.0.1:" + silent.getLocalPort() + "/example.org";
        } catch (SocketException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    protected String refusedUrl(LoopbackTargets targets) {
        return "dns://127.0.0.1:" + targets.refusedPort() + "/example.org";
    }

    @Override
    protected String unresolvableUrl() {
        return "dns://vantage-demo.invalid/example.org";
    }
}
