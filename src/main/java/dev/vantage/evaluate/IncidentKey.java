package dev.vantage.evaluate;

import java.util.Comparator;
import java.util.Locale;
import java.util.Objects;

/**
 * What an incident is about: a monitor (its target fails) or a datacenter (no live leader agent). At most one incident
 * per key is open at a time, as the partial unique indexes on {@code incidents} require.
 *
 * @param subjectId the monitor id ({@link Kind#MONITOR}) or the datacenter id ({@link Kind#DATACENTER})
 */
public record IncidentKey(Kind kind, int subjectId) implements Comparable<IncidentKey> {

    private static final Comparator<IncidentKey> ORDER =
            Comparator.comparing(IncidentKey::kind).thenComparingInt(IncidentKey::subjectId);

    /** {@code incidents.kind}. */
    public enum Kind {
        MONITOR,
        DATACENTER;

        /** The value stored in {@code incidents.kind}: {@code monitor} or {@code datacenter}. */
        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public IncidentKey {
        Objects.requireNonNull(kind, "kind");
    }

    public static IncidentKey monitor(int monitorId) {
        return new IncidentKey(Kind.MONITOR, monitorId);
    }

    public static IncidentKey datacenter(int datacenterId) {
        return new IncidentKey(Kind.DATACENTER, datacenterId);
    }

    @Override
    public int compareTo(IncidentKey other) {
        return ORDER.compare(this, other);
    }
}
