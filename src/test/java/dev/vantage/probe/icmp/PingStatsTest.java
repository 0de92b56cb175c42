package dev.vantage.probe.icmp;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PingStatsTest {

    @Test
    void lossAndRoundTripsAreComputedFromTheRepliesThatCame() {
        var stats = new PingStats("127.0.0.1", "raw", 3, new double[] {0.05, 0.2});

        assertThat(stats.lossPercent()).isEqualTo(33.3);
        assertThat(stats.details())
                .containsEntry("packets_sent", 3)
                .containsEntry("packets_received", 2)
                .containsEntry("rtt_min_ms", 0.05)
                .containsEntry("rtt_avg_ms", 0.125)
                .containsEntry("rtt_max_ms", 0.2)
                .containsEntry("socket", "raw");
    }

    @Test
    void withoutAReplyThereIsNoRoundTripAndAllIsLost() {
        var stats = new PingStats("::1", "datagram", 2, new double[0]);

        assertThat(stats.lossPercent()).isEqualTo(100.0);
        assertThat(stats.avgMs()).isNull();
        assertThat(stats.minMs()).isNull();
        assertThat(stats.details())
                .as("details hold no nulls")
                .doesNotContainKeys("rtt_min_ms", "rtt_avg_ms", "rtt_max_ms")
                .containsEntry("loss_percent", 100.0);
    }
}
