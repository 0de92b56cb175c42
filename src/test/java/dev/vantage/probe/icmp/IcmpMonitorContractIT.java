package dev.vantage.probe.icmp;

import dev.vantage.probe.LoopbackTargets;
import dev.vantage.probe.Monitor;
import dev.vantage.probe.MonitorContractTest;

/**
 * The contract for {@code icmp}: the kernel answers echo requests to loopback, so no server is started. It has no
 * ports to refuse, and every address of 127.0.0.0/8 answers, so there is no loopback target that never does: the
 * deadline is checked by {@code IcmpMonitorIT} with requests spaced beyond the timeout instead.
 */
class IcmpMonitorContractIT extends MonitorContractTest<IcmpSettings> {
    private final IcmpMonitor monitor = new IcmpMonitor();

    @Override
    protected Monitor<IcmpSettings> monitor() {
        return monitor;
    }

    @Override
    protected String workingUrl(LoopbackTargets targets) {
        return "icmp://127.0.0.1";
    }

    @Override
    protected String blackholeUrl(LoopbackTargets targets) {
        return null;
    }

    @Override
    protected String refusedUrl(LoopbackTargets targets) {
        return null;
    }

    @Override
    protected String unresolvableUrl() {
        return "icmp://vantage-demo.invalid";
    }
}
