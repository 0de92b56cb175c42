package dev.vantage.notify;

import java.time.Instant;
import java.util.List;

/** Sample notices with fixed values, for exact render tests. */
public final class Notices {
    public static final Instant OPENED = Instant.parse("2025-03-01T12:00:00Z");
    public static final Instant FIRED = Instant.parse("2025-03-01T12:00:30Z");
    public static final Instant RESOLVED = Instant.parse("2025-03-01T12:10:00Z");

    private Notices() {}

    public static Notice firing() {
        return new Notice(
                Event.FIRING,
                "vantage-incident-42",
                42,
                "monitor",
                "global",
                7,
                "checkout",
                "https://shop.example.com/checkout",
                List.of("NY", "VA"),
                "DOWN",
                "HTTP_STATUS",
                "[STATUS] (503) == 200",
                OPENED,
                null,
                FIRED,
                "checkout is DOWN in NY, VA: HTTP_STATUS [STATUS] (503) == 200");
    }

    public static Notice resolved() {
        return new Notice(
                Event.RESOLVED,
                "vantage-incident-42",
                42,
                "monitor",
                "global",
                7,
                "checkout",
                "https://shop.example.com/checkout",
                List.of("NY", "VA"),
                "UP",
                "HTTP_STATUS",
                "[STATUS] (503) == 200",
                OPENED,
                RESOLVED,
                RESOLVED,
                "checkout is UP again after 10 min");
    }

    /** A certificate of the monitor that expires within its warning window, notified once. */
    public static Notice certificate() {
        return new Notice(
                Event.CERTIFICATE,
                "vantage-certificate-7-1741255200",
                43,
                "certificate",
                "global",
                7,
                "checkout",
                "https://shop.example.com/checkout",
                List.of("NY"),
                "DEGRADED",
                null,
                "certificate of CN=shop.example.com expires in 5 days (2025-03-06T10:00:00Z)",
                FIRED,
                null,
                FIRED,
                "the certificate of checkout expires on 2025-03-06 10:00 UTC (in 5 days)");
    }

    /** The same notice with another event and summary. */
    public static Notice with(Notice n, Event event, String summary) {
        return new Notice(
                event,
                n.dedupKey(),
                n.incidentId(),
                n.kind(),
                n.scope(),
                n.monitorId(),
                n.monitorName(),
                n.target(),
                n.datacenters(),
                n.state(),
                n.errorType(),
                n.errorMessage(),
                n.openedAt(),
                n.resolvedAt(),
                n.at(),
                summary);
    }

    /** A monitor incident of another monitor, firing in {@code datacenters}. */
    public static Notice firing(long incidentId, int monitorId, String name, List<String> datacenters) {
        return new Notice(
                Event.FIRING,
                "vantage-incident-" + incidentId,
                incidentId,
                "monitor",
                "global",
                monitorId,
                name,
                "https://" + name + ".example.com/",
                datacenters,
                "DOWN",
                "HTTP_STATUS",
                "[STATUS] (503) == 200",
                OPENED.plusSeconds(monitorId),
                null,
                FIRED.plusSeconds(monitorId),
                name + " is DOWN in " + String.join(", ", datacenters) + ": HTTP_STATUS [STATUS] (503) == 200");
    }

    /** Three monitors that went DOWN within one window, as one notice (group 101). */
    public static Notice group() {
        return NoticeGroup.of(
                101,
                List.of(
                        firing(42, 7, "checkout", List.of("NY", "VA")),
                        firing(43, 8, "payments", List.of("VA")),
                        firing(44, 9, "search", List.of("SYD"))));
    }
}
