package dev.vantage.probe.tls;

import dev.vantage.probe.LoopbackTargets;
import dev.vantage.probe.Monitor;
import dev.vantage.probe.MonitorContractTest;
import dev.vantage.testing.TestCa;
import java.time.Duration;
import java.util.Map;

class TlsMonitorContractIT extends MonitorContractTest<TlsSettings> {
    private final TestCa ca = TestCa.create("Vantage Contract CA");
    private final TlsMonitor monitor = new TlsMonitor(ca.trustManager());

    @Override
    protected Monitor<TlsSettings> monitor() {
        return monitor;
    }

    /** A loopback TLS server whose certificate (valid 90 days) the monitor's trusted CA issued. */
    @Override
    protected String workingUrl(LoopbackTargets targets) {
        var server = targets.closeLater(TestCa.https(ca.serverContext("localhost", Duration.ofDays(90)), Map.of()));
        return "tls://127.0.0.1:" + server.port();
    }

    @Override
    protected String blackholeUrl(LoopbackTargets targets) {
        return "tls://127.0.0.1:" + targets.blackholePort();
    }

    @Override
    protected String refusedUrl(LoopbackTargets targets) {
        return "tls://127.0.0.1:" + targets.refusedPort();
    }

    @Override
    protected String unresolvableUrl() {
        return "tls://vantage-demo.invalid:443";
    }
}
