package dev.vantage.probe.http;

import dev.vantage.demo.DemoTargets;
import dev.vantage.probe.Monitor;
import dev.vantage.probe.MonitorContractTest;

class HttpMonitorContractIT extends MonitorContractTest<HttpSettings> {
    private final HttpMonitor monitor = new HttpMonitor();

    @Override
    protected Monitor<HttpSettings> monitor() {
        return monitor;
    }

    @Override
    protected String workingUrl(DemoTargets targets) {
        return targets.httpUrl("/fast");
    }

    @Override
    protected String blackholeUrl(DemoTargets targets) {
        return targets.blackholeUrl();
    }

    @Override
    protected String refusedUrl(DemoTargets targets) {
        return targets.refusedUrl();
    }

    @Override
    protected String unresolvableUrl() {
        return "http://vantage-demo.invalid/";
    }
}
