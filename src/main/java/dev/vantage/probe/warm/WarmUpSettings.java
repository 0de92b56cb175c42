package dev.vantage.probe.warm;

import dev.vantage.config.ConfigurationException;
import java.time.Duration;

/**
 * The agent's warm-up (VANTAGE_WARMUP): whether it runs, how long a run may take, and how often a standby that probes
 * nothing repeats a shorter one.
 *
 * @param enabled VANTAGE_WARMUP, on by default
 * @param budget the most one run may take; past it the agent probes anyway
 * @param idleEvery how often a replica that probes nothing runs a round (a tenth of the start's probes)
 */
public record WarmUpSettings(boolean enabled, Duration budget, Duration idleEvery) {
    public static final WarmUpSettings DEFAULTS =
            new WarmUpSettings(true, Duration.ofSeconds(5), Duration.ofMinutes(1));
    public static final WarmUpSettings OFF = DEFAULTS.withEnabled(false);

    public WarmUpSettings {
        if (budget == null || budget.isNegative() || budget.isZero()) {
            throw new ConfigurationException("warm-up budget must be positive, was " + budget);
        }
        if (idleEvery == null || idleEvery.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new ConfigurationException("warm-up idle interval must be at least 1 s, was " + idleEvery);
        }
    }

    public WarmUpSettings withEnabled(boolean value) {
        return new WarmUpSettings(value, budget, idleEvery);
    }

    public WarmUpSettings withBudget(Duration value) {
        return new WarmUpSettings(enabled, value, idleEvery);
    }

    public WarmUpSettings withIdleEvery(Duration value) {
        return new WarmUpSettings(enabled, budget, value);
    }

    /** VANTAGE_WARMUP's value: true/false (also on/off, yes/no, 1/0), with the variable's name when it is neither. */
    public static boolean parseEnabled(String text) {
        return switch (text.strip().toLowerCase(java.util.Locale.ROOT)) {
            case "true", "on", "yes", "1" -> true;
            case "false", "off", "no", "0" -> false;
            default -> throw new ConfigurationException("VANTAGE_WARMUP: expected true or false, got '" + text + "'");
        };
    }
}
