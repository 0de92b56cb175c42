package dev.vantage.probe.icmp;

import dev.vantage.probe.PhaseTimings;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What one icmp probe measured, stored in a heartbeat's {@code details}.
 *
 * @param address the IP address pinged
 * @param socket how: {@code datagram} (a ping socket) or {@code raw}
 * @param sent echo requests sent
 * @param rttsMs round trips of the replies received, in milliseconds (microsecond resolution), in sequence order
 */
public record PingStats(String address, String socket, int sent, double[] rttsMs) {

    public int received() {
        return rttsMs.length;
    }

    /** Requests without a reply, in percent of those sent, to 0.1; 0 when none was sent. */
    public double lossPercent() {
        return sent == 0 ? 0 : Math.round((sent - received()) * 1000.0 / sent) / 10.0;
    }

    public Double minMs() {
        return received() == 0 ? null : Arrays.stream(rttsMs).min().orElseThrow();
    }

    public Double maxMs() {
        return received() == 0 ? null : Arrays.stream(rttsMs).max().orElseThrow();
    }

    /** The average round trip, the heartbeat's {@code response_time_ms}; null without a reply. */
    public Double avgMs() {
        return received() == 0
                ? null
                : PhaseTimings.millis(Math.round(Arrays.stream(rttsMs).average().orElseThrow() * 1e6));
    }

    /**
     * The figures as JSON values for {@code api_heartbeats.details}: {@code address}, {@code socket}, {@code
     * packets_sent}, {@code packets_received}, {@code loss_percent} and, when a reply came, {@code rtt_min_ms}, {@code
     * rtt_avg_ms}, {@code rtt_max_ms}.
     */
    public Map<String, Object> details() {
        var d = new LinkedHashMap<String, Object>();
        d.put("address", address);
        d.put("socket", socket);
        d.put("packets_sent", sent);
        d.put("packets_received", received());
        d.put("loss_percent", lossPercent());
        if (received() > 0) { // details hold no nulls: without a reply there is no round trip to report
            d.put("rtt_min_ms", minMs());
            d.put("rtt_avg_ms", avgMs());
            d.put("rtt_max_ms", maxMs());
        }
        return d;
    }

    @Override
    public String toString() {
        return "PingStats" + details();
    }
}
