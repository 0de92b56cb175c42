package dev.vantage.monitor;

import dev.vantage.config.ConfigurationException;
import java.util.Locale;
import java.util.Optional;

/**
 * The per-monitor state gauges ({@code vantage_monitor_state}, {@code vantage_monitor_up}).
 *
 * @param enabled whether the evaluating replica exports them (VANTAGE_MONITOR_STATE_METRICS, on or off)
 * @param maxSeries monitor and datacenter pairs (a monitor's global state counts as one) exported at most; each pair is
 *     two series. Pairs past the bound are left out, counted in {@code vantage_monitor_state_omitted} and logged once
 *     (VANTAGE_MONITOR_STATE_MAX_SERIES)
 */
public record StateMetricsSettings(boolean enabled, int maxSeries) {
    public static final int MAX_SERIES = 10_000;
    public static final StateMetricsSettings DEFAULTS = new StateMetricsSettings(true, MAX_SERIES);

    public StateMetricsSettings {
        if (maxSeries < 1 || maxSeries > 1_000_000) {
            throw new ConfigurationException(
                    "VANTAGE_MONITOR_STATE_MAX_SERIES must be between 1 and 1000000, was " + maxSeries);
        }
    }

    /** From the values of VANTAGE_MONITOR_STATE_METRICS ({@code on} or {@code off}) and its bound, when set. */
    public static StateMetricsSettings parse(Optional<String> enabled, int maxSeries) {
        boolean on = enabled.map(v -> switch (v.strip().toLowerCase(Locale.ROOT)) {
                    case "on", "true" -> true;
                    case "off", "false" -> false;
                    default ->
                        throw new ConfigurationException(
                                "VANTAGE_MONITOR_STATE_METRICS: expected on or off, got '" + v + "'");
                })
                .orElse(true);
        return new StateMetricsSettings(on, maxSeries);
    }
}
