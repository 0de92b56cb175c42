package dev.vantage.probe.tls;

import dev.vantage.demo.DemoTargets;
import dev.vantage.probe.Monitor;
import dev.vantage.probe.MonitorContractTest;
import dev.vantage.testing.TestCa;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;

class TlsMonitorContractIT extends MonitorContractTest<TlsSettings> {
    private final TestCa ca = TestCa.create("Vantage Contract CA");
    private final TlsMonitor monitor = new TlsMonitor(ca.trustManager());
    private final TestCa.Server server = TestCa.https(ca.serverContext("localhost", Duration.ofDays(90)), Map.of());

    @AfterAll
    void stopServer() {
        server.close();
    }

    @Override
    protected Monitor<TlsSettings> monitor() {
        return monitor;
    }

    @Override
    protected String workingUrl(DemoTargets targets) {
        return "tls://127.0.0.1:" + server.port();
    }

    @Override
    protected String blackholeUrl(DemoTargets targets) {
        return targets.blackholeUrl().replace("http://", "tls://").replaceAll("/$", "");
    }

    @Override
    protected String refusedUrl(DemoTargets targets) {
        return targets.refusedUrl().replace("http://", "tls://").replaceAll("/$", "");
    }

    @Override
    protected String unresolvableUrl() {
        return "tls://vantage-demo.invalid:443";
    }
}
