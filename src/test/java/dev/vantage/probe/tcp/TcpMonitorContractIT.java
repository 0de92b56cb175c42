package dev.vantage.probe.tcp;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vantage.demo.DemoTargets;
import dev.vantage.probe.Monitor;
import dev.vantage.probe.MonitorContractTest;

class TcpMonitorContractIT extends MonitorContractTest<TcpSettings> {
    private final TcpMonitor monitor = new TcpMonitor();

    @Override
    protected Monitor<TcpSettings> monitor() {
        return monitor;
    }

    @Override
    protected String workingUrl(DemoTargets targets) {
        return targets.tcpUrl();
    }

    @Override
    protected String blackholeUrl(DemoTargets targets) {
        return targets.blackholeUrl().replace("http://", "tcp://").replaceAll("/$", "");
    }

    @Override
    protected JsonNode blackholeSettings() {
        return JSON.createObjectNode().put("expect", "hello");
    }

    @Override
    protected String refusedUrl(DemoTargets targets) {
        return targets.refusedUrl().replace("http://", "tcp://").replaceAll("/$", "");
    }

    @Override
    protected String unresolvableUrl() {
        return "tcp://vantage-demo.invalid:80";
    }
}
