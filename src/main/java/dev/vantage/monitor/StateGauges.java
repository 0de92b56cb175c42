package dev.vantage.monitor;

import dev.vantage.Meters;
import dev.vantage.evaluate.Changes;
import dev.vantage.evaluate.DatacenterKey;
import dev.vantage.evaluate.DatacenterStatus;
import dev.vantage.evaluate.MonitorConfig;
import dev.vantage.evaluate.MonitorStatus;
import dev.vantage.evaluate.State;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The per-monitor state gauges: {@code vantage_monitor_state{monitor_id, monitor, datacenter, state} 1} and {@code
 * vantage_monitor_up{monitor_id, monitor, datacenter}} (1 while UP), one pair of series per monitor and datacenter code,
 * and per monitor with {@code datacenter="global"}.
 *
 * <p>Fed by the evaluation thread with what each round committed (the {@link Changes} it wrote, the rows it restored),
 * so a scrape costs no query. Only the replica that evaluates exports them: a standby's are empty, and a replica that
 * stops leading removes its own. Series of a deleted monitor or datacenter are removed with its state row; a state
 * change replaces the series (the old {@code state} label disappears).
 *
 * <p>At most {@link StateMetricsSettings#maxSeries()} pairs are exported: in order of monitor id at start, then as they
 * come while room remains. The others are counted in {@code vantage_monitor_state_omitted}, logged once.
 */
final class StateGauges {
    private static final Logger log = LoggerFactory.getLogger(StateGauges.class);
    static final String GLOBAL = "global";

    /** {@code datacenterId} 0: the monitor's global state. Ordered by monitor, then datacenter. */
    private record Key(int monitorId, int datacenterId) implements Comparable<Key> {
        @Override
        public int compareTo(Key o) {
            int c = Integer.compare(monitorId, o.monitorId);
            return c != 0 ? c : Integer.compare(datacenterId, o.datacenterId);
        }
    }

    private record Labels(String monitor, String datacenter, State state) {}

    private record Exported(Labels labels, Gauge state, Gauge up) {}

    private final MeterRegistry meters;
    private final StateMetricsSettings settings;
    // Evaluation thread only.
    private final Map<Key, State> states = new HashMap<>();
    private final Map<Key, Exported> exported = new HashMap<>();
    private MonitorConfigs.Config config;
    private boolean boundLogged;
    private volatile int omitted;

    StateGauges(MeterRegistry meters, StateMetricsSettings settings) {
        this.meters = meters;
        this.settings = settings;
        if (settings.enabled()) {
            Gauge.builder(Meters.MONITOR_STATE_OMITTED, this, g -> g.omitted).register(meters);
        }
    }

    /** The rows an evaluator was just rebuilt from: they replace everything. */
    void restore(Collection<DatacenterStatus> datacenters, Collection<MonitorStatus> monitors) {
        if (!settings.enabled()) {
            return;
        }
        states.clear();
        datacenters.forEach(d -> states.put(new Key(d.monitorId(), d.datacenterId()), d.shownState()));
        monitors.forEach(m -> states.put(new Key(m.monitorId(), 0), m.state()));
        sync();
    }

    /** A configuration applied: names and codes for the labels; pairs it no longer has go. */
    void configure(MonitorConfigs.Config applied) {
        if (!settings.enabled()) {
            return;
        }
        config = applied;
        Map<Integer, Set<Integer>> datacenters = new HashMap<>();
        for (MonitorConfig m : applied.monitors()) {
            var ids = new HashSet<>(m.datacenters());
            ids.add(0);
            datacenters.put(m.monitorId(), ids);
        }
        states.keySet()
                .removeIf(
                        k -> !datacenters.getOrDefault(k.monitorId(), Set.of()).contains(k.datacenterId()));
        sync();
    }

    /** What one round committed. */
    void apply(Changes changes) {
        if (!settings.enabled()) {
            return;
        }
        var touched = new ArrayList<Key>();
        // A round rewrites the state rows of every pair it read; only a pair whose state changed needs its series.
        changes.datacenterStates().forEach(d -> {
            var key = new Key(d.monitorId(), d.datacenterId());
            if (states.put(key, d.shownState()) != d.shownState()) {
                touched.add(key);
            }
        });
        changes.monitorStates().forEach(m -> {
            var key = new Key(m.monitorId(), 0);
            if (states.put(key, m.state()) != m.state()) {
                touched.add(key);
            }
        });
        for (DatacenterKey k : changes.removedDatacenterStates()) {
            states.remove(new Key(k.monitorId(), k.datacenterId()));
        }
        for (int monitorId : changes.removedMonitors()) {
            states.keySet().removeIf(k -> k.monitorId() == monitorId);
        }
        if (!changes.removedDatacenterStates().isEmpty()
                || !changes.removedMonitors().isEmpty()) {
            sync();
        } else if (!touched.isEmpty()) {
            sync(touched);
        }
    }

    /** This replica stopped evaluating (or is closing): it exports none. */
    void clear() {
        states.clear();
        sync();
    }

    /**
     * Updates the series of {@code touched} pairs that are exported already: a round's changes cost their own pairs,
     * not a pass over every pair. A pair not exported yet (new, or left out by the bound) takes the whole {@link
     * #sync()}, which alone knows the room left and what the bound leaves out.
     */
    private void sync(List<Key> touched) {
        if (config == null || !exported.keySet().containsAll(touched)) {
            sync();
            return;
        }
        for (Key k : touched) {
            var labels = labels(k, states.get(k));
            var current = exported.get(k);
            if (!current.labels().equals(labels)) {
                remove(current);
                exported.put(k, register(k, labels));
            }
        }
    }

    /** Makes the registered series match {@link #states}, within the bound. */
    private void sync() {
        var gone = new HashSet<>(exported.keySet());
        gone.removeAll(states.keySet());
        for (Key k : gone) {
            remove(exported.remove(k));
        }
        if (config == null) {
            omitted = 0;
            return; // no names yet: the configuration comes in the same round
        }
        int left = 0;
        for (var e : new TreeMap<>(states).entrySet()) { // in monitor order, for the bound
            var labels = labels(e.getKey(), e.getValue());
            var current = exported.get(e.getKey());
            if (current != null && current.labels().equals(labels)) {
                continue;
            }
            if (current == null && exported.size() >= settings.maxSeries()) {
                left++;
                continue;
            }
            if (current != null) {
                remove(current);
            }
            exported.put(e.getKey(), register(e.getKey(), labels));
        }
        omitted = left;
        if (left > 0 && !boundLogged) {
            boundLogged = true;
            log.warn(
                    "{} monitor and datacenter pairs are left out of {}: VANTAGE_MONITOR_STATE_MAX_SERIES is {}",
                    left,
                    "vantage_monitor_state",
                    settings.maxSeries());
        }
    }

    private Labels labels(Key key, State state) {
        return new Labels(
                config.monitorName(key.monitorId()),
                key.datacenterId() == 0 ? GLOBAL : config.datacenterCode(key.datacenterId()),
                state);
    }

    private Exported register(Key key, Labels labels) {
        String id = Integer.toString(key.monitorId());
        var state = Gauge.builder(Meters.MONITOR_STATE, () -> 1)
                .tag("monitor_id", id)
                .tag("monitor", labels.monitor())
                .tag("datacenter", labels.datacenter())
                .tag("state", labels.state().name())
                .register(meters);
        int up = labels.state() == State.UP ? 1 : 0;
        var upGauge = Gauge.builder(Meters.MONITOR_UP, () -> up)
                .tag("monitor_id", id)
                .tag("monitor", labels.monitor())
                .tag("datacenter", labels.datacenter())
                .register(meters);
        return new Exported(labels, state, upGauge);
    }

    private void remove(Exported e) {
        meters.remove(e.state());
        meters.remove(e.up());
    }
}
