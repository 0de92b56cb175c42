package dev.vantage.probe.icmp;

import dev.vantage.probe.InvalidMonitorException;
import dev.vantage.probe.MonitorSpec;
import dev.vantage.probe.SettingsReader;
import dev.vantage.probe.UrlText;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Set;

/**
 * A validated {@code icmp} monitor row: {@code icmp://host} and how to ping it.
 *
 * @param host host name or IP literal (without brackets)
 * @param count echo requests per probe, 1-20
 * @param intervalMs time between two echo requests
 * @param payloadBytes bytes after the 8-byte ICMP header (ping's {@code -s}, 56 by default)
 * @param maxLossPercent the probe fails when more than this share of the requests is lost; null: only when all are
 * @param maxRttMs the probe fails when the average round trip is longer (milliseconds, fractions allowed); null: no
 *     limit
 */
public record IcmpSettings(
        String host, int count, int intervalMs, int payloadBytes, Integer maxLossPercent, Double maxRttMs) {
    public static final Set<String> KEYS =
            Set.of("count", "interval_ms", "payload_bytes", "max_loss_percent", "max_rtt_ms");
    public static final int DEFAULT_COUNT = 3;
    public static final int MAX_COUNT = 20;
    public static final int DEFAULT_INTERVAL_MS = 200;
    public static final int MIN_INTERVAL_MS = 10;
    public static final int DEFAULT_PAYLOAD_BYTES = 56;
    /** An ICMP message fits in one IPv4 or IPv6 datagram with room to spare. */
    public static final int MAX_PAYLOAD_BYTES = 65_000;

    static IcmpSettings from(MonitorSpec spec) throws InvalidMonitorException {
        String host = host(spec.url());
        SettingsReader s = SettingsReader.of(spec.settings(), KEYS);
        int count = s.integer("count", DEFAULT_COUNT, 1, MAX_COUNT);
        int interval = s.integer("interval_ms", DEFAULT_INTERVAL_MS, MIN_INTERVAL_MS, 60_000);
        int payload = s.integer("payload_bytes", DEFAULT_PAYLOAD_BYTES, 0, MAX_PAYLOAD_BYTES);
        Integer maxLoss = s.node("max_loss_percent") == null ? null : s.integer("max_loss_percent", 0, 0, 99);
        Double maxRtt = maxRtt(s);
        long sending = (long) (count - 1) * interval;
        long timeout = spec.effectiveTimeout().toMillis();
        if (sending >= timeout) {
            throw new InvalidMonitorException(
                    "settings.interval_ms",
                    count + " echo requests " + interval + " ms apart take " + sending
                            + " ms to send, not less than the timeout of " + timeout + " ms");
        }
        return new IcmpSettings(host, count, interval, payload, maxLoss, maxRtt);
    }

    private static Double maxRtt(SettingsReader s) throws InvalidMonitorException {
        var n = s.node("max_rtt_ms");
        if (n == null) {
            return null;
        }
        if (!n.isNumber()) {
            throw new InvalidMonitorException(
                    "settings.max_rtt_ms", "must be a number, was " + SettingsReader.describe(n));
        }
        if (!(n.doubleValue() > 0 && n.doubleValue() <= 60_000)) {
            throw new InvalidMonitorException(
                    "settings.max_rtt_ms", "must be more than 0 and at most 60000, was " + n.asText());
        }
        return n.doubleValue();
    }

    private static String host(String text) throws InvalidMonitorException {
        if (text == null || text.isBlank()) {
            throw new InvalidMonitorException("url", "is empty");
        }
        URI uri;
        try {
            uri = new URI(text.trim());
        } catch (URISyntaxException e) {
            throw notAUrl(text);
        }
        if (uri.getScheme() == null) {
            throw notAUrl(text);
        }
        if (!"icmp".equalsIgnoreCase(uri.getScheme())) {
            throw new InvalidMonitorException("url", "scheme must be icmp, was '" + uri.getScheme() + "'");
        }
        if (uri.getHost() == null) {
            throw new InvalidMonitorException("url", "has no host: '" + UrlText.quotable(text) + "'");
        }
        if (uri.getRawUserInfo() != null || uri.getPort() != -1) {
            throw new InvalidMonitorException(
                    "url", "takes only a host, no port or user: '" + UrlText.quotable(text) + "'");
        }
        boolean noPath = uri.getRawPath() == null
                || uri.getRawPath().isEmpty()
                || uri.getRawPath().equals("/");
        if (!noPath || uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw new InvalidMonitorException(
                    "url", "takes only a host, no path or query: '" + UrlText.quotable(text) + "'");
        }
        String host = uri.getHost();
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        return host;
    }

    private static InvalidMonitorException notAUrl(String text) {
        return new InvalidMonitorException("url", "is not a URL like icmp://host: '" + UrlText.quotable(text) + "'");
    }
}
