package dev.vantage.monitor;

import dev.vantage.Meters;
import dev.vantage.monitor.HeartbeatCursor.Lag;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Gauges of the latest {@link Lag}, which the evaluation loop sets after each batch; a scrape reads the value kept here
 * and never queries the database.
 */
public final class HeartbeatCursorGauges {
    private final AtomicReference<Lag> latest = new AtomicReference<>(Lag.NONE);

    public HeartbeatCursorGauges(MeterRegistry registry) {
        Gauge.builder(Meters.EVALUATE_LAG, latest, l -> l.get().evaluateSeconds())
                .baseUnit("seconds")
                .description("Seconds between now and inserted_at of the last heartbeat evaluated")
                .register(registry);
        Gauge.builder(Meters.WATERMARK_LAG, latest, l -> l.get().watermarkSeconds())
                .baseUnit("seconds")
                .description("Age of the oldest running transaction with an xid, which holds back the heartbeat cursor")
                .register(registry);
        Gauge.builder(Meters.WATERMARK_LAG_XIDS, latest, l -> l.get().watermarkXids())
                .description("Transaction ids between the heartbeat cursor's watermark and the next xid")
                .register(registry);
    }

    public void update(Lag lag) {
        latest.set(lag);
    }

    public Lag latest() {
        return latest.get();
    }
}
