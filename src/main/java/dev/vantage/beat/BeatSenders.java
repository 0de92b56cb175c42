package dev.vantage.beat;

import dev.vantage.config.ConfigurationException;
import java.time.Clock;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

/** The transports, by URL scheme: adding one is a class and a line here. */
public final class BeatSenders {
    /** Validates a destination for its transport and opens a sender; a wrong one is a one-line error naming the flag. */
    @FunctionalInterface
    public interface Opener {
        BeatSender open(Destination destination, Clock clock);
    }

    private final Map<String, Opener> byScheme;
    private final Clock clock;

    public BeatSenders(Map<String, Opener> byScheme, Clock clock) {
        this.byScheme = Map.copyOf(byScheme);
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    public static BeatSenders standard(Clock clock) {
        return new BeatSenders(
                Map.of(
                        "http", HttpBeatSender::open,
                        "https", HttpBeatSender::open,
                        "nats", NatsBeatSender::open,
                        "redis", RedisBeatSender::open,
                        "rediss", RedisBeatSender::open),
                clock);
    }

    /**
     * A sender for {@code destination}.
     *
     * @throws ConfigurationException when the scheme is unknown or the destination is wrong for its transport
     */
    public BeatSender open(Destination destination) {
        String url = destination.url().strip();
        int colon = url.indexOf("://");
        String scheme = colon < 0 ? "" : url.substring(0, colon).toLowerCase(Locale.ROOT);
        Opener opener = byScheme.get(scheme);
        if (opener == null) {
            var schemes = new TreeSet<String>(byScheme.keySet())
                    .stream().map(s -> s + "://").toList();
            throw new ConfigurationException(
                    "URL: must start with " + String.join(", ", schemes) + ", was '" + SafeUrl.of(url) + "'");
        }
        return opener.open(destination, clock);
    }
}
